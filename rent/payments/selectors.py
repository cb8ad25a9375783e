"""Reads of the payment half: a tenant's own orders, payments and credit; staff's, scoped."""

from decimal import Decimal

from django.db.models import Sum

from rent.models import OrderStatus, Payment, PaymentOrder, RentCredit


def orders_of(user):
    return PaymentOrder.objects.of_tenant(user).prefetch_related("order_bills__bill")


def order_of(user, order_no):
    """The tenant's own order, or None (another's order looks the same as no order)."""
    return orders_of(user).filter(order_no=order_no).first()


def payments_of(user):
    return Payment.objects.of_tenant(user).select_related("lease", "order").order_by("-paid_at", "-id")


def payment_of(user, pk):
    return payments_of(user).filter(pk=pk).first()


def credit_of(user) -> Decimal:
    total = RentCredit.objects.of_tenant(user).aggregate(total=Sum("balance"))["total"]
    return total or Decimal("0.00")


def pending_orders_of(user):
    return orders_of(user).filter(status=OrderStatus.PENDING)


def orders_for(principal):
    return PaymentOrder.objects.for_user(principal).select_related("lease", "district")


def payments_for(principal):
    return Payment.objects.for_user(principal).select_related("lease", "order", "district")
