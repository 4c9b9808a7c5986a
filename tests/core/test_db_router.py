"""DATABASE_REPLICA_URL: the reports read from the replica, everything else from the primary."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from contacts.models import Contact
from core.db_router import ReplicaRouter, replica_reads
from reporting.models import ContactDailySummary

ROOT = Path(__file__).resolve().parents[2]


def test_router_is_silent_without_a_replica():
    router = ReplicaRouter()
    assert router.db_for_read(ContactDailySummary) is None
    with replica_reads():
        assert router.db_for_read(Contact) is None


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_router_sends_report_reads_to_the_replica(settings):
    settings.DATABASES = {**settings.DATABASES, "replica": dict(settings.DATABASES["default"])}
    router = ReplicaRouter()
    assert router.db_for_read(ContactDailySummary) == "replica"
    assert router.db_for_read(Contact) is None
    with replica_reads():
        assert router.db_for_read(Contact) == "replica"
    assert router.db_for_read(Contact) is None
    assert router.db_for_write(ContactDailySummary) == "default"
    assert router.allow_migrate("default", "reporting") is True
    assert router.allow_migrate("replica", "reporting") is False


SCRIPT = """
from django.conf import settings
from django.db import connections
from django.test.utils import CaptureQueriesContext
from contacts.models import Contact
from core.db_router import replica_reads
from reporting.models import ContactDailySummary

assert settings.DATABASE_ROUTERS == ["core.db_router.ReplicaRouter"], settings.DATABASE_ROUTERS
with CaptureQueriesContext(connections["replica"]) as on_replica, \\
        CaptureQueriesContext(connections["default"]) as on_primary:
    summary = list(ContactDailySummary.objects.all())
    contacts = Contact.objects.count()
    with replica_reads():
        drill_down = Contact.objects.count()
print(len(on_replica), len(on_primary), summary == [], contacts, drill_down)
"""


def test_settings_add_the_replica_and_queries_go_there(tmp_path):
    database = f"sqlite:///{tmp_path / 'primary.sqlite3'}"
    env = {**os.environ, "DATABASE_URL": database, "DATABASE_REPLICA_URL": database,
           "SECURE_HTTPS": "false"}
    env.pop("REDIS_URL", None)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    out = subprocess.run([sys.executable, "manage.py", "shell", "-v0", "-c", SCRIPT], cwd=ROOT, env=env,
                         check=True, capture_output=True, text=True).stdout.split()
    # The summary rows and the drill-down were read from the replica, the plain count from the primary.
    assert out == ["2", "1", "True", "0", "0"]
