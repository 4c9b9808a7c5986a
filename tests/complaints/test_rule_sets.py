"""Rule sets drive the clock (issue 18; API.md v1.2): the acknowledgement and the response clocks
under `strategy-2008` and `lgsco-2026`, extensions at and over the limit, reclassification, the
deadline sweep for acknowledgements, and a rule set's data moving the deadline with no code change.

England bank holidays these dates cross, written out: Christmas Day Friday 25 December 2026,
Boxing Day substitute Monday 28 December 2026, New Year's Day Friday 1 January 2027, Good Friday
26 March 2027, Easter Monday 29 March 2027, Early May bank holiday Monday 3 May 2027.
"""

from datetime import date
from io import StringIO

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from complaints import services
from complaints.models import ComplaintEvent, ComplaintRuleSet, ComplaintStageRule, Process, Stage, Status
from core.api_errors import StateConflict
from core.models import OutboundMessage
from core.roles import Role
from tests.complaints.factories import at, complaint, user_with, walk

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _after_the_events():
    """Every event below is in the past: the services refuse a time in the future."""
    with time_machine.travel(at("2027-06-01", 12), tick=False):
        yield


def _lgsco():
    services.rule_set_activate(rule_set=ComplaintRuleSet.objects.get(code="lgsco-2026"))


def _stage(case, stage=Stage.ONE):
    return case.stages.get(stage=stage)


# --- The presets -------------------------------------------------------------------------------


def _presets():
    return (
        list(ComplaintRuleSet.objects.order_by("code").values_list("code", "is_active")),
        {(r.rule_set.code, r.process, r.stage): (r.working_days, r.acknowledge_working_days,
                                                 r.response_clock_starts, r.extensions_allowed,
                                                 r.extension_working_days)
         for r in ComplaintStageRule.objects.select_related("rule_set")},
    )


def test_the_presets_are_strategy_2008_by_default_and_lgsco_2026():
    codes, rows = _presets()
    assert codes == [("lgsco-2026", False), ("strategy-2008", True)]
    assert rows == {
        ("strategy-2008", "corporate", "1"): (5, None, "allocation", False, 10),
        ("strategy-2008", "corporate", "2"): (20, None, "escalation", False, 0),
        ("strategy-2008", "statutory", "1"): (10, None, "allocation", False, 0),
        ("strategy-2008", "statutory", "2"): (56, None, "escalation", False, 0),
        ("strategy-2008", "statutory", "3"): (56, None, "escalation", False, 0),
        ("lgsco-2026", "corporate", "1"): (10, 5, "acknowledgement", True, 10),
        ("lgsco-2026", "corporate", "2"): (20, 5, "acknowledgement", True, 20),
        ("lgsco-2026", "statutory", "1"): (10, None, "allocation", False, 0),
        ("lgsco-2026", "statutory", "2"): (56, None, "escalation", False, 0),
        ("lgsco-2026", "statutory", "3"): (56, None, "escalation", False, 0),
    }


def test_the_reference_data_loader_recreates_the_presets_as_the_migrations_leave_them():
    """seed_demo re-runs it after a flush (core/management/commands/seed_demo.py)."""
    from importlib import import_module

    from django.apps import apps

    migrated = _presets()
    loader = import_module("complaints.migrations.0005_rule_sets_drive_the_clock").load
    loader(apps, None)  # idempotent
    assert _presets() == migrated
    ComplaintRuleSet.objects.all().delete()
    loader(apps, None)
    assert _presets() == migrated


# --- strategy-2008: as before ------------------------------------------------------------------


@pytest.mark.parametrize(("process", "due"), [
    (Process.CORPORATE, date(2026, 12, 31)),  # 5: 23, 24, 29, 30, 31 December
    (Process.STATUTORY, date(2027, 1, 8)),  # 10: ... 31 December, 4 to 8 January
])
def test_strategy_stage_one_counts_from_allocation_over_christmas(process, due):
    case = complaint(process=process, received_at=at("2026-12-22", 9))
    assert case.due_date is None
    case = walk(case, ["allocate"], at_times=[at("2026-12-22", 11)])
    assert case.due_date == due
    assert _stage(case).acknowledgement_due_date is None


def test_strategy_acknowledgement_is_recorded_and_moves_no_deadline():
    case = walk(complaint(received_at=at("2026-12-22", 9)), ["allocate", "acknowledge"],
                at_times=[at("2026-12-22", 11), at("2026-12-23", 10)])
    stage = _stage(case)
    assert stage.acknowledged_at == at("2026-12-23", 10)
    assert (stage.acknowledgement_due_date, stage.due_date, case.due_date) == (
        None, date(2026, 12, 31), date(2026, 12, 31))
    with pytest.raises(StateConflict, match="already been acknowledged"):
        walk(case, ["acknowledge"])


