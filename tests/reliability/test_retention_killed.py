"""The retention task killed in the middle of a chunk (issue 17, "Done when"): the chunk it was
erasing rolls back as a whole (its rows and the run's counts together), the chunks before it stay
done and counted, and the next run finishes the rest: every aged row erased exactly once, none
missed, every report figure the same.

The task runs in a child process (tests/reliability/retention_child.py) against this test's
PostgreSQL database and SIGKILLs itself after an UPDATE, before the chunk commits.
"""

import json
import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone

from contacts.models import Contact, Customer
from core.models import AuditEvent, RetentionRun
from core.personal_data import REDACTED
from reporting import selectors as reporting
from tests.factories import ContactFactory, CustomerFactory, ServiceFactory
from tests.reliability.servers import ROOT, child_env, database_url_for_children, postgres_only_reason, python

pytestmark = [
    pytest.mark.skipif(postgres_only_reason() is not None, reason=postgres_only_reason() or ""),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CUSTOMERS = 30
CONTACTS_EACH = 20
CHUNK = 50


def _retention(kill_at: int = 0) -> subprocess.CompletedProcess:
    return subprocess.run(
        [python(), str(ROOT / "tests" / "reliability" / "retention_child.py")], cwd=ROOT,
        env=child_env(DATABASE_URL=database_url_for_children(), RETENTION_CHUNK=CHUNK,
                      KILL_AT_UPDATE=kill_at, REDIS_URL=""),
        capture_output=True, text=True, timeout=300)


@pytest.fixture
def aged_history():
    """CUSTOMERS customers with CONTACTS_EACH contacts each, closed eight years ago, plus one
    recent contact of someone else: 600 contacts and 30 customers past retention."""
    service = ServiceFactory()
    old = timezone.now() - timedelta(days=8 * 365)
    for index in range(CUSTOMERS):
        customer = CustomerFactory(created_at=old)
        for day in range(CONTACTS_EACH):
            received = old - timedelta(days=day)
            ContactFactory(customer=customer, service=service, enquiry_type=None, received_at=received,
                           enquiry_closed_at=received, summary=f"Customer {index} contact {day}",
                           channel=("telephone", "email", "web")[day % 3],
                           resolved_at_first_contact=day % 2 == 0)
    recent = ContactFactory(service=service, enquiry_type=None, summary="Recent",
                            enquiry_closed_at=timezone.now())
    return recent


def test_killed_mid_chunk_the_next_run_finishes_with_nothing_twice_and_nothing_missed(aged_history):
    aged = CUSTOMERS * CONTACTS_EACH
    before = (reporting.summary_counts(), reporting.raw_counts())

    killed = _retention(kill_at=5)
    assert killed.returncode == -9, killed.stderr[-2000:]
    # Four chunks committed; the fifth was erased but never committed, so it is not there.
    erased = Contact.objects.filter(summary=REDACTED).count()
    assert erased == 4 * CHUNK
    [run] = RetentionRun.objects.all()
    assert run.finished_at is None and run.counts == {"contacts.contact": erased}
    assert not Customer.objects.filter(anonymised_at__isnull=False).exists()
    assert not AuditEvent.objects.filter(action="retention_run").exists()

    finished = _retention()
    assert finished.returncode == 0, finished.stderr[-2000:]
    counts = json.loads(finished.stdout)
    # Every aged contact erased exactly once across the two runs; the customers once all theirs
    # had gone; the recent contact untouched.
    assert counts == {"contacts.contact": aged - erased, "contacts.customer": CUSTOMERS}
    assert Contact.objects.filter(summary=REDACTED).count() == aged
    aged_history.refresh_from_db()
    assert aged_history.summary == "Recent"
    assert Customer.objects.filter(anonymised_at__isnull=False).count() == CUSTOMERS
    assert (reporting.summary_counts(), reporting.raw_counts()) == before
    assert reporting.summary_mismatches() == []
    assert AuditEvent.objects.filter(action="retention_run").count() == 1

    # And a third run has nothing left to do.
    again = _retention()
    assert json.loads(again.stdout) == {}
