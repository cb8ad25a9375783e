"""This app's API routes, included under /api/v1/ by the project's URLconf (gongzufang/urls.py)."""

from gongzufang.api.urls import app_router

from .api import BillViewSet, LeaseViewSet
from .payments.api import PaymentOrderViewSet, PaymentViewSet

router = app_router()
router.register("leases", LeaseViewSet, basename="leases")
router.register("bills", BillViewSet, basename="bills")
# The payment half (rent/payments/api.py).
router.register("payment-orders", PaymentOrderViewSet, basename="payment-orders")
router.register("payments", PaymentViewSet, basename="payments")

urlpatterns = router.urls
