"""Self service behind the council's reverse proxy (issue 16, "Proxy-aware limits"): every
resident arrives from the proxy's address, yet each has their own allowance, counted by the
address the proxy saw (core/client_address.py)."""

from django.test import Client

from core.models import AuditEvent
from selfservice.models import SelfServiceSubmission
from tests.selfservice.test_journeys import report_missed_bin

PROXY = "172.31.240.2"  # the compose stack's Caddy


def _resident(address: str) -> Client:
    """A resident's browser reaching the app through the compose stack's proxy."""
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=address)


def test_behind_the_proxy_each_resident_has_their_own_allowance(settings, catalogue):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXY_IPS = ["172.31.240.0/24"]
    settings.SELF_SERVICE_RATE_LIMITS = {"submit": "2/h", "progress": "20/h"}
    first = _resident("198.51.100.7")
    assert [report_missed_bin(first, catalogue).status_code for _ in range(3)] == [302, 302, 429]
    # Writing another address in front of the real one buys no new allowance...
    forger = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.99, 198.51.100.7")
    assert report_missed_bin(forger, catalogue).status_code == 429
    # ... while a neighbour behind the same proxy is not held back by the first resident.
    assert report_missed_bin(_resident("198.51.100.8"), catalogue).status_code == 302
    assert set(SelfServiceSubmission.objects.values_list("contact__customer__email", flat=True)) == {
        "ada@example.com"}
    assert SelfServiceSubmission.objects.count() == 3
    # The audit trail records where each came from: the residents, not the proxy.
    assert sorted(AuditEvent.objects.filter(action="self_service_submitted")
                  .values_list("ip_address", flat=True)) == ["198.51.100.7", "198.51.100.7", "198.51.100.8"]
