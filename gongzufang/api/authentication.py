"""`Authorization: Token <key>` for district API clients (DESIGN §15)."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from gongzufang.models import ApiClient
from gongzufang.models.api_clients import token_digest


class ApiTokenAuthentication(authentication.TokenAuthentication):
    """Looks the token up by its SHA-256 digest; a revoked token is refused with a clear message."""

    keyword = "Token"

    def authenticate_credentials(self, key):
        client = ApiClient.objects.select_related("district").filter(key_digest=token_digest(key)).first()
        if client is None or not client.is_active:
            raise exceptions.AuthenticationFailed(_("令牌无效或已吊销。"))
        now = timezone.now()
        # Record last use at most once a minute: no write on every request.
        if client.last_used_at is None or now - client.last_used_at > timedelta(minutes=1):
            ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        return (client, client)
