"""Stage deadlines in working days around bank holidays, interim responses, reclassification,
premature Ombudsman complaints and rule presets (DOMAIN.md, "Complaints")."""

from datetime import date

import pytest
import time_machine

from complaints import services
from complaints.models import ComplaintRuleSet, ComplaintStageRule, Process, Stage, Status
from complaints.selectors import complaints_visible_to
from core.roles import Role
from tests.complaints.factories import at, complaint, user_with, walk

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("process", "allocated_on", "due"),
    [
        # Corporate stage 1: 5 working days from allocation.
        (Process.CORPORATE, "2022-09-15", date(2022, 9, 23)),  # Queen's state funeral, Mon 19 Sep 2022
        (Process.CORPORATE, "2023-05-03", date(2023, 5, 11)),  # King's coronation, Mon 8 May 2023
        (Process.CORPORATE, "2022-12-23", date(2023, 1, 4)),  # 26-27 Dec substitute days, 2 Jan 2023
        (Process.CORPORATE, "2024-03-28", date(2024, 4, 8)),  # Good Friday and Easter Monday 2024
        (Process.CORPORATE, "2021-12-24", date(2022, 1, 5)),  # 27-28 Dec 2021, 3 Jan 2022 substitutes
        # Statutory stage 1: 10 working days from allocation.
        (Process.STATUTORY, "2022-09-15", date(2022, 9, 30)),
        (Process.STATUTORY, "2023-05-03", date(2023, 5, 18)),
    ],
)
def test_stage_one_deadline_counts_working_days_from_allocation_skipping_bank_holidays(
    process, allocated_on, due
):
    with time_machine.travel(at(allocated_on, 12), tick=False):
        case = complaint(process=process, received_at=at(allocated_on, 9))
        assert case.due_date is None  # the clock starts at allocation, not receipt
        case = walk(case, ["allocate"], at_times=[at(allocated_on, 10)])
    assert case.due_date == due
    assert case.stages.get().due_date == due


@pytest.mark.parametrize(
    ("process", "steps", "escalated_on", "due"),
    [
        (Process.CORPORATE, ["allocate", "respond"], "2022-12-23", date(2023, 1, 25)),  # 20 days
        (Process.STATUTORY, ["allocate", "respond"], "2023-05-03", date(2023, 7, 24)),  # 56 days
    ],
)
def test_escalation_starts_the_next_stage_clock_from_escalation(process, steps, escalated_on, due):
    with time_machine.travel(at(escalated_on, 12), tick=False):
        case = walk(complaint(process=process, received_at=at(escalated_on, 8)), steps)
        case = walk(case, ["escalate"])
    assert (case.stage, case.status, case.assigned_to) == (Stage.TWO, Status.AWAITING_ALLOCATION, None)
    assert case.due_date == due


def test_allocating_the_senior_officer_at_stage_two_does_not_move_the_clock():
    with time_machine.travel(at("2022-12-23", 12), tick=False):
        case = walk(complaint(received_at=at("2022-12-23", 8)), ["allocate", "respond", "escalate"])
    with time_machine.travel(at("2023-01-10", 12), tick=False):
        case = walk(case, ["allocate"], officer=user_with(Role.BACK_OFFICE, job_title="Head of Service",
                                                          is_senior_officer=True))
    assert (case.status, case.due_date) == (Status.OPEN, date(2023, 1, 25))


def test_interim_response_moves_the_deadline_to_the_revised_target():
    with time_machine.travel(at("2022-09-20", 12), tick=False):
        case = walk(complaint(received_at=at("2022-09-15", 8)), ["allocate"], at_times=[at("2022-09-15")])
        case = services.complaint_interim_response(complaint=case, actor=None, note="Awaiting the crew.")
    stage = case.stages.get()
    assert stage.due_date == date(2022, 9, 23)
    assert stage.revised_target_date == date(2022, 10, 7)  # 10 working days' extension (preset)
    assert case.due_date == date(2022, 10, 7)


def test_interim_response_refuses_a_target_beyond_the_extension():
    from django.core.exceptions import ValidationError

    with time_machine.travel(at("2022-09-20", 12), tick=False):
        case = walk(complaint(received_at=at("2022-09-15", 8)), ["allocate"], at_times=[at("2022-09-15")])
        with pytest.raises(ValidationError) as error:
            services.complaint_interim_response(complaint=case, actor=None, note="Later",
                                                revised_target_date=date(2022, 10, 10))
    assert "revised_target_date" in error.value.error_dict


def test_reclassification_recomputes_from_the_original_allocation_and_passes_to_social_care():
    officer = user_with(Role.COMPLAINTS_OFFICER)
    monitoring = user_with(Role.SOCIAL_CARE_COMPLAINTS)
    user_with(Role.SOCIAL_CARE_COMPLAINTS)  # a later colleague: the first in post takes it
    with time_machine.travel(at("2022-09-20", 12), tick=False):
        case = walk(complaint(received_at=at("2022-09-15", 8)), ["allocate"], officer=officer,
                    at_times=[at("2022-09-15")])
        assert case.due_date == date(2022, 9, 23)
        case = services.complaint_make_statutory(complaint=case, actor=officer)
    assert (case.process, case.stage, case.status) == (Process.STATUTORY, Stage.ONE, Status.OPEN)
    assert case.due_date == date(2022, 9, 30)  # 10 working days from 15 September
    assert case.assigned_to == monitoring
    assert not complaints_visible_to(officer).filter(pk=case.pk).exists()
    assert complaints_visible_to(monitoring).filter(pk=case.pk).exists()


