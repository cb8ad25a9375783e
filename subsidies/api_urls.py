"""This app's API routes, included under /api/v1/ by the project's URLconf (gongzufang/urls.py)."""

from gongzufang.api.urls import app_router

from .api import BatchViewSet, GrantViewSet, PaymentViewSet

router = app_router()
router.register("subsidy-grants", GrantViewSet, basename="subsidy-grants")
router.register("subsidy-batches", BatchViewSet, basename="subsidy-batches")
router.register("subsidy-payments", PaymentViewSet, basename="subsidy-payments")

urlpatterns = router.urls
