"""This app's API routes, included under /api/v1/ by the project's URLconf (gongzufang/urls.py)."""

from gongzufang.api.urls import app_router

router = app_router()

urlpatterns = router.urls