def test_reclassification_without_a_monitoring_officer_waits_for_allocation():
    with time_machine.travel(at("2022-09-20", 12), tick=False):
        case = walk(complaint(received_at=at("2022-09-15", 8)), ["allocate"], at_times=[at("2022-09-15")])
        case = services.complaint_make_statutory(complaint=case, actor=None)
    assert (case.status, case.assigned_to, case.due_date) == (
        Status.AWAITING_ALLOCATION, None, date(2022, 9, 30)
    )


def test_premature_ombudsman_complaint_is_corporate_stage_one_with_follow_up_from_receipt():
    legal = user_with(Role.LEGAL)
    with time_machine.travel(at("2023-05-03", 12), tick=False):
        case = complaint(received_at=at("2023-05-03", 9), via_ombudsman=True,
                         ombudsman_reference="22 001 234")
    assert (case.process, case.stage, case.status) == (
        Process.CORPORATE, Stage.ONE, Status.AWAITING_ALLOCATION
    )
    assert case.ombudsman_follow_up_date == date(2023, 7, 26)  # receipt + 84 days
    assert complaints_visible_to(legal).filter(pk=case.pk).exists()


def test_premature_ombudsman_complaint_cannot_be_statutory():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        complaint(process=Process.STATUTORY, via_ombudsman=True)


def test_referral_sets_the_follow_up_twelve_weeks_after_referral():
    with time_machine.travel(at("2023-03-01", 12), tick=False):
        case = walk(complaint(received_at=at("2023-01-02", 9)),
                    ["allocate", "respond", "escalate", "allocate", "respond"])
        case = services.complaint_refer_to_ombudsman(complaint=case, actor=None, reference="23 004 567")
    assert (case.stage, case.status, case.due_date) == (Stage.OMBUDSMAN, Status.AWAITING_ALLOCATION, None)
    assert case.ombudsman_follow_up_date == date(2023, 5, 24)


def test_at_cannot_be_before_the_previous_event_nor_in_the_future():
    from django.core.exceptions import ValidationError

    with time_machine.travel(at("2023-03-01", 12), tick=False):
        case = complaint(received_at=at("2023-02-27", 9))
        with pytest.raises(ValidationError):
            walk(case, ["allocate"], at_times=[at("2023-02-26")])
        with pytest.raises(ValidationError):
            walk(case, ["allocate"], at_times=[at("2023-03-02")])
        case = walk(case, ["allocate"], at_times=[at("2023-02-28")])
    assert case.events.order_by("-at").first().at == at("2023-02-28")


def test_activating_the_complaint_handling_code_changes_new_stages_only():
    code = ComplaintRuleSet.objects.get(code="lgsco-2026")
    with time_machine.travel(at("2026-06-01", 12), tick=False):
        running = walk(complaint(received_at=at("2026-06-01", 9)), ["allocate"])
        assert running.due_date == date(2026, 6, 8)  # strategy: 5 working days
        services.rule_set_activate(rule_set=code)
        new = walk(complaint(received_at=at("2026-06-01", 9)), ["allocate"])
    running.refresh_from_db()
    assert running.due_date == date(2026, 6, 8)
    # The Code: the acknowledgement is due 5 working days from receipt; the 10 working days to
    # respond start at the acknowledgement.
    assert new.due_date == date(2026, 6, 8)
    assert new.stages.get().rule_working_days == 10
    assert new.stages.get().due_date is None


def test_changing_a_stage_rule_raises_the_version_and_never_moves_a_running_deadline():
    rule = ComplaintStageRule.objects.get(rule_set__is_active=True, process="corporate", stage="1")
    with time_machine.travel(at("2026-06-01", 12), tick=False):
        running = walk(complaint(received_at=at("2026-06-01", 9)), ["allocate"])
        services.stage_rule_change(rule=rule, working_days=8)
        new = walk(complaint(received_at=at("2026-06-01", 9)), ["allocate"])
    running.refresh_from_db()
    assert running.due_date == date(2026, 6, 8)
    assert new.due_date == date(2026, 6, 11)
    assert new.stages.get().rule_set_version == running.stages.get().rule_set_version + 1


def test_handling_code_stage_two_needs_a_different_officer():
    from django.core.exceptions import ValidationError

    services.rule_set_activate(rule_set=ComplaintRuleSet.objects.get(code="lgsco-2026"))
    officer = user_with(Role.COMPLAINTS_OFFICER, is_senior_officer=True)
    case = walk(complaint(), ["allocate", "respond", "escalate"], officer=officer)
    with pytest.raises(ValidationError) as refused:
        walk(case, ["allocate"], officer=officer)
    assert "someone other than the officer of the previous stage" in str(refused.value)
