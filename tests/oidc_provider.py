"""A real OpenID Connect provider for the tests, on a local port.

It is oidc-provider-mock (a Flask app built on Authlib's authorization server: discovery, JWKS,
RS256-signed ID tokens with the nonce, client registration, the sign-in page, end_session),
extended through its Flask app's request hooks with what the tests need and it lacks:

- **PKCE** (RFC 7636): an authorization request without an S256 `code_challenge` is refused, and
  the token request's `code_verifier` must match the challenge of its code (Authlib's
  `create_s256_code_challenge`), or the code is refused with `invalid_grant`;
- **a record** of what the relying party sent: authorization requests, token requests, refusals
  and end-session calls, for the tests to check;
- **misbehaviour on demand** (`provider.next_id_token = Fault.EXPIRED`): the next ID token is
  tampered with after signing, signed by a key the provider never published, or re-signed with
  the provider's own key but expired, for another audience, with another nonce or from another
  issuer: the attacks and mistakes a relying party must refuse.

Nothing in the relying party (core/sso.py, Authlib's client) is replaced: it talks HTTP to this
server as it would to Microsoft Entra ID.
"""

import base64
import json
import threading
import time
from dataclasses import dataclass, field
from enum import Enum
from urllib.parse import parse_qs, quote, urlsplit

import flask
import oidc_provider_mock
import requests
import werkzeug.serving
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.jwk import RSAKey


class Fault(Enum):
    TAMPERED = "tampered"            # a claim changed after signing (the signature no longer fits)
    FOREIGN_KEY = "foreign_key"      # signed by a key the provider never published (same key id, if any)
    EXPIRED = "expired"              # validly signed, but its time ran out an hour ago
    WRONG_AUDIENCE = "wrong_audience"  # validly signed, but issued to another application
    WRONG_NONCE = "wrong_nonce"      # validly signed, but for another sign-in (a replay)
    WRONG_ISSUER = "wrong_issuer"    # validly signed, but naming another issuer


@dataclass
class Record:
    authorizations: list[dict] = field(default_factory=list)
    token_requests: list[dict] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    end_sessions: list[dict] = field(default_factory=list)
    id_tokens: list[str] = field(default_factory=list)


class _QuietRequestHandler(werkzeug.serving.WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


class Provider:
    """The running provider: `issuer`, and helpers to set people up and register clients."""

    def __init__(self):
        self.record = Record()
        self.next_id_token: Fault | None = None
        self._challenges: dict[str, tuple[str, str]] = {}
        self._lock = threading.Lock()
        self.app = self._make_app()
        self._server = werkzeug.serving.make_server("localhost", 0, self.app, threaded=True,
                                                    request_handler=_QuietRequestHandler)
        self.issuer = f"http://localhost:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        daemon=True)

    # --- the server -------------------------------------------------------------------------

    def start(self) -> "Provider":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def reset(self) -> None:
        with self._lock:
            self.record = Record()
            self.next_id_token = None

    def _make_app(self) -> flask.Flask:
        app = oidc_provider_mock.app(require_client_registration=True, require_nonce=True,
                                     issue_refresh_token=False)
        app.before_request(self._require_pkce)
        app.after_request(self._after)
        return app

    def _require_pkce(self):
        request = flask.request
        if request.endpoint == "oidc-provider-mock.authorize":
            self.record.authorizations.append(request.args.to_dict())
            if not request.args.get("code_challenge") or request.args.get("code_challenge_method") != "S256":
                self.record.refusals.append("authorization without an S256 code challenge")
                return "PKCE (S256) is required", 400
        if request.endpoint == "oidc-provider-mock.issue_token":
            form = request.form.to_dict()
            self.record.token_requests.append(form)
            challenge = self._challenges.pop(form.get("code", ""), None)
            verifier = form.get("code_verifier") or ""
            if challenge is None or create_s256_code_challenge(verifier) != challenge[0]:
                self.record.refusals.append("code_verifier does not match the code challenge")
                return flask.jsonify(error="invalid_grant", error_description="PKCE verification failed"), 400
        if request.endpoint == "oidc-provider-mock.end_session":
            self.record.end_sessions.append(request.values.to_dict())
        return None

    def _after(self, response: flask.Response) -> flask.Response:
        request = flask.request
        if request.endpoint == "oidc-provider-mock.authorize" and response.status_code == 302:
            code = parse_qs(urlsplit(response.headers["Location"]).query).get("code", [None])[0]
            if code:
                self._challenges[code] = (request.args["code_challenge"],
                                          request.args["code_challenge_method"])
        if request.endpoint == "oidc-provider-mock.issue_token" and response.status_code == 200:
            body = response.get_json()
            with self._lock:
                fault, self.next_id_token = self.next_id_token, None
            if fault is not None:
                body["id_token"] = self._misbehave(body["id_token"], fault)
                response.set_data(json.dumps(body))
            self.record.id_tokens.append(body["id_token"])
        return response

    def _misbehave(self, id_token: str, fault: Fault) -> str:
        key = RSAKey.import_key(flask.g.oidc_provider_mock_storage.jwk.as_dict(is_private=True))
        token = jwt.decode(id_token, key)
        header, claims = dict(token.header), dict(token.claims)
        if fault is Fault.TAMPERED:
            # Someone on the way makes themselves an administrator; the signature stays the same.
            head, _, signature = id_token.split(".")
            claims["roles"] = [*claims.get("roles", []), "admin"]
            payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
            return f"{head}.{payload}.{signature}"
        if fault is Fault.FOREIGN_KEY:
            kid = {"kid": header["kid"]} if "kid" in header else None
            return jwt.encode(header, claims, RSAKey.generate_key(2048, parameters=kid))
        now = int(time.time())
        changes = {
            Fault.EXPIRED: {"iat": now - 7200, "exp": now - 3600, "auth_time": now - 7200},
            Fault.WRONG_AUDIENCE: {"aud": "another-application"},
            Fault.WRONG_NONCE: {"nonce": "the-nonce-of-another-sign-in"},
            Fault.WRONG_ISSUER: {"iss": "https://impostor.example"},
        }[fault]
        return jwt.encode(header, {**claims, **changes}, key)

    # --- helpers for the tests ------------------------------------------------------------

    def register_client(self, *redirect_uris: str) -> tuple[str, str]:
        """Dynamic client registration: (client_id, client_secret) for these redirect URIs."""
        response = requests.post(f"{self.issuer}/oauth2/clients", timeout=10,
                                 json={"redirect_uris": list(redirect_uris)})
        response.raise_for_status()
        body = response.json()
        return body["client_id"], body["client_secret"]

    def set_person(self, sub: str, **claims) -> None:
        """The person `sub` in the directory, with these claims (in the ID token and userinfo)."""
        response = requests.put(f"{self.issuer}/users/{quote(sub, safe='')}", json=claims, timeout=10)
        assert response.status_code == 204, response.text

    def authorize(self, authorization_url: str, sub: str, *, deny: bool = False) -> str:
        """What the person does on the provider's sign-in page; returns where the provider sends
        the browser back to (the relying party's callback, with the code or an error)."""
        data = {"action": "deny"} if deny else {"sub": sub}
        response = requests.post(authorization_url, data=data, allow_redirects=False, timeout=10)
        assert response.status_code == 302, response.text[:500]
        return response.headers["Location"]
