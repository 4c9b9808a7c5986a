"""Rate limits for the public forms (issue 10, "protect the public forms from abuse"), per client
address (core/client_address.py: the resident's, not the council proxy's), counted by
django-ratelimit in the shared cache (Redis in production).

Only real attempts count (a submission, a well-formed progress lookup), so a resident who makes
typing mistakes is not locked out. The rates are settings (SELF_SERVICE_RATE_SUBMIT,
SELF_SERVICE_RATE_PROGRESS, README "Settings").
"""

import logging

from django.conf import settings
from django_ratelimit.core import is_ratelimited

from core.client_address import client_ip

logger = logging.getLogger(__name__)


def client_address(request) -> str:
    return client_ip(request) or "unknown"


def _by_address(group, request) -> str:
    return client_address(request)


def allow(request, action: str) -> bool:
    """Count one attempt at `action` ("submit" or "progress") from this address; False once over
    its rate. With the cache down the form is served unlimited rather than failed (issue 8,
    "Faults"), and the log says so."""
    try:
        return not is_ratelimited(request, group=f"selfservice:{action}", key=_by_address,
                                  rate=settings.SELF_SERVICE_RATE_LIMITS[action], increment=True)
    except Exception as error:  # noqa: BLE001 - any cache failure: fail open, and say so
        logger.warning("self-service rate limit skipped: the cache is unavailable (%s)", error)
        return True
