"""Feedback's API routes, included under /api/v1/ by the project's URLconf (gongzufang/urls.py)."""

from gongzufang.api.urls import app_router

from .api import FeedbackViewSet

router = app_router()
router.register("feedback", FeedbackViewSet, basename="feedback")

urlpatterns = router.urls
