"""handoffs_enforce_deadlines: one reminder to the owner a working day before the due date, and
once it has passed one overdue mark with one notice to the team lead (and the advocate, for
Customer Advocate); however often, however concurrently and however late it runs."""

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import AuditEvent, OutboundMessage
from core.roles import Role
from core.services import outbox_drain
from handoffs import services
from handoffs.models import Handoff, HandoffUpdate
from handoffs.services import handoffs_enforce_deadlines
from handoffs.tasks import sweep_deadlines
from tests.concurrency import raised, run_at_once
from tests.handoffs.factories import CA, FAF, at, officer_in, open_handoff, team_with_lead, user_with


def _case(method=FAF, accepted=True):
    """Received Monday 9 January 2023, 5 working days: due Monday 16; reminder on Friday 13."""
    team = team_with_lead()
    officer = officer_in(team)
    with time_machine.travel(at("2023-01-09", 12), tick=False):
        handoff = open_handoff(method=method, team=team, received_at=at("2023-01-09", 9))
        if accepted:
            handoff = services.handoff_accept(handoff=handoff, actor=officer)
    assert handoff.due_date == date(2023, 1, 16)
    return handoff, officer, team.lead


def _sweep(day: str, hour: int = 7):
    with time_machine.travel(at(day, hour), tick=False):
        return handoffs_enforce_deadlines(today=date.fromisoformat(day))


def _messages(handoff, kind: str):
    return OutboundMessage.objects.filter(dedupe_key__startswith=f"handoff:{handoff.pk}:{kind}:")


@pytest.mark.django_db
def test_nothing_is_sent_before_the_reminder_day():
    handoff, _, _ = _case()
    _sweep("2023-01-12")
    assert not OutboundMessage.objects.exists()
    handoff.refresh_from_db()
    assert handoff.reminded_at is None


@pytest.mark.django_db
def test_assigned_officer_is_reminded_once_one_working_day_before():
    handoff, officer, _ = _case()
    for day in ("2023-01-13", "2023-01-13", "2023-01-16"):
        _sweep(day)
    assert [m.recipient_user for m in _messages(handoff, "reminder")] == [officer]
    handoff.refresh_from_db()
    assert handoff.reminded_at is not None and handoff.overdue_at is None
    assert handoff.updates.filter(kind=HandoffUpdate.Kind.REMINDER).count() == 1


@pytest.mark.django_db
def test_an_unaccepted_handoff_reminds_the_team_lead():
    handoff, _, lead = _case(accepted=False)
    _sweep("2023-01-13")
    assert [m.recipient_user for m in _messages(handoff, "reminder")] == [lead]


@pytest.mark.django_db
def test_reminder_day_counts_working_days_back_over_a_bank_holiday():
    """Due Tuesday 9 May 2023: one working day before is Friday 5 May (Monday 8 May was the
    coronation bank holiday)."""
    team = team_with_lead()
    with time_machine.travel(at("2023-05-04", 12), tick=False):
        handoff = open_handoff(team=team, days=2, received_at=at("2023-05-04", 9))
    assert handoff.due_date == date(2023, 5, 9)
    _sweep("2023-05-04")
    assert not _messages(handoff, "reminder").exists()
    _sweep("2023-05-05")
    assert _messages(handoff, "reminder").count() == 1


@pytest.mark.django_db
def test_overdue_is_marked_the_day_after_the_due_date_and_the_lead_told_once():
    handoff, _, lead = _case()
    _sweep("2023-01-16")
    handoff.refresh_from_db()
    assert handoff.overdue_at is None
    for day in ("2023-01-17", "2023-01-17", "2023-01-18"):
        _sweep(day)
    handoff.refresh_from_db()
    assert handoff.overdue_at is not None
    assert [m.recipient_user for m in _messages(handoff, "overdue")] == [lead]
    assert handoff.updates.filter(kind=HandoffUpdate.Kind.OVERDUE).count() == 1


@pytest.mark.django_db
def test_customer_advocate_overdue_notice_goes_to_the_lead_and_the_advocate():
    handoff, _, lead = _case(method=CA)
    _sweep("2023-01-17")
    recipients = {m.recipient_user for m in _messages(handoff, "overdue")}
    assert recipients == {lead, handoff.advocate}


@pytest.mark.django_db
def test_after_a_week_of_downtime_each_handoff_gets_one_reminder_and_one_overdue_notice():
    cases = [_case()[0] for _ in range(3)]
    # The sweep last ran on Wednesday 11 January; it comes back on Monday 23 January.
    _sweep("2023-01-11")
    _sweep("2023-01-23")
    _sweep("2023-01-23", hour=8)
    for handoff in cases:
        assert _messages(handoff, "reminder").count() == 1
        assert _messages(handoff, "overdue").count() == 1
        assert "overdue by 5 working days" in _messages(handoff, "overdue").get().body


