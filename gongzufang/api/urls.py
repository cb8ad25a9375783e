from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from applications.api import ApplicationViewSet
from complaints.api import FeedbackViewSet
from housing.api import BuildingViewSet, EstateViewSet, UnitViewSet

from . import schema, views  # noqa: F401  (schema registers the token scheme)

router = DefaultRouter()
router.register("districts", views.DistrictViewSet, basename="district")
router.register("parameters", views.PolicyParameterViewSet, basename="parameter")
router.register("feedback", FeedbackViewSet, basename="feedback")
router.register("estates", EstateViewSet, basename="estate")
router.register("buildings", BuildingViewSet, basename="building")
router.register("units", UnitViewSet, basename="unit")
router.register("articles", views.ArticleViewSet, basename="article")
router.register("applications", ApplicationViewSet, basename="application")

urlpatterns = [
    path("v1/statistics/", views.StatisticsView.as_view(), name="api-statistics"),
    path("v1/", include(router.urls)),
    path(
        "schema/",
        SpectacularAPIView.as_view(authentication_classes=[], permission_classes=[]),
        name="api-schema",
    ),
    path(
        "docs/",
        # The split view serves its start-up script from a URL of its own: no inline script for the CSP.
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", authentication_classes=[], permission_classes=[]),
        name="api-docs",
    ),
]
