"""complaints_enforce_deadlines: reminders before the deadline, overdue marking and a notice to
the owner's manager after it, Ombudsman follow-up reminders; once each, however often, however
concurrently and however late it runs (DOMAIN.md, "Deadlines are enforced")."""

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaints.models import Complaint, ComplaintEvent
from complaints.services import complaints_enforce_deadlines
from complaints.tasks import sweep_deadlines
from core.models import AuditEvent, OutboundMessage
from core.roles import Role
from core.services import outbox_drain
from tests.complaints.factories import at, complaint, user_with, walk
from tests.concurrency import raised, run_at_once


def _allocated_case():
    """Allocated Monday 9 January 2023: due Monday 16 January; reminder from Thursday 12."""
    manager = user_with(Role.MANAGER)
    officer = user_with(Role.COMPLAINTS_OFFICER, line_manager=manager)
    with time_machine.travel(at("2023-01-09", 12), tick=False):
        case = walk(complaint(received_at=at("2023-01-09", 9)), ["allocate"], officer=officer)
    assert case.due_date == date(2023, 1, 16)
    return case, officer, manager


def _messages(kind: str):
    return OutboundMessage.objects.filter(dedupe_key__contains=f":{kind}:")


@pytest.mark.django_db
def test_no_reminder_before_the_reminder_day():
    _allocated_case()
    complaints_enforce_deadlines(today=date(2023, 1, 11))
    assert not OutboundMessage.objects.exists()


@pytest.mark.django_db
def test_owner_is_reminded_once_two_working_days_before_the_deadline():
    case, officer, _ = _allocated_case()
    complaints_enforce_deadlines(today=date(2023, 1, 12))
    complaints_enforce_deadlines(today=date(2023, 1, 12))
    complaints_enforce_deadlines(today=date(2023, 1, 13))
    reminders = _messages("reminder")
    assert [m.recipient_user for m in reminders] == [officer]
    case.refresh_from_db()
    assert case.overdue_at is None


@pytest.mark.django_db
def test_overdue_is_marked_once_and_the_line_manager_told_once():
    case, _, manager = _allocated_case()
    for day in (date(2023, 1, 16), date(2023, 1, 17), date(2023, 1, 17), date(2023, 1, 18)):
        complaints_enforce_deadlines(today=day)
    case.refresh_from_db()
    assert case.overdue_at is not None
    assert [m.recipient_user for m in _messages("overdue")] == [manager]
    assert case.events.filter(action="marked_overdue").count() == 1
    assert _messages("reminder").count() == 1


@pytest.mark.django_db
def test_after_a_week_of_downtime_the_sweep_catches_up_with_one_of_each():
    case, officer, manager = _allocated_case()
    complaints_enforce_deadlines(today=date(2023, 1, 23))
    complaints_enforce_deadlines(today=date(2023, 1, 23))
    assert [m.recipient_user for m in _messages("reminder")] == [officer]
    assert [m.recipient_user for m in _messages("overdue")] == [manager]
    assert "overdue by 5 working days" in _messages("overdue").get().body
    assert case.events.filter(action="marked_overdue").count() == 1


@pytest.mark.django_db
def test_a_responded_complaint_is_left_alone():
    case, _, _ = _allocated_case()
    with time_machine.travel(at("2023-01-10", 12), tick=False):
        walk(case, ["respond"])
    complaints_enforce_deadlines(today=date(2023, 1, 20))
    assert not OutboundMessage.objects.exists()


@pytest.mark.django_db
def test_legal_is_reminded_of_an_ombudsman_follow_up_once():
    legal = user_with(Role.LEGAL)
    with time_machine.travel(at("2023-05-03", 12), tick=False):
        complaint(received_at=at("2023-05-03", 9), via_ombudsman=True)
    complaints_enforce_deadlines(today=date(2023, 7, 18))  # follow-up 26 July; reminder from 19 July
    assert not _messages("ombudsman-follow-up").exists()
    complaints_enforce_deadlines(today=date(2023, 7, 19))
    complaints_enforce_deadlines(today=date(2023, 7, 20))
    assert [m.recipient_user for m in OutboundMessage.objects.all()] == [legal]


