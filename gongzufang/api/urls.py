"""The API's shared routes (districts, parameters, articles, statistics, the schema and its docs) and
the pieces every app's router is built from.

Each domain app has its own router (`<app>/api_urls.py`, made with `app_router()`); the project's
URLconf (gongzufang/urls.py) includes them under /api/v1/ beside this one and gives the index of
/api/v1/ every router (`v1_index`). This module imports no domain app.
"""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import APIRootView, DefaultRouter
from rest_framework.urlpatterns import format_suffix_patterns

from . import schema, views  # noqa: F401  (schema registers the token scheme)


class AppRouter(DefaultRouter):
    """A router for one app's routes under /api/v1/, with no index of its own (the one index is
    `v1_index`). Lists and details also answer with a format suffix (….json); actions (publish,
    reply, the review steps…) do not: their methods take no `format`, and a suffixed action URL was a
    500 for every token."""

    include_root_view = False
    include_format_suffixes = False  # added back below for lists and details only

    def get_urls(self):
        urls = super().get_urls()
        plain = [u for u in urls if u.name and u.name.endswith(("-list", "-detail"))]
        suffixed = [u for u in format_suffix_patterns(plain) if "format" in str(u.pattern)]
        return urls + suffixed


def app_router() -> AppRouter:
    return AppRouter()


router = app_router()
router.register("districts", views.DistrictViewSet, basename="district")
router.register("parameters", views.PolicyParameterViewSet, basename="parameter")
router.register("articles", views.ArticleViewSet, basename="article")


def v1_index(routers) -> list:
    """The index of /api/v1/ (`api-root`, as DefaultRouter makes it) listing every router's lists."""
    listed = {}
    for each in routers:
        list_name = each.routes[0].name  # "{basename}-list"
        for prefix, _viewset, basename in each.registry:
            listed[prefix] = list_name.format(basename=basename)
    return format_suffix_patterns([path("", APIRootView.as_view(api_root_dict=listed), name="api-root")])


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