def test_strategy_allows_no_extension():
    case = walk(complaint(received_at=at("2026-12-22", 9)), ["allocate"], at_times=[at("2026-12-22", 11)])
    with pytest.raises(ValidationError) as refused:
        services.complaint_extend(complaint=case, actor=None, working_days=1, reason="More time.")
    assert "no extension" in str(refused.value.error_dict["working_days"])
    case.refresh_from_db()
    assert (case.due_date, _stage(case).extended_by_working_days) == (date(2026, 12, 31), 0)


# --- lgsco-2026: acknowledgement, then response -----------------------------------------------


@pytest.mark.parametrize(("received", "acknowledgement_due"), [
    ("2026-12-22", date(2026, 12, 31)),  # 23, 24, [25, 28 bank holidays] 29, 30, 31 December
    ("2027-03-25", date(2027, 4, 5)),  # [26, 29 March: Easter] 30, 31 March, 1, 2, 5 April
])
def test_lgsco_acknowledgement_is_due_five_working_days_after_receipt(received, acknowledgement_due):
    _lgsco()
    case = complaint(received_at=at(received, 9))
    stage = _stage(case)
    assert stage.acknowledgement_due_date == acknowledgement_due
    assert stage.due_date is None  # the response clock waits for the acknowledgement
    assert (case.status, case.due_date) == (Status.AWAITING_ALLOCATION, acknowledgement_due)


def test_lgsco_allocation_starts_no_clock_before_the_acknowledgement():
    _lgsco()
    case = walk(complaint(received_at=at("2026-12-22", 9)), ["allocate"], at_times=[at("2026-12-23", 9)])
    assert (case.status, case.due_date, _stage(case).due_date) == (Status.OPEN, date(2026, 12, 31), None)


def test_lgsco_response_is_due_ten_working_days_after_the_acknowledgement():
    _lgsco()
    case = walk(complaint(received_at=at("2026-12-22", 9)), ["acknowledge", "allocate"],
                at_times=[at("2026-12-24", 10), at("2026-12-29", 10)])
    stage = _stage(case)
    # 29, 30, 31 December, [1 January] 4 to 8, 11, 12 January 2027.
    assert (stage.acknowledged_at, stage.clock_started_at) == (at("2026-12-24", 10), at("2026-12-24", 10))
    assert (stage.due_date, case.due_date) == (date(2027, 1, 12), date(2027, 1, 12))
    event = case.events.get(action="acknowledge")
    assert event.data == {"acknowledgement_due_date": "2026-12-31", "late": False, "due_date": "2027-01-12"}


def test_lgsco_late_acknowledgement_still_gives_ten_working_days_and_is_recorded_late():
    _lgsco()
    case = walk(complaint(received_at=at("2026-12-22", 9)), ["acknowledge"], at_times=[at("2027-01-04", 10)])
    assert case.due_date == date(2027, 1, 18)  # 5 to 8, 11 to 15, 18 January
    assert case.events.get(action="acknowledge").data["late"] is True


def test_lgsco_stage_two_acknowledged_from_the_escalation_request_and_answered_in_twenty():
    _lgsco()
    case = walk(complaint(received_at=at("2027-03-01", 9)),
                ["acknowledge", "allocate", "respond", "escalate"],
                at_times=[at("2027-03-01", 10), at("2027-03-01", 11), at("2027-03-10", 10),
                          at("2027-03-22", 10)])
    stage = _stage(case, Stage.TWO)
    # 23, 24, 25, [26 and 29 March: Easter] 30, 31 March.
    assert (case.stage, stage.acknowledgement_due_date, case.due_date) == (
        Stage.TWO, date(2027, 3, 31), date(2027, 3, 31))
    case = walk(case, ["acknowledge"], at_times=[at("2027-03-24", 10)])
    # 25, 30, 31 March, 1, 2 April, then 5-9, 12-16, 19-23 April.
    assert case.due_date == _stage(case, Stage.TWO).due_date == date(2027, 4, 23)


# --- lgsco-2026: extensions --------------------------------------------------------------------


def _acknowledged_on_christmas_eve():
    _lgsco()
    case = walk(complaint(received_at=at("2026-12-22", 9)), ["acknowledge", "allocate"],
                at_times=[at("2026-12-24", 10), at("2026-12-29", 10)])
    assert case.due_date == date(2027, 1, 12)
    return case


