"""Every API endpoint, found from the routers, for the generic tests (STYLE.md, netbox)."""

from gongzufang.urls import API_ROUTERS

# Endpoints outside the router (no model of their own): (basename, url, model, has_create).
EXTRA = [("statistics", "/api/v1/statistics/", None, False)]


def registry():
    """(prefix, viewset, basename) of every router under /api/v1/: the shared one and each app's."""
    return [entry for router in API_ROUTERS for entry in router.registry]


def endpoints():
    """(basename, list url, model, has_create) for each registered viewset, then the extra views."""
    found = []
    for prefix, viewset, basename in registry():
        model = viewset.queryset.model
        found.append((basename, f"/api/v1/{prefix}/", model, hasattr(viewset, "create")))
    return found + EXTRA


def list_endpoints():
    """Only the router's lists (paginated, filterable)."""
    return [e for e in endpoints() if e[2] is not None]
