"""The address a request came from, behind the council's own reverse proxies (issue 16).

Behind a proxy every request arrives from the proxy's address; the resident's is in the
X-Forwarded-For header that each proxy appends to. A client can write anything in that header
itself, so only the entries added by our own proxies are believed, counted from the right:
TRUSTED_PROXY_COUNT is how many proxies of ours forward each request (the compose stack's Caddy:
1), and TRUSTED_PROXY_IPS the networks they connect from; a request from anywhere else is taken at
its connection address. django-ipware reads the header; the self-service limits, the login lockout
(django-axes), the API throttle of anonymous callers and the audit trail all use this one function.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from ipware import get_client_ip


def client_ip(request) -> str | None:
    """The client's address, or None when there is none (a test request without REMOTE_ADDR)."""
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = settings.TRUSTED_PROXY_COUNT
    if not proxies or not remote or not _from_trusted_proxy(remote):
        return remote
    # ipware counts the proxies listed in the header, after the client: the last of ours is the
    # connection itself, so one fewer. Non-strict: entries a client forged sit further left.
    address, _ = get_client_ip(request, proxy_count=proxies - 1, strict=False,
                               request_header_order=["HTTP_X_FORWARDED_FOR"])
    return address or remote


def _from_trusted_proxy(remote: str) -> bool:
    networks = _networks(tuple(settings.TRUSTED_PROXY_IPS))
    if not networks:
        return True
    try:
        address = ipaddress.ip_address(remote)
    except ValueError:
        return False
    return any(address.version == network.version and address in network for network in networks)


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)
