"""seed_demo, the audit trail's guard, the outbox through the broker, settings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, transaction

from contacts.models import Customer
from core.models import AuditEvent, EnquiryType, OutboundMessage, Service, Team, User
from core.roles import Role, has_role
from core.services import audit_record

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_makes_one_user_per_role():
    call_command("seed_demo", "--password", "pw-for-test-1", "--days", "3")
    counts = (Service.objects.count(), EnquiryType.objects.count(), Team.objects.count(),
              User.objects.count())
    call_command("seed_demo", "--password", "pw-for-test-1", "--days", "3")
    assert counts == (Service.objects.count(), EnquiryType.objects.count(),
                      Team.objects.count(), User.objects.count())
    assert counts[0] >= 10
    for role in [r for r in Role if r != Role.PARTNER]:
        user = User.objects.get(username=role)
        assert has_role(user, role)
        assert user.check_password("pw-for-test-1")
    assert User.objects.get(username="admin").is_superuser


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="the database guard is PostgreSQL's (SQLite is for local use only)",
)
def test_audit_trail_is_append_only_in_the_database():
    event = audit_record(actor=None, action="test", target=Service.objects.create(code="x", name="X"))
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="tampered")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "test"


def _run(*args, env_overrides):
    dropped = {"DEBUG", "SECURE_HTTPS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = _run(
        "check", "--deploy", "--fail-level", "WARNING",
        env_overrides={
            "SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
            "ALLOWED_HOSTS": "crm.council.example",
            "SECURE_HTTPS": "true",
            "DEBUG": "false",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_settings_refuse_to_start_without_a_secret_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    # Run from a copy-less cwd so the project's .env is not read: point at a settings module
    # after removing the key from the environment and hiding .env via a temporary HOME.
    code = (
        "import os, environ; environ.Env.read_env = staticmethod(lambda *a, **k: None);"
        "os.environ['DJANGO_SETTINGS_MODULE']='config.settings';"
        "import django; django.setup()"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL (CI runs with Redis)")
def test_a_task_goes_through_the_real_redis_broker_to_a_worker():
    from celery.contrib.testing.worker import start_worker

    from config.celery import app
    from core.tasks import drain_outbox

    OutboundMessage.objects.create(
        dedupe_key="broker-test", created_at="2026-01-01T00:00:00Z", to_email="x@y.example",
        subject="s", body="b", next_attempt_at="2026-01-01T00:00:00Z",
    )
    app.control.purge()  # wake-ups other tests left in the queue would drain it first
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        result = drain_outbox.delay()
        assert result.get(timeout=30) == {"sent": 1, "retry": 0, "failed": 0}
    assert OutboundMessage.objects.get(dedupe_key="broker-test").sent_at is not None
    assert Customer.objects.count() == 0  # the worker used the same real database


def test_collectstatic_succeeds_with_the_production_storage(tmp_path):
    # make run and the Docker image both collect static files into the hashed manifest storage,
    # which fails on any file that references a missing one (such as a source map).
    result = _run(
        "collectstatic", "--noinput", "-v", "0",
        env_overrides={"STATIC_ROOT": str(tmp_path), "SECURE_HTTPS": "false"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "staticfiles.json").exists()
    assert (tmp_path / "css").is_dir()
