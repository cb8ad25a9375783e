from django.urls import path  # noqa: F401

app_name = "rent"

urlpatterns = []

# The payment half (rent/payments/urls.py): 缴费, orders, receipts, and the bank's /payments/notify/.
from .payments import urls as payment_urls  # noqa: E402

urlpatterns += payment_urls.urlpatterns
