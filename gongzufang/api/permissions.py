from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from gongzufang.models import ApiClient


class IsApiClient(permissions.BasePermission):
    """An active API client; writes need a token issued with write access."""

    message = _("该令牌无写入权限。")

    def has_permission(self, request, view):
        client = request.auth
        if not isinstance(client, ApiClient) or not client.is_active:
            return False
        return request.method in permissions.SAFE_METHODS or client.can_write
