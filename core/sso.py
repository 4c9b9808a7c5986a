"""Single sign-on with the council's identity provider: OpenID Connect (issue 21).

The protocol is Authlib's (its Django client): discovery from OIDC_ISSUER, the authorization code
flow with PKCE (S256), `state` and `nonce` kept in the session and checked on the way back, and
the ID token's signature (the provider's published keys), issuer, audience, expiry and nonce
verified before any claim is read. What the verified claims do to the account is
core.directory's. With no OIDC_ISSUER none of this is reachable and sign-in is local only.
"""

import logging
import threading
from dataclasses import dataclass

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.django_client import DjangoOAuth2App, OAuth
from django.conf import settings
from joserfc.errors import JoseError

logger = logging.getLogger(__name__)

# The session keys of a single sign-on: where to go afterwards, and the ID token, which the
# provider wants back as `id_token_hint` when the person signs out.
NEXT_SESSION_KEY = "sso_next"
ID_TOKEN_SESSION_KEY = "sso_id_token"  # nosec B105 - a session key's name, not a secret
_TIMEOUT_SECONDS = 10
_clients: dict[tuple, DjangoOAuth2App] = {}
_clients_lock = threading.Lock()


class SignInFailed(Exception):
    """The provider's answer was refused or could not be had; `reason` picks the explanation."""

    CANCELLED = "cancelled"          # the person (or the provider) said no at the provider
    EXPIRED = "expired"              # no sign-in of this browser is waiting for this answer
    INVALID = "invalid"              # the answer failed a check (signature, issuer, audience, ...)
    UNAVAILABLE = "unavailable"      # the provider did not answer

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class VerifiedSignIn:
    claims: dict
    id_token: str


def sso_enabled() -> bool:
    return bool(settings.OIDC_ISSUER)


def _client() -> DjangoOAuth2App:
    """The OpenID Connect client for the configured provider (one per configuration, so that its
    discovery document and signing keys are fetched once, and again when a key is unknown)."""
    config = (settings.OIDC_ISSUER, settings.OIDC_CLIENT_ID, settings.OIDC_CLIENT_SECRET,
              settings.OIDC_SCOPES)
    with _clients_lock:
        client = _clients.get(config)
        if client is None:
            client = OAuth().register(
                name="council",
                client_id=settings.OIDC_CLIENT_ID,
                client_secret=settings.OIDC_CLIENT_SECRET,
                server_metadata_url=f"{settings.OIDC_ISSUER}/.well-known/openid-configuration",
                client_kwargs={"scope": settings.OIDC_SCOPES, "code_challenge_method": "S256",
                               "default_timeout": _TIMEOUT_SECONDS},
            )
            _clients[config] = client
    return client


def sign_in_redirect(request, *, redirect_uri: str):
    """Send the browser to the provider: a fresh state, nonce and PKCE verifier are kept in the
    session for the answer to be checked against."""
    try:
        return _client().authorize_redirect(request, redirect_uri)
    except (requests.RequestException, ValueError) as error:
        raise SignInFailed(SignInFailed.UNAVAILABLE, type(error).__name__) from error


def complete_sign_in(request) -> VerifiedSignIn:
    """Check the provider's answer on the callback and redeem the code (with the PKCE
    verifier). Returns the ID token's claims once its signature, issuer, audience, expiry and
    nonce have been verified; raises SignInFailed otherwise."""
    if request.GET.get("error"):
        raise SignInFailed(SignInFailed.CANCELLED, request.GET["error"][:100])
    client = _client()
    if client.framework.get_state_data(request.session, request.GET.get("state")) is None:
        raise SignInFailed(SignInFailed.EXPIRED)
    if not request.GET.get("code"):
        raise SignInFailed(SignInFailed.INVALID, "no code")
    try:
        token = client.authorize_access_token(request)
    except requests.RequestException as error:
        raise SignInFailed(SignInFailed.UNAVAILABLE, type(error).__name__) from error
    except (AuthlibBaseError, JoseError, ValueError) as error:
        # Which check failed goes to the log; the person sees one explanation.
        raise SignInFailed(SignInFailed.INVALID, f"{type(error).__name__}: {error}"[:300]) from error
    if "userinfo" not in token:
        raise SignInFailed(SignInFailed.INVALID, "no ID token")
    return VerifiedSignIn(claims=dict(token["userinfo"]), id_token=token["id_token"])


def end_session_url(*, id_token: str | None, post_logout_redirect_uri: str) -> str | None:
    """Where to send the browser so the provider ends its session too (RP-initiated logout),
    or None when the provider offers no end-session endpoint or cannot be reached (the local
    session is ended either way)."""
    client = _client()
    try:
        if not client.load_server_metadata().get("end_session_endpoint"):
            return None
        return client.create_logout_url(
            post_logout_redirect_uri=post_logout_redirect_uri, id_token_hint=id_token,
            client_id=settings.OIDC_CLIENT_ID)["url"]
    except (requests.RequestException, ValueError) as error:
        logger.warning("Could not reach the identity provider to end its session (%s)",
                       type(error).__name__)
        return None
