"""The documented backup (make backup) restores into a fresh database with the same counts."""

import os
import subprocess
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from contacts.models import Customer
from core.models import AuditEvent, Service, User
from core.services import audit_record
from tests.factories import ContactFactory

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="backups are pg_dump based (PostgreSQL)",
)

TABLES = ["core_user", "core_service", "core_enquirytype", "contacts_customer",
          "contacts_contact", "core_auditevent", "auth_group"]


def _url(name: str) -> str:
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgresql://{db['USER']}{password}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{name}"


def _counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}  # noqa: S608


@pytest.mark.django_db(transaction=True)
def test_backup_restores_into_a_fresh_database_with_the_same_counts(tmp_path):
    call_command("seed_demo", "--days", "2", "--password", "pw-for-backup-1")
    ContactFactory.create_batch(5)
    audit_record(actor=None, action="created", target=Service.objects.first())
    assert Customer.objects.exists() and Service.objects.exists() and User.objects.exists()
    assert AuditEvent.objects.exists()
    source = _url(connection.settings_dict["NAME"])
    restored_name = f"{connection.settings_dict['NAME']}_restored"
    admin = _url("postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{restored_name}"')
        conn.execute(f'CREATE DATABASE "{restored_name}"')
    dump = tmp_path / "nwd.dump"
    env = {**os.environ, "DATABASE_URL": source}
    try:
        subprocess.run(["make", "-s", "backup", f"BACKUP_FILE={dump}"], cwd=ROOT, env=env, check=True,
                       capture_output=True, timeout=300)
        assert dump.stat().st_size > 0
        env["DATABASE_URL"] = _url(restored_name)
        subprocess.run(["make", "-s", "restore", f"BACKUP_FILE={dump}"], cwd=ROOT, env=env,
                       check=True, capture_output=True, timeout=300)
        assert _counts(_url(restored_name)) == _counts(source)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{restored_name}" WITH (FORCE)')