def test_lgsco_stage_one_extends_by_the_limit_of_ten_working_days():
    case = _acknowledged_on_christmas_eve()
    case = services.complaint_extend(complaint=case, actor=None, working_days=10,
                                     reason="Waiting for the contractor's report.", at=at("2027-01-05", 10))
    stage = _stage(case)
    # 13 to 15, 18 to 22, 25, 26 January 2027.
    assert (stage.extended_by_working_days, stage.revised_target_date, case.due_date) == (
        10, date(2027, 1, 26), date(2027, 1, 26))
    assert stage.due_date == date(2027, 1, 12)
    event = case.events.get(action="extend")
    assert (event.note, event.data) == ("Waiting for the contractor's report.", {
        "working_days": 10, "extended_by_working_days": 10, "due_date": "2027-01-26"})


def test_lgsco_stage_one_refuses_an_extension_over_ten_working_days():
    case = _acknowledged_on_christmas_eve()
    with pytest.raises(ValidationError) as refused:
        services.complaint_extend(complaint=case, actor=None, working_days=11, reason="Later.")
    assert "at most 10 working days" in str(refused.value.error_dict["working_days"])
    case.refresh_from_db()
    assert (case.due_date, _stage(case).extended_by_working_days) == (date(2027, 1, 12), 0)
    assert not case.events.filter(action="extend").exists()


def test_lgsco_extensions_add_up_to_the_limit_and_no_further():
    case = _acknowledged_on_christmas_eve()
    case = services.complaint_extend(complaint=case, actor=None, working_days=4, reason="A report.")
    assert case.due_date == date(2027, 1, 18)
    case = services.complaint_extend(complaint=case, actor=None, working_days=6, reason="A second report.")
    assert case.due_date == date(2027, 1, 26)
    with pytest.raises(ValidationError, match="already been extended by 10"):
        services.complaint_extend(complaint=case, actor=None, working_days=1, reason="A third.")


def test_lgsco_stage_two_extends_by_at_most_twenty_working_days():
    _lgsco()
    case = walk(complaint(received_at=at("2027-03-01", 9)),
                ["acknowledge", "allocate", "respond", "escalate", "acknowledge"],
                at_times=[at("2027-03-01", 10), at("2027-03-01", 11), at("2027-03-10", 10),
                          at("2027-03-22", 10), at("2027-03-24", 10)])
    with pytest.raises(ValidationError, match="at most 20 working days"):
        services.complaint_extend(complaint=case, actor=None, working_days=21, reason="Later.")
    case = services.complaint_extend(complaint=case, actor=None, working_days=20,
                                     reason="Independent review.")
    # From 23 April: 26-30 April, [3 May] 4-7, 10-14, 17-21, 24 May 2027.
    assert case.due_date == date(2027, 5, 24)


def test_lgsco_extension_before_the_acknowledgement_is_refused_as_the_wrong_moment():
    _lgsco()
    case = complaint(received_at=at("2026-12-22", 9))
    with pytest.raises(StateConflict, match="acknowledge the complaint first"):
        services.complaint_extend(complaint=case, actor=None, working_days=5, reason="Later.")


def test_lgsco_interim_response_does_not_move_the_deadline():
    case = _acknowledged_on_christmas_eve()
    case = services.complaint_interim_response(complaint=case, actor=None, note="Still looking.")
    assert case.due_date == date(2027, 1, 12)
    with pytest.raises(StateConflict, match="already"):
        services.complaint_interim_response(complaint=case, actor=None, note="Again.")


def test_extension_input_errors_name_the_field():
    case = _acknowledged_on_christmas_eve()
    for working_days, reason, field in ((0, "Why", "working_days"), ("5", "Why", "working_days"),
                                        (5, "  ", "reason")):
        with pytest.raises(ValidationError) as refused:
            services.complaint_extend(complaint=case, actor=None, working_days=working_days, reason=reason)
        assert field in refused.value.error_dict


# --- Reclassification --------------------------------------------------------------------------


def test_lgsco_reclassification_replays_the_clock_under_the_statutory_rule():
    user_with(Role.SOCIAL_CARE_COMPLAINTS)
    _lgsco()
    case = walk(complaint(received_at=at("2026-12-22", 9)), ["acknowledge", "allocate"],
                at_times=[at("2026-12-23", 10), at("2027-01-04", 10)])
    # Corporate: 10 working days from the acknowledgement on 23 December.
    assert case.due_date == date(2027, 1, 11)
    case = services.complaint_make_statutory(complaint=case, actor=None, at=at("2027-01-05", 10))
    stage = _stage(case)
    # Statutory (its own regulations): 10 working days from the allocation on 4 January.
    assert (case.process, case.status, case.due_date) == (Process.STATUTORY, Status.OPEN, date(2027, 1, 18))
    assert (stage.rule_working_days, stage.rule_acknowledge_working_days, stage.acknowledgement_due_date) == (
        10, None, None)
    assert stage.acknowledged_at == at("2026-12-23", 10)