@pytest.mark.django_db
def test_the_beat_task_runs_the_sweep():
    _allocated_case()
    with time_machine.travel(at("2023-01-17", 12), tick=False):
        result = sweep_deadlines.apply().get()
    assert result["overdue"] == 1
    assert Complaint.objects.get().overdue_at is not None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_sweeps_send_one_reminder_and_one_notice():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    case, officer, manager = _allocated_case()

    def sweep():
        return complaints_enforce_deadlines(today=date(2023, 1, 20))

    assert raised(run_at_once(sweep, sweep, sweep, sweep)) == []
    assert [m.recipient_user for m in _messages("reminder")] == [officer]
    assert [m.recipient_user for m in _messages("overdue")] == [manager]
    assert case.events.filter(action="marked_overdue").count() == 1


@pytest.mark.django_db
def test_the_sweep_costs_the_same_number_of_queries_for_5_or_30_due_complaints(
        settings, mailoutbox, django_capture_on_commit_callbacks):
    """Issue 9: the work per chunk is a constant number of statements, not a few per complaint."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite takes at most 999 parameters a statement, so Django splits a bulk insert "
                    "of many messages into several; on PostgreSQL the outbox is one array insert")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    manager = user_with(Role.MANAGER)
    officer = user_with(Role.COMPLAINTS_OFFICER, line_manager=manager)

    def queries_for(n: int) -> int:
        with time_machine.travel(at("2023-01-09", 12), tick=False):
            for _ in range(n):
                walk(complaint(received_at=at("2023-01-09", 9)), ["allocate"], officer=officer)
        mailoutbox.clear()
        with CaptureQueriesContext(connection) as queries, \
                django_capture_on_commit_callbacks(execute=True):
            counts = complaints_enforce_deadlines(today=date(2023, 1, 23))
        assert counts == {"reminders": n, "overdue": n, "notices": n, "ombudsman_reminders": 0,
                          "triage_alerts": 0, "recommendation_reminders": 0,
                          "recommendation_overdue_notices": 0, "learning_action_reminders": 0,
                          "learning_action_overdue_notices": 0}
        assert outbox_drain().sent == 2 * n  # sent by the drain, not the sweep
        assert len(mailoutbox) == 2 * n
        return len(queries)

    assert queries_for(5) == queries_for(30)
    assert Complaint.objects.filter(overdue_at__isnull=False).count() == 35
    assert ComplaintEvent.objects.filter(action="marked_overdue").count() == 35
    assert AuditEvent.objects.filter(action="complaint_marked_overdue").count() == 35
    assert not OutboundMessage.objects.filter(sent_at__isnull=True).exists()


@pytest.mark.django_db
def test_a_stage_keeps_the_reminder_offset_it_started_with_after_the_rules_change():
    """Started while its rule reminded 5 working days ahead; the rule is then cut to 1 day. The
    stage is still reminded 5 working days before its deadline of Monday 16 January 2023, on
    Monday 9 January (the sweep's horizon reaches as far as the largest offset of any stage)."""
    from complaints.models import ComplaintStage, ComplaintStageRule

    ComplaintStageRule.objects.update(reminder_working_days=5)
    case, officer, _ = _allocated_case()
    assert ComplaintStage.objects.get(complaint=case, stage=case.stage).rule_reminder_working_days == 5
    ComplaintStageRule.objects.update(reminder_working_days=1)
    complaints_enforce_deadlines(today=date(2023, 1, 6))
    assert not _messages("reminder").exists()
    complaints_enforce_deadlines(today=date(2023, 1, 9))
    assert [m.recipient_user for m in _messages("reminder")] == [officer]


@pytest.mark.django_db
def test_a_sweep_run_again_makes_no_messages_it_has_stored_already(monkeypatch):
    """What a second sweep finds due it has told already: the stored keys are read first and no
    message is made again (nor stored twice)."""
    from core import services as core_services

    case, _, _ = _allocated_case()
    complaints_enforce_deadlines(today=date(2023, 1, 17))
    stored = OutboundMessage.objects.count()
    assert stored >= 2  # the reminder and the overdue notice
    made = []
    original = core_services._outbound
    monkeypatch.setattr(core_services, "_outbound",
                        lambda item, now: made.append(item) or original(item, now))
    complaints_enforce_deadlines(today=date(2023, 1, 17))
    assert made == [] and OutboundMessage.objects.count() == stored
