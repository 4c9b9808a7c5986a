"""A peer in the bench (issue 23): django-helpdesk's ticket-create API, served and loaded exactly
as `benchmarks.api_write` serves and loads ours (gunicorn, the same workers, the same clients,
loopback, the same PostgreSQL), so the two rates come from one run on one machine.

django-helpdesk is never a dependency of this project: it is installed from PyPI into its own
virtualenv under build/peer-venv (kept between runs), with a settings module written here at run
time into build/peer-site. Its database is `<bench database>_peer`, dropped and made again.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import venv
from pathlib import Path

from benchmarks.harness import ROOT, fresh_database

PEER_PACKAGE = "django-helpdesk==2.6.1"
PEER_VENV = ROOT / "build" / "peer-venv"
PEER_SITE = ROOT / "build" / "peer-site"
PEER_PATH = "/api/tickets/"

SETTINGS = """\
# Written by benchmarks/peer.py for the bench: django-helpdesk with what its API needs.
import os

SECRET_KEY = "bench-only-not-secret"  # nosec B105 - a throwaway bench site on loopback
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
    "django.contrib.sessions", "django.contrib.messages", "django.contrib.staticfiles",
    "django.contrib.sites", "django.contrib.humanize", "rest_framework",
    "rest_framework.authtoken", "helpdesk",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "peer_urls"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [], "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request", "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages"]},
}]
DATABASES = {"default": {
    "ENGINE": "django.db.backends.postgresql", "NAME": os.environ["PEER_DB_NAME"],
    "HOST": os.environ["PEER_DB_HOST"], "PORT": os.environ["PEER_DB_PORT"],
    "USER": os.environ["PEER_DB_USER"], "PASSWORD": os.environ["PEER_DB_PASSWORD"],
    # As ours is served by default: one persistent connection per process, checked per request.
    "CONN_MAX_AGE": 60, "CONN_HEALTH_CHECKS": True,
}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
SITE_ID = 1
USE_TZ = True
TIME_ZONE = "Europe/London"
STATIC_URL = "/static/"
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
LOGGING = {"version": 1, "disable_existing_loggers": False,
           "root": {"handlers": [], "level": "WARNING"}}
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
}
HELPDESK_API_ENABLED = True
HELPDESK_TEAMS_MODE_ENABLED = False  # teams need pinax-teams, an optional extra
"""

URLS = """\
from django.http import HttpResponse
from django.urls import include, path

urlpatterns = [
    path("healthz", lambda request: HttpResponse("ok")),
    path("", include("helpdesk.urls", namespace="helpdesk")),
]
"""

SETUP = """\
import django
django.setup()
from django.contrib.auth import get_user_model
from helpdesk.models import Queue
from rest_framework.authtoken.models import Token

user = get_user_model().objects.create_superuser("bench", "bench@example.org", "bench-only")
queue = Queue.objects.create(title="Waste", slug="waste", allow_public_submission=False)
print(Token.objects.create(user=user).key, queue.pk)
"""


def _python() -> Path:
    return PEER_VENV / "bin" / "python"


def install() -> None:
    """django-helpdesk (a pinned release), gunicorn and psycopg in their own virtualenv."""
    marker = PEER_VENV / f".installed-{PEER_PACKAGE}"
    if marker.exists():
        return
    venv.EnvBuilder(with_pip=True, clear=True).create(PEER_VENV)
    installed = subprocess.run([str(_python()), "-m", "pip", "install", "--quiet", PEER_PACKAGE,
                                "gunicorn>=23,<28", "psycopg[binary]>=3.2,<3.4"],
                               capture_output=True, text=True)
    if installed.returncode:
        raise RuntimeError(f"pip install {PEER_PACKAGE} failed: {installed.stderr[-500:]}")
    marker.touch()


def _environment(database_url: str) -> dict:
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(database_url)
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("DJANGO_", "PYTHON", "VIRTUAL_ENV"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "peer_settings", "PYTHONPATH": str(PEER_SITE),
        "PEER_DB_NAME": parts.path.lstrip("/"), "PEER_DB_HOST": parts.hostname or "127.0.0.1",
        "PEER_DB_PORT": str(parts.port or 5432), "PEER_DB_USER": unquote(parts.username or ""),
        "PEER_DB_PASSWORD": unquote(parts.password or ""),
    })
    return env


def prepare(database_url: str) -> tuple[dict, str, int]:
    """Install the peer, write its site, make its database. Returns (env, API key, queue id)."""
    install()
    PEER_SITE.mkdir(parents=True, exist_ok=True)
    (PEER_SITE / "peer_settings.py").write_text(SETTINGS)
    (PEER_SITE / "peer_urls.py").write_text(URLS)
    peer_url = fresh_database(database_url, _peer_database_name(database_url))
    env = _environment(peer_url)
    subprocess.run([str(_python()), "-m", "django", "migrate", "--noinput", "-v", "0"],
                   cwd=PEER_SITE, env=env, check=True, capture_output=True, text=True)
    out = subprocess.run([str(_python()), "-c", SETUP], cwd=PEER_SITE, env=env, check=True,
                         capture_output=True, text=True).stdout.split()
    return env, out[0], int(out[1])


def _peer_database_name(database_url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(database_url).path.lstrip("/") + "_peer"


def serve(env: dict, port: int, workers: int) -> subprocess.Popen:
    return subprocess.Popen(
        [str(_python()), "-m", "gunicorn", "django.core.wsgi:get_wsgi_application()", "--bind",
         f"127.0.0.1:{port}", "--workers", str(workers), "--log-level", "warning"],
        cwd=PEER_SITE, env=env, start_new_session=True)


def stop(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


def ticket_body(queue: int):
    def body(i: int) -> bytes:
        return json.dumps({
            "queue": queue,
            "title": f"Collection calendar (bench {i})",
            "description": f"Asked for the collection calendar (bench {i})",
            "priority": 3,
        }).encode()
    return body


def drop(database_url: str) -> None:
    from benchmarks.harness import psql_admin

    psql_admin(database_url, f'DROP DATABASE IF EXISTS "{_peer_database_name(database_url)}" WITH (FORCE)')


if __name__ == "__main__":  # python -m benchmarks.peer: install only
    install()
    print(f"installed {PEER_PACKAGE} in {PEER_VENV}")
    sys.exit(0)
