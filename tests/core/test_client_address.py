"""The client's address behind the council's proxies (issue 16, "Proxy-aware limits"): only the
X-Forwarded-For entries our own proxies added are believed, counted from the right; anything a
client writes there itself, or in other headers, is ignored."""

import pytest
from axes.helpers import get_client_ip_address
from django.test import RequestFactory

from core.client_address import client_ip

PROXY = "172.31.240.2"  # the compose stack's Caddy
LOAD_BALANCER = "10.20.0.5"


# (TRUSTED_PROXY_COUNT, TRUSTED_PROXY_IPS, REMOTE_ADDR, X-Forwarded-For, expected client)
@pytest.mark.parametrize(("count", "trusted", "remote", "forwarded", "expected"), [
    # No proxy configured: the connection's address; the header is the client's own words.
    (0, [], "198.51.100.7", "203.0.113.1", "198.51.100.7"),
    # One proxy (Caddy): the address it appended, whatever the client wrote before it.
    (1, ["172.31.240.0/24"], PROXY, "198.51.100.7", "198.51.100.7"),
    (1, ["172.31.240.0/24"], PROXY, "203.0.113.1, 198.51.100.7", "198.51.100.7"),
    (1, [], PROXY, "203.0.113.1, 198.51.100.7", "198.51.100.7"),
    # Not from our proxy (a host on the network calling the app directly): no header believed.
    (1, ["172.31.240.0/24"], "10.9.9.9", "203.0.113.1", "10.9.9.9"),
    # Through the proxy but with no header (its own health check): the connection's address.
    (1, ["172.31.240.0/24"], PROXY, None, PROXY),
    # Two proxies (the council's load balancer, then Caddy): the entry the first one added.
    (2, ["172.31.240.0/24", "10.20.0.0/16"], PROXY, f"203.0.113.1, 198.51.100.7, {LOAD_BALANCER}",
     "198.51.100.7"),
    # IPv6 clients.
    (1, ["172.31.240.0/24"], PROXY, "2001:db8::7", "2001:db8::7"),
])
def test_the_client_address_is_the_one_our_proxies_saw(settings, count, trusted, remote, forwarded,
                                                       expected):
    settings.TRUSTED_PROXY_COUNT = count
    settings.TRUSTED_PROXY_IPS = trusted
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    request = RequestFactory().get("/", **headers)
    assert client_ip(request) == expected


def test_other_client_headers_are_never_believed(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXY_IPS = ["172.31.240.0/24"]
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7",
                                   HTTP_X_REAL_IP="203.0.113.1", HTTP_TRUE_CLIENT_IP="203.0.113.2",
                                   HTTP_CF_CONNECTING_IP="203.0.113.3")
    assert client_ip(request) == "198.51.100.7"


def test_the_login_lockout_counts_by_the_same_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().post("/login/", REMOTE_ADDR=PROXY,
                                    HTTP_X_FORWARDED_FOR="203.0.113.1, 198.51.100.7")
    assert get_client_ip_address(request) == "198.51.100.7"
