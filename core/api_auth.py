"""API authentication: `Authorization: Token <key>` against hashed keys (API.md, "Auth")."""

import logging

from django.utils import timezone
from rest_framework import authentication, exceptions, throttling

from core.models import ApiToken
from core.services import hash_api_key

logger = logging.getLogger(__name__)

# last_used_at is informative only: write it at most once a minute per key, not per request.
_LAST_USED_RESOLUTION_SECONDS = 60


class HashedTokenAuthentication(authentication.TokenAuthentication):
    keyword = "Token"

    def authenticate_credentials(self, key):
        try:
            token = ApiToken.objects.select_related("user").get(key_hash=hash_api_key(key))
        except ApiToken.DoesNotExist:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed("Token revoked.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        now = timezone.now()
        if (
            token.last_used_at is None
            or (now - token.last_used_at).total_seconds() > _LAST_USED_RESOLUTION_SECONDS
        ):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token


class PerKeyRateThrottle(throttling.SimpleRateThrottle):
    """Throttle per API key (or per signed-in user, or per address when anonymous)."""

    scope = "per_key"

    def allow_request(self, request, view):
        """The counts live in the cache (Redis in production). If Redis is down, serve the
        request unthrottled rather than fail it: losing the broker must not stop partners or
        advisers from logging contacts (issue 8, "Faults")."""
        try:
            return super().allow_request(request, view)
        except Exception as error:  # noqa: BLE001 - any cache failure: fail open, and say so
            logger.warning("API throttle skipped: the cache is unavailable (%s)", error)
            return True

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"key-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
