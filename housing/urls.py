from django.urls import path

from . import views

app_name = "housing"

urlpatterns = [
    path("units/", views.unit_search, name="unit_search"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/floor-plan/", views.floor_plan, name="floor_plan"),
    path("estates/<int:pk>/", views.estate_detail, name="estate_detail"),
    path("photos/estate/<int:pk>/", views.estate_photo, name="estate_photo"),
    path("photos/unit/<int:pk>/", views.unit_photo, name="unit_photo"),
]
