"""Issuing and revoking district API tokens."""

import secrets

from django.db import transaction

from gongzufang.errors import PortalError
from gongzufang.models import ApiClient, District
from gongzufang.models.api_clients import acting_user_problem, token_digest
from gongzufang.workflow import transition


@transaction.atomic
def api_client_issue(*, name, district: District | None, actor=None, can_write=True, can_view_full_id=False,
                     acting_user=None):
    """Create a client and return (client, token). The token is shown once and never stored.
    `acting_user`: the caseworker recorded as the actor of the client's writes (checked here)."""
    token = "gzf_" + secrets.token_urlsafe(32)
    client = ApiClient(
        name=name, district=district, key_prefix=token[:10], key_digest=token_digest(token),
        can_write=can_write, can_view_full_id=can_view_full_id, created_by=actor, acting_user=acting_user,
    )
    problem = acting_user_problem(client)
    if problem:
        raise PortalError(problem, fields={"acting_user": ["invalid"]})
    client.save()
    return client, token


@transaction.atomic
def api_client_revoke(*, client: ApiClient, actor, reason):
    transition(client, "revoke", actor=actor, opinion=reason)
