from rest_framework.throttling import SimpleRateThrottle


class TokenRateThrottle(SimpleRateThrottle):
    """A rate per API token (per address for unauthenticated calls)."""

    scope = "token"

    def get_cache_key(self, request, view):
        client = request.auth
        ident = f"client-{client.pk}" if getattr(client, "pk", None) else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
