from django.urls import path

from . import views
from .choice import views as choice_views

app_name = "allocation"

urlpatterns = [
    path("my/", views.my_waitlist, name="my_waitlist"),
    path("rounds/", views.round_list, name="rounds"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/draw.json", views.draw_json, name="draw_json"),
    path("verify_lottery.py", views.verifier, name="verifier"),
    path("my/change/", views.declare_change, name="declare_change"),
    # 选房 (allocation/choice/views.py)
    path("choice/<int:pk>/", choice_views.choice, name="choice"),
    path("choice/<int:pk>/units/<int:unit_pk>/", choice_views.choose_unit, name="choose_unit"),
    path("offers/<int:pk>/", choice_views.offer, name="offer"),
]