def test_lgsco_reclassification_before_allocation_waits_for_the_statutory_allocation():
    _lgsco()
    case = complaint(received_at=at("2026-12-22", 9))
    assert case.due_date == date(2026, 12, 31)
    case = services.complaint_make_statutory(complaint=case, actor=None, at=at("2026-12-23", 10))
    assert (case.status, case.due_date) == (Status.AWAITING_ALLOCATION, None)
    case = walk(case, ["allocate"], officer=user_with(Role.SOCIAL_CARE_COMPLAINTS),
                at_times=[at("2026-12-24", 10)])
    assert case.due_date == date(2027, 1, 12)  # 10 working days from 24 December


def test_strategy_reclassification_counts_from_the_original_allocation_over_christmas():
    case = walk(complaint(received_at=at("2026-12-22", 9)), ["allocate"], at_times=[at("2026-12-22", 11)])
    case = services.complaint_make_statutory(complaint=case, actor=None, at=at("2026-12-23", 10))
    assert (case.status, case.due_date) == (Status.AWAITING_ALLOCATION, date(2027, 1, 8))


# --- The table drives the clock -------------------------------------------------------------


def test_changing_a_rule_sets_data_moves_the_deadline_of_new_complaints_with_no_code_change():
    running = walk(complaint(received_at=at("2026-12-22", 9)), ["allocate"], at_times=[at("2026-12-22", 11)])
    rule = ComplaintStageRule.objects.get(rule_set__code="strategy-2008", process="corporate", stage="1")
    services.stage_rule_change(rule=rule, acknowledge_working_days=3, response_clock_starts="receipt",
                               extensions_allowed=True, extension_working_days=3)
    case = complaint(received_at=at("2026-12-22", 9))
    stage = _stage(case)
    # Acknowledge within 3 (23, 24, 29 December); respond within 5 of receipt (31 December).
    assert (stage.acknowledgement_due_date, stage.due_date, case.due_date) == (
        date(2026, 12, 29), date(2026, 12, 31), date(2026, 12, 29))
    case = walk(case, ["acknowledge"], at_times=[at("2026-12-23", 10)])
    assert case.due_date == date(2026, 12, 31)
    case = services.complaint_extend(complaint=case, actor=None, working_days=3, reason="A report.")
    assert case.due_date == date(2027, 1, 6)  # 4, 5, 6 January
    running.refresh_from_db()
    assert (running.due_date, _stage(running).rule_acknowledge_working_days) == (date(2026, 12, 31), None)


# --- The deadline sweep ------------------------------------------------------------------------


def _outbox(kind: str):
    return OutboundMessage.objects.filter(dedupe_key__contains=f":{kind}:")


def test_the_sweep_reminds_and_marks_an_unacknowledged_complaint_overdue():
    _lgsco()
    manager = user_with(Role.MANAGER)
    user_with(Role.COMPLAINTS_OFFICER, line_manager=manager)
    case = complaint(received_at=at("2026-12-22", 9))
    services.complaints_enforce_deadlines(today=date(2026, 12, 24))
    assert not _outbox("acknowledgement-reminder").exists()
    for _ in range(2):
        services.complaints_enforce_deadlines(today=date(2026, 12, 29))  # 2 working days before
    assert [m.recipient_user for m in _outbox("acknowledgement-reminder")] == [manager]
    for day in (date(2027, 1, 4), date(2027, 1, 5)):
        with time_machine.travel(at(day.isoformat(), 7), tick=False):
            services.complaints_enforce_deadlines(today=day)
    case.refresh_from_db()
    assert case.overdue_at is not None
    assert _stage(case).overdue_at is None  # the response is not late: it has not started
    assert [m.recipient_user for m in _outbox("acknowledgement-overdue")] == [manager]
    assert ComplaintEvent.objects.filter(complaint=case, action="marked_overdue").count() == 1
    case = walk(case, ["acknowledge"], at_times=[at("2027-01-05", 10)])
    assert (case.overdue_at, case.due_date) == (None, date(2027, 1, 19))