@pytest.mark.django_db
def test_resolved_handoffs_are_left_alone():
    handoff, officer, _ = _case()
    with time_machine.travel(at("2023-01-10"), tick=False):
        services.handoff_resolve(handoff=handoff, actor=officer, outcome="Done.")
    assert _sweep("2023-01-23") == {"reminders": 0, "overdue": 0, "notices": 0, "triage_alerts": 0}
    assert not OutboundMessage.objects.exists()


@pytest.mark.django_db
def test_the_sweep_does_not_block_back_dated_work_done_before_it():
    handoff, officer, _ = _case()
    _sweep("2023-01-17")
    with time_machine.travel(at("2023-01-17", 12), tick=False):
        services.handoff_resolve(handoff=handoff, actor=officer, outcome="Done on Monday.",
                                 at=at("2023-01-16", 15))
    handoff.refresh_from_db()
    assert handoff.resolved_at == at("2023-01-16", 15)


@pytest.mark.django_db
def test_the_celery_task_runs_the_sweep_against_the_database():
    handoff, officer, lead = _case()
    with time_machine.travel(at("2023-01-17", 7), tick=False):
        result = sweep_deadlines.apply()
        again = sweep_deadlines.apply()
    assert result.get() == {"reminders": 1, "overdue": 1, "notices": 1, "triage_alerts": 0}
    assert again.get() == {"reminders": 0, "overdue": 0, "notices": 0, "triage_alerts": 0}
    assert _messages(handoff, "reminder").count() == 1
    assert _messages(handoff, "overdue").count() == 1


@pytest.mark.django_db
def test_the_sweep_reads_only_what_is_due():
    """Once reminded and marked, a hand-off drops out of both sweep queries."""
    handoff, _, _ = _case()
    _sweep("2023-01-17")
    assert not Handoff.objects.due_for_reminder(date(2023, 1, 31)).exists()
    assert not Handoff.objects.due_for_overdue(date(2023, 1, 31)).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sweeps_at_once_send_one_reminder_and_one_overdue_notice_per_handoff():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL")
    cases = [_case(method=CA)[0] for _ in range(5)]

    def sweep():
        return handoffs_enforce_deadlines(today=date(2023, 1, 23))

    with time_machine.travel(at("2023-01-23", 7), tick=False):
        outcomes = run_at_once(sweep, sweep)
    assert raised(outcomes) == []
    for handoff in cases:
        assert _messages(handoff, "reminder").count() == 1
        assert _messages(handoff, "overdue").count() == 2  # the team lead and the advocate
        assert handoff.updates.filter(kind=HandoffUpdate.Kind.OVERDUE).count() == 1
        assert handoff.updates.filter(kind=HandoffUpdate.Kind.REMINDER).count() == 1


@pytest.mark.django_db
def test_the_sweep_costs_the_same_number_of_queries_for_5_or_30_due_handoffs(
        settings, mailoutbox, django_capture_on_commit_callbacks):
    """Issue 9: the work per chunk is a constant number of statements, not a few per hand-off."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite takes at most 999 parameters a statement, so Django splits a bulk insert "
                    "of many messages into several; on PostgreSQL the outbox is one array insert")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    team = team_with_lead()
    adviser = user_with(Role.ADVISER)

    def queries_for(n: int) -> int:
        with time_machine.travel(at("2023-01-09", 12), tick=False):
            for i in range(n):
                open_handoff(method=CA if i % 2 else FAF, team=team, adviser=adviser,
                             received_at=at("2023-01-09", 9))
        mailoutbox.clear()
        with CaptureQueriesContext(connection) as queries, \
                django_capture_on_commit_callbacks(execute=True):
            counts = _sweep("2023-01-23")
        # Nobody accepted them: the team lead is also alerted once each (issue 18, triage).
        assert counts == {"reminders": n, "overdue": n, "notices": n + n // 2, "triage_alerts": n}
        assert outbox_drain().sent == 3 * n + n // 2  # sent by the drain, not the sweep
        assert len(mailoutbox) == 3 * n + n // 2
        return len(queries)

    assert queries_for(5) == queries_for(30)
    assert not OutboundMessage.objects.filter(sent_at__isnull=True).exists()
    assert AuditEvent.objects.filter(action__in=["handoff_reminded", "handoff_marked_overdue"]).count() == 70
