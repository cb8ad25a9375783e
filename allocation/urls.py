from django.urls import path

from . import views

app_name = "allocation"

urlpatterns = [
    path("my/", views.my_waitlist, name="my_waitlist"),
    path("rounds/", views.round_list, name="rounds"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/draw.json", views.draw_json, name="draw_json"),
    path("verify_lottery.py", views.verifier, name="verifier"),
]