def test_the_sweep_reminds_the_owner_of_an_acknowledgement():
    _lgsco()
    officer = user_with(Role.COMPLAINTS_OFFICER)
    walk(complaint(received_at=at("2026-12-22", 9)), ["allocate"], officer=officer,
         at_times=[at("2026-12-22", 10)])
    services.complaints_enforce_deadlines(today=date(2026, 12, 29))
    reminder = _outbox("acknowledgement-reminder").get()
    assert reminder.recipient_user == officer
    assert "acknowledgement due 31 December 2026" in reminder.subject


# --- The command ---------------------------------------------------------------------------------


def test_complaint_rules_list_prints_each_set_its_state_and_timescales():
    out = StringIO()
    call_command("complaint_rules", "list", stdout=out)
    text = out.getvalue()
    assert "strategy-2008 (active, version 1)" in text
    assert "lgsco-2026 (inactive" in text
    assert ("corporate stage 1: acknowledge: 5 working days from receipt, stops at acknowledgement; "
            "respond: 10 working days from acknowledgement, stops at response; extension: extend by up "
            "to 10 working days, with a reason") in text
    assert "corporate stage 1: acknowledge: none; respond: 5 working days from allocation" in text


def test_complaint_rules_activate_switches_new_stages_and_refuses_an_unknown_name():
    out = StringIO()
    call_command("complaint_rules", "activate", "lgsco-2026", stdout=out)
    assert "lgsco-2026 is now the active rule set" in out.getvalue()
    assert ComplaintRuleSet.objects.get(is_active=True).code == "lgsco-2026"
    assert complaint(received_at=at("2026-12-22", 9)).due_date == date(2026, 12, 31)
    with pytest.raises(CommandError, match="no complaint rule set called 'strategy'"):
        call_command("complaint_rules", "activate", "strategy")
    assert ComplaintRuleSet.objects.get(is_active=True).code == "lgsco-2026"


# --- What reads the extension: the letter and the annual report --------------------------------


def test_an_extension_offers_the_extension_letter_with_its_reason():
    from complaints.selectors import letter_fields, letters_available

    case = _acknowledged_on_christmas_eve()
    assert ("extension", "1") not in [(kind, stage) for kind, stage, _ in letters_available(case)]
    case = services.complaint_extend(complaint=case, actor=None, working_days=10,
                                     reason="We are waiting for the contractor's report.")
    assert ("extension", "1") in [(kind, stage) for kind, stage, _ in letters_available(case)]
    fields = letter_fields(case, "extension", "1")
    assert (fields["interim_note"], fields["revised_target_date"]) == (
        "We are waiting for the contractor's report.", "Tuesday 26 January 2027")


def test_the_annual_report_counts_an_extension_under_lgsco():
    from reporting.annual import Year, annual_report

    case = _acknowledged_on_christmas_eve()
    services.complaint_extend(complaint=case, actor=None, working_days=2, reason="A report.")
    report = annual_report(Year(2026))
    row = next(r for r in report["deadlines"] if (r["process"], r["stage"]) == ("corporate", "1"))
    assert (row["started"], row["extended"]) == (1, 1)


def test_the_clock_table_of_both_rule_sets_as_the_readme_shows_it():
    from complaints.selectors import rule_sets_with_stage_rules
    from complaints.transitions import clock_table

    tables = {rule_set.code: {(row["process"], row["stage"]): (row["acknowledgement"], row["response"],
                                                               row["extension"])
                              for row in clock_table(rule_set.stage_rules_ordered)}
              for rule_set in rule_sets_with_stage_rules()}
    interim = "interim response revises the target, no limit"
    statutory = {
        ("statutory", "1"): ("none", "10 working days from allocation, stops at response", interim),
        ("statutory", "2"): ("none", "56 working days from escalation, stops at response", interim),
        ("statutory", "3"): ("none", "56 working days from escalation, stops at response", interim),
    }
    assert tables == {
        "strategy-2008": {
            ("corporate", "1"): ("none", "5 working days from allocation, stops at response",
                                 "interim response revises the target, up to 10 working days"),
            ("corporate", "2"): ("none", "20 working days from escalation, stops at response", interim),
            **statutory,
        },
        "lgsco-2026": {
            ("corporate", "1"): ("5 working days from receipt, stops at acknowledgement",
                                 "10 working days from acknowledgement, stops at response",
                                 "extend by up to 10 working days, with a reason"),
            ("corporate", "2"): ("5 working days from escalation, stops at acknowledgement",
                                 "20 working days from acknowledgement, stops at response",
                                 "extend by up to 20 working days, with a reason"),
            **statutory,
        },
    }
