from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from complaints.api import FeedbackViewSet

from . import schema, views  # noqa: F401  (schema registers the token scheme)

router = DefaultRouter()
router.register("districts", views.DistrictViewSet, basename="district")
router.register("parameters", views.PolicyParameterViewSet, basename="parameter")
router.register("feedback", FeedbackViewSet, basename="feedback")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(authentication_classes=[], permission_classes=[]), name="api-schema"),
    path(
        "docs/",
        SpectacularSwaggerView.as_view(url_name="api-schema", authentication_classes=[], permission_classes=[]),
        name="api-docs",
    ),
]
