"""API authentication: `Authorization: Token <key>` against hashed keys (API.md, "Auth")."""

import logging
import uuid

from django.contrib.auth.models import Group
from django.core.cache import cache as default_cache
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.db.models import OuterRef
from django.utils import timezone
from rest_framework import authentication, exceptions, throttling

from core.client_address import client_ip
from core.compiled_query import CompiledQuery
from core.models import ApiToken
from core.roles import remember_role_codes
from core.services import hash_api_key

logger = logging.getLogger(__name__)

# last_used_at is informative only: write it at most once a minute per key, not per request.
_LAST_USED_RESOLUTION_SECONDS = 60


def _token_query(key_hash: str):
    """The key of this hash with its user; on PostgreSQL also the user's role codes, in the same
    statement, so the permission checks need no query of their own (core.roles.role_codes)."""
    tokens = ApiToken.objects.select_related("user").filter(key_hash=key_hash)
    if connection.vendor == "postgresql":
        from django.contrib.postgres.expressions import ArraySubquery

        tokens = tokens.annotate(group_names=ArraySubquery(
            Group.objects.filter(user=OuterRef("user_id")).values("name")))
    return tokens[:1]


# Compiled to SQL once per process (core.compiled_query): every API request runs it.
_TOKEN = CompiledQuery(_token_query, "sample-key-hash")


class HashedTokenAuthentication(authentication.TokenAuthentication):
    keyword = "Token"

    def authenticate_credentials(self, key):
        token = _TOKEN.first(hash_api_key(key))
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed("Token revoked.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        group_names = getattr(token, "group_names", None)
        if group_names is not None:
            remember_role_codes(token.user, group_names)
        now = timezone.now()
        if (
            token.last_used_at is None
            or (now - token.last_used_at).total_seconds() > _LAST_USED_RESOLUTION_SECONDS
        ):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token


# The sliding window of DRF's SimpleRateThrottle kept in a Redis sorted set, in one atomic round
# trip: drop what left the window, then admit and record the request if fewer than the limit are
# in it. Answers {admitted, requests in the window, the oldest one's time}.
_SLIDING_WINDOW = """
local key, now, window, limit = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
if count < limit then
  redis.call('ZADD', key, now, ARGV[4])
  redis.call('EXPIRE', key, math.ceil(window))
  return {1, count + 1, ''}
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return {0, count, oldest[2] or ''}
"""


# One redis-py client per connection pool of the cache, made on first use in each process: the
# cache backend makes a new client for every call, and a client's construction (its table of
# response callbacks) was a tenth of the throttle's cost per request (issue 23).
_REDIS_CLIENTS: dict = {}


def _redis_client(backend):
    cache_client = backend._cache
    pool = cache_client._get_connection_pool(True)  # the pool get_client(write=True) uses
    client = _REDIS_CLIENTS.get(pool)
    if client is None:
        client = _REDIS_CLIENTS.setdefault(pool, cache_client._client(connection_pool=pool))
    return client


class PerKeyRateThrottle(throttling.SimpleRateThrottle):
    """Throttle per API key (or per signed-in user, or per address when anonymous).

    With Redis as the cache (production) the window is a sorted set updated by one script call,
    instead of DRF's read of the whole history list, unpickling and writing it back (two round
    trips and up to a rate's worth of timestamps copied on every request). Other caches (tests,
    local use) keep DRF's implementation. Same rule either way: at most `num_requests` admitted in
    any `duration` seconds; refused requests are not counted."""

    scope = "per_key"
    _script = None  # the registered script (redis-py loads it again into a server that lost it)

    def allow_request(self, request, view):
        """The counts live in the cache (Redis in production). If Redis is down, serve the
        request unthrottled rather than fail it: losing the broker must not stop partners or
        advisers from logging contacts (issue 8, "Faults")."""
        try:
            backend = caches["default"] if self.cache is default_cache else self.cache
            if isinstance(backend, RedisCache) and self.rate is not None:
                return self._allow_in_redis(backend, request, view)
            return super().allow_request(request, view)
        except Exception as error:  # noqa: BLE001 - any cache failure: fail open, and say so
            logger.warning("API throttle skipped: the cache is unavailable (%s)", error)
            return True

    def _allow_in_redis(self, backend, request, view):
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        # Its own key: a sorted set, not the pickled list DRF's implementation keeps.
        key = backend.make_and_validate_key(f"{self.key}:window")
        client = _redis_client(backend)
        if PerKeyRateThrottle._script is None:
            PerKeyRateThrottle._script = client.register_script(_SLIDING_WINDOW)
        self.now = self.timer()
        admitted, count, oldest = PerKeyRateThrottle._script(
            keys=[key], args=[repr(self.now), self.duration, self.num_requests, uuid.uuid4().hex],
            client=client)
        if admitted:
            return True
        # For DRF's wait() (Retry-After), which reads only the history's length and oldest entry.
        self.history = [float(oldest) if oldest else self.now] * int(count)
        return False

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"key-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = client_ip(request) or "unknown"  # behind the proxy, the caller's own address
        return self.cache_format % {"scope": self.scope, "ident": ident}
