"""URL patterns of the payment half, spliced into rent/urls.py (namespace "rent")."""

from django.urls import path

from . import views

urlpatterns = [
    path("rent/payments/", views.payment_list, name="payments"),
    path("rent/payments/pay/", views.pay, name="pay"),
    path("rent/payments/orders/<str:order_no>/", views.order_detail, name="payment-order"),
    path("rent/payments/orders/<str:order_no>/return/", views.order_return, name="payment-order-return"),
    path("rent/payments/<int:pk>/receipt.pdf", views.receipt, name="payment-receipt"),
    path("payments/notify/", views.notify, name="payments-notify"),
]
