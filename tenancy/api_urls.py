"""This app's API routes, included under /api/v1/ by the project's URLconf (gongzufang/urls.py)."""

from gongzufang.api.urls import app_router

from .api import AnnualReviewViewSet, ExitCaseViewSet, MonitoringAlertViewSet

router = app_router()
router.register("annual-reviews", AnnualReviewViewSet, basename="annual-review")
router.register("monitoring-alerts", MonitoringAlertViewSet, basename="monitoring-alert")
router.register("exit-cases", ExitCaseViewSet, basename="exit-case")

urlpatterns = router.urls
