"""Every API endpoint, found from the router, for the generic tests (STYLE.md, netbox)."""

from gongzufang.api.urls import router

# Endpoints outside the router (no model of their own): (basename, url, model, has_create).
EXTRA = [("statistics", "/api/v1/statistics/", None, False)]


def endpoints():
    """(basename, list url, model, has_create) for each registered viewset, then the extra views."""
    found = []
    for prefix, viewset, basename in router.registry:
        model = viewset.queryset.model
        found.append((basename, f"/api/v1/{prefix}/", model, hasattr(viewset, "create")))
    return found + EXTRA


def list_endpoints():
    """Only the router's lists (paginated, filterable)."""
    return [e for e in endpoints() if e[2] is not None]
