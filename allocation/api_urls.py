"""This app's API routes, included under /api/v1/ by the project's URLconf (gongzufang/urls.py)."""

from gongzufang.api.urls import app_router

from .api import AllocationRoundViewSet, WaitlistViewSet
from .choice.api import OfferViewSet

router = app_router()
router.register("waitlist", WaitlistViewSet, basename="waitlist")
router.register("allocation-rounds", AllocationRoundViewSet, basename="allocation-rounds")
router.register("offers", OfferViewSet, basename="offers")

urlpatterns = router.urls
