"""Hardening as tests (issue 8, "Hardening"): the production settings' headers and cookies, the
password rules, session expiry, API throttling per key and personal data kept out of the logs.
(`check --deploy` is tests/core; login lockout is tests/core/test_audit_and_login_security.py.)"""

import io
import json
import logging
import os
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone

from config.logging import JsonFormatter, mask_personal_data
from core.api_auth import PerKeyRateThrottle
from core.roles import Role

ROOT = Path(__file__).resolve().parents[2]

_PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
client = Client()
secure = client.get("/login/", secure=True)
plain = client.get("/login/")
cookie = secure.cookies.get(settings.CSRF_COOKIE_NAME)
print(json.dumps({
    "settings": {name: getattr(settings, name) for name in (
        "DEBUG", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "CSRF_COOKIE_SECURE",
        "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SESSION_COOKIE_AGE", "SESSION_EXPIRE_AT_BROWSER_CLOSE", "X_FRAME_OPTIONS")},
    "status": secure.status_code,
    "headers": dict(secure.headers),
    "csrf_cookie_secure": bool(cookie and cookie["secure"]),
    "plain_status": plain.status_code,
    "plain_location": plain.headers.get("Location", ""),
}))
"""


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    """The app as deployed: DEBUG off, HTTPS on, static files collected (the manifest storage
    needs them); read in a fresh process, since settings are read from the environment once."""
    env = {**os.environ, "DEBUG": "false", "SECURE_HTTPS": "true", "ALLOWED_HOSTS": "testserver",
           "SECRET_KEY": secrets.token_urlsafe(50), "DJANGO_SETTINGS_MODULE": "config.settings",
           "STATIC_ROOT": str(tmp_path_factory.mktemp("static"))}
    env.pop("SECURE_HSTS_SECONDS", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT,
                   env=env, capture_output=True, text=True, timeout=300, check=True)
    result = subprocess.run([sys.executable, "-c", _PROBE], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_cookies_are_secure_and_http_only(production):
    values = production["settings"]
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SESSION_COOKIE_HTTPONLY"]
    assert production["csrf_cookie_secure"]
    assert values["DEBUG"] is False


def test_production_sends_hsts_csp_and_frame_headers(production):
    headers = {k.lower(): v for k, v in production["headers"].items()}
    assert production["status"] == 200
    assert headers["strict-transport-security"].startswith("max-age=31536000")
    assert "includeSubDomains" in headers["strict-transport-security"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    csp = headers["content-security-policy"]
    for directive in ("default-src 'self'", "frame-ancestors 'none'", "object-src 'none'",
                      "base-uri 'self'"):
        assert directive in csp
    assert "unsafe-inline" not in csp and "nonce-" in csp


def test_production_redirects_plain_http_to_https(production):
    assert production["plain_status"] == 301
    assert production["plain_location"].startswith("https://")


def test_every_page_response_carries_csp_and_frame_denial(client_for):
    response = client_for(Role.ADVISER).get("/contacts/log/")
    assert response.status_code == 200
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("password", ["short1A!", "password1234", "123456789012", "Ada Lovelace1815"])
def test_weak_passwords_are_refused(django_user_model, password):
    user = django_user_model(username="ada", first_name="Ada", last_name="Lovelace1815")
    with pytest.raises(ValidationError):
        validate_password(password, user)


def test_a_long_uncommon_password_is_accepted(django_user_model):
    validate_password("tangerine-octopus-harbour-47", django_user_model(username="ada"))


def test_sessions_expire_after_a_working_day_and_at_browser_close(client_for):
    assert settings.SESSION_COOKIE_AGE <= 8 * 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    client = client_for(Role.ADVISER)
    start = timezone.now()
    with time_machine.travel(start + timedelta(hours=7), tick=False):
        assert client.get("/contacts/log/").status_code == 200
    with time_machine.travel(start + timedelta(seconds=settings.SESSION_COOKIE_AGE + 60), tick=False):
        response = client.get("/contacts/log/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_api_is_throttled_per_key(api_client_for, monkeypatch):
    """Each key has its own allowance: one key over the limit gets 429 with Retry-After while
    another key carries on."""
    monkeypatch.setattr(PerKeyRateThrottle, "THROTTLE_RATES", {"per_key": "3/min"})
    cache.clear()
    first, second = api_client_for(Role.ADVISER), api_client_for(Role.ADVISER)
    answers = [first.get("/api/v1/services/").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    refused = first.get("/api/v1/services/")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert second.get("/api/v1/services/").status_code == 200
    cache.clear()


def test_default_api_rate_is_set_per_key():
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] == ["core.api_auth.PerKeyRateThrottle"]
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["per_key"]


# --- Personal data kept out of the logs --------------------------------------------------------


def _log_line(message, *args, exc=False, **extra) -> dict:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("tests.security.masking")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        if exc:
            try:
                raise ValueError("could not send to ada.lovelace@example.com")
            except ValueError:
                logger.exception(message, *args, extra=extra)
        else:
            logger.warning(message, *args, extra=extra)
    finally:
        logger.removeHandler(handler)
    return json.loads(stream.getvalue())


@pytest.mark.parametrize("text", [
    "ada.lovelace@example.com", "Ada+crm@council.gov.uk", "07700 900123", "07700900123",
    "+44 7700 900123", "0161-342-8355", "01613428355",
])
def test_emails_and_phone_numbers_are_masked(text):
    masked = mask_personal_data(f"caller {text} rang")
    assert text not in masked and ("[email]" in masked or "[phone]" in masked)


def test_json_log_lines_mask_message_arguments_extras_and_tracebacks():
    entry = _log_line("contact from %s (%s)", "ada@example.com", "07700 900123",
                      customer_email="ada@example.com", contact_id=42)
    assert entry["message"] == "contact from [email] ([phone])"
    assert entry["customer_email"] == "[email]" and entry["contact_id"] == 42
    assert entry["level"] == "WARNING" and entry["logger"] == "tests.security.masking"
    failed = _log_line("send failed", exc=True)
    assert "ada.lovelace@example.com" not in json.dumps(failed) and "[email]" in failed["exception"]


def test_figures_that_are_not_phone_numbers_survive():
    assert mask_personal_data("contact 123 took 45 ms, 2026-11-23") == "contact 123 took 45 ms, 2026-11-23"
