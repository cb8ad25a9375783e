from django.urls import path

from . import views

app_name = "complaints"

urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/rate/", views.rate_feedback, name="rate"),
    path("<int:pk>/close/", views.close, name="close"),
    path("photos/<int:pk>/", views.photo_file, name="photo"),
    path("ratings/<slug:service>/<int:pk>/", views.rate_service, name="rate_service"),
]
