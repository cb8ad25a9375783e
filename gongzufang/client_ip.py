"""The address a request came from, behind the city's reverse proxy (issue 12, item 6).

`REMOTE_ADDR` is the proxy's own address when the portal sits behind one, so everything keyed on it
(the objection limit, SMS limits) would be shared by every visitor. `X-Forwarded-For` is believed only
when the request comes from an address in `settings.TRUSTED_PROXIES` (addresses or networks); from
anyone else it is a header the client wrote and is ignored.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]):
    nets = []
    for item in proxies:
        item = item.strip()
        if item:
            nets.append(ipaddress.ip_network(item, strict=False))
    return tuple(nets)


def _parse(value):
    try:
        return ipaddress.ip_address((value or "").strip())
    except ValueError:
        return None


def _trusted(address, networks) -> bool:
    return address is not None and any(address in net for net in networks)


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or — when that is a trusted proxy — the right-most address
    in X-Forwarded-For that is not itself a trusted proxy (the left part of the header is whatever the
    client sent and cannot be believed)."""
    remote = _parse(request.META.get("REMOTE_ADDR"))
    if remote is None:
        return None
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))
    if not _trusted(remote, networks):
        return str(remote)
    hops = [h for h in (request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",") if h.strip()]
    for hop in reversed(hops):
        address = _parse(hop)
        if address is None:
            break  # a malformed hop: trust nothing further left
        if not _trusted(address, networks):
            return str(address)
    return str(remote)
