from django.urls import path

from . import views

app_name = "statistics"

urlpatterns = [
    path("", views.dashboard_view(), name="dashboard"),
    path("export/<slug:key>.xlsx", views.export_view(), name="export"),
]
