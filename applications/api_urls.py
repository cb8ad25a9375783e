"""Applications' API routes, included under /api/v1/ by the project's URLconf (gongzufang/urls.py)."""

from gongzufang.api.urls import app_router

from .api import ApplicationViewSet

router = app_router()
router.register("applications", ApplicationViewSet, basename="application")

urlpatterns = router.urls
