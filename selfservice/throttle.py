"""Per-address rate limits for the public forms (issue 10, "protect the public forms from
abuse"), counted in the shared cache (Redis in production) in fixed one-hour windows.

Only real attempts count (a submission, a well-formed progress lookup), so a resident who makes
typing mistakes is not locked out. Limits are settings a council may tune.
"""

import time

from django.conf import settings
from django.core.cache import cache

WINDOW_SECONDS = 3600
DEFAULT_LIMITS = {"submit": 10, "progress": 20}


def client_address(request) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is set by the client unless a trusted proxy rewrites it.
    return request.META.get("REMOTE_ADDR") or "unknown"


def allow(request, action: str) -> bool:
    """Count one attempt at `action` from this address; False once over the hour's limit."""
    limits = {**DEFAULT_LIMITS, **getattr(settings, "SELF_SERVICE_RATE_LIMITS", {})}
    window = int(time.time() // WINDOW_SECONDS)
    key = f"selfservice:rate:{action}:{client_address(request)}:{window}"
    cache.add(key, 0, timeout=WINDOW_SECONDS + 60)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS + 60)
        count = 1
    return count <= limits[action]
