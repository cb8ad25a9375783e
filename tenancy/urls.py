from django.urls import path

from . import views

app_name = "tenancy"

urlpatterns = [
    path("reviews/", views.my_reviews, name="reviews"),
    path("reviews/<int:pk>/", views.review, name="review"),
    path("exits/<int:pk>/", views.exit_case, name="exit"),
    path("exits/apply/<int:lease_pk>/", views.exit_apply, name="exit_apply"),
]
