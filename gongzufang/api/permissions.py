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


def acting_user_of(client, *, required: bool):
    """The caseworker an API client acts for (ApiClient.acting_user), checked at every use: the
    account may have been disabled or moved since it was named.

    `required`: review steps must name a person (DESIGN §4); stock changes may be recorded as the
    system with the token's name in the reason when no person is named."""
    from rest_framework.exceptions import PermissionDenied

    from gongzufang.models.api_clients import acting_user_problem

    problem = acting_user_problem(client)
    if problem:
        raise PermissionDenied(problem)
    if client.acting_user_id is None:
        if required:
            raise PermissionDenied(_("该令牌未指定经办人账户，不能办理审核；请市局在后台为令牌指定本区县的经办人账户。"))
        return None
    return client.acting_user
