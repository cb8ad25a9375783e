from django.urls import path

from . import views

app_name = "subsidies"

urlpatterns = [
    path("", views.home, name="home"),
    path("lease/", views.lease, name="lease"),
    path("lease/contract/", views.contract_file, name="contract"),
    path("account/", views.account, name="account"),
]
