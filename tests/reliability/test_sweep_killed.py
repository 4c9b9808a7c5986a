"""A worker killed in the middle of a sweep (issue 8, "Faults"): the chunk it was working on rolls
back as a whole (its flags, timeline entries, audit rows and outbox messages together), the
chunks before it stay done, and the next sweep finishes the rest: exactly one reminder and one
overdue notice per hand-off, however the work was cut.

The sweep runs in a child process (tests/reliability/sweep_child.py) against this test's
PostgreSQL database and SIGKILLs itself after storing the n-th message, mid-transaction.
"""

import json
import signal
import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import AuditEvent, OutboundMessage
from handoffs.models import Handoff, HandoffUpdate
from tests.handoffs.factories import FAF, open_handoff, team_with_lead
from tests.reliability.servers import ROOT, child_env, database_url_for_children, postgres_only_reason, python

pytestmark = [
    pytest.mark.skipif(postgres_only_reason() is not None, reason=postgres_only_reason() or ""),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

HANDOFFS = 30
CHUNK = 10


def _sweep(today, kill_at: int = 0) -> subprocess.CompletedProcess:
    return subprocess.run(
        [python(), str(ROOT / "tests" / "reliability" / "sweep_child.py")], cwd=ROOT,
        env=child_env(DATABASE_URL=database_url_for_children(), SWEEP_CHUNK=CHUNK,
                      KILL_AT_MESSAGE=kill_at, SWEEP_TODAY=today.isoformat(), REDIS_URL=""),
        capture_output=True, text=True, timeout=180)


def _state():
    """Per hand-off: (reminded, overdue, reminder entries, overdue entries, reminder messages,
    overdue messages, reminder audits, overdue audits)."""
    rows = {}
    for handoff in Handoff.objects.order_by("pk"):
        prefix = f"handoff:{handoff.pk}:"
        audits = AuditEvent.objects.filter(object_type="handoffs.handoff", object_id=str(handoff.pk))
        rows[handoff.pk] = (
            handoff.reminded_at is not None,
            handoff.overdue_at is not None,
            handoff.updates.filter(kind=HandoffUpdate.Kind.REMINDER).count(),
            handoff.updates.filter(kind=HandoffUpdate.Kind.OVERDUE).count(),
            OutboundMessage.objects.filter(dedupe_key__startswith=prefix + "reminder:").count(),
            OutboundMessage.objects.filter(dedupe_key__startswith=prefix + "overdue:").count(),
            audits.filter(action="handoff_reminded").count(),
            audits.filter(action="handoff_marked_overdue").count(),
        )
    return rows


def _consistent(state) -> None:
    """No half-done hand-off: each step is all there (flag, entry, message, audit) or not at all."""
    for pk, (reminded, overdue, *counts) in state.items():
        r_entry, o_entry, r_msg, o_msg, r_audit, o_audit = counts
        assert (r_entry, r_msg, r_audit) == ((1, 1, 1) if reminded else (0, 0, 0)), pk
        assert (o_entry, o_msg, o_audit) == ((1, 1, 1) if overdue else (0, 0, 0)), pk


@pytest.fixture
def overdue_handoffs():
    """HANDOFFS Fire and Forget hand-offs received three weeks ago, 5 working days each: all
    past due, none reminded or marked yet (the sweep has been down)."""
    team = team_with_lead()
    received = timezone.now() - timedelta(days=21)
    for _ in range(HANDOFFS):
        open_handoff(method=FAF, team=team, received_at=received)
    today = timezone.localdate()
    assert Handoff.objects.filter(due_date__lt=today).count() == HANDOFFS
    return today


# Kill points: in the 2nd reminder chunk, and in the 2nd chunk of overdue notices.
@pytest.mark.parametrize("kill_at", [CHUNK + 5, HANDOFFS + CHUNK + 5])
def test_a_sweep_killed_mid_chunk_leaves_no_half_done_state_and_no_duplicates(overdue_handoffs, kill_at):
    today = overdue_handoffs
    killed = _sweep(today, kill_at=kill_at)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-3000:]
    state = _state()
    _consistent(state)
    reminded = sum(row[0] for row in state.values())
    overdue = sum(row[1] for row in state.values())
    # Whole chunks only: everything before the chunk that was cut, nothing of that chunk.
    if kill_at <= HANDOFFS:
        assert (reminded, overdue) == (CHUNK * ((kill_at - 1) // CHUNK), 0)
    else:
        assert (reminded, overdue) == (HANDOFFS, CHUNK * ((kill_at - HANDOFFS - 1) // CHUNK))

    finished = _sweep(today)
    assert finished.returncode == 0, finished.stderr[-3000:]
    counts = json.loads(finished.stdout.strip().splitlines()[-1])
    assert counts["reminders"] == HANDOFFS - reminded
    assert counts["overdue"] == HANDOFFS - overdue
    state = _state()
    _consistent(state)
    assert all(row[:2] == (True, True) for row in state.values())

    again = _sweep(today)
    assert json.loads(again.stdout.strip().splitlines()[-1]) == {
        "reminders": 0, "overdue": 0, "notices": 0, "triage_alerts": 0}
    assert _state() == state
    # A reminder and an overdue notice each, and (nobody accepted them) one triage alert each.
    assert OutboundMessage.objects.count() == 3 * HANDOFFS
    assert OutboundMessage.objects.filter(dedupe_key__contains=":triage:").count() == HANDOFFS
