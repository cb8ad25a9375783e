"""Every API endpoint, found from the router, for the generic tests (STYLE.md, netbox)."""

from gongzufang.api.urls import router


def endpoints():
    """(basename, list url, model, has_create) for each registered viewset."""
    found = []
    for prefix, viewset, basename in router.registry:
        model = viewset.queryset.model
        found.append((basename, f"/api/v1/{prefix}/", model, hasattr(viewset, "create")))
    return found
