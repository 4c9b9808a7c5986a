"""Issue 18, "People change": stage 2 and premature Ombudsman complaints go only to senior
officers, at every door (service, API, page); a deactivated owner is sent no reminders; a
complaint nobody has allocated past the triage limit alerts the team's manager."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError

from complaints import services
from complaints.models import Process
from complaints.services import complaints_alert_triage, complaints_enforce_deadlines
from core.models import OutboundMessage
from core.roles import Role
from tests.complaints.factories import at, complaint, user_with, walk

pytestmark = pytest.mark.django_db


def _stage_two():
    return walk(complaint(), ["allocate", "respond", "escalate"])


@pytest.mark.parametrize("case_of", ["stage_two", "premature_ombudsman"])
def test_the_service_refuses_a_non_senior_officer(case_of):
    case = _stage_two() if case_of == "stage_two" else complaint(via_ombudsman=True)
    plain = user_with(Role.COMPLAINTS_OFFICER)
    with pytest.raises(ValidationError) as refused:
        services.complaint_allocate(complaint=case, actor=None, officer=plain)
    assert "must be allocated to a senior officer" in refused.value.message_dict["officer"][0]
    senior = user_with(Role.COMPLAINTS_OFFICER, is_senior_officer=True)
    assert services.complaint_allocate(complaint=case, actor=None, officer=senior).assigned_to == senior


def test_stage_one_and_statutory_stage_two_take_any_officer():
    plain = user_with(Role.COMPLAINTS_OFFICER)
    assert walk(complaint(), ["allocate"], officer=plain).assigned_to == plain
    social = user_with(Role.SOCIAL_CARE_COMPLAINTS)
    statutory = walk(complaint(process=Process.STATUTORY), ["allocate", "respond", "escalate", "allocate"],
                     officer=social)
    assert (statutory.stage, statutory.assigned_to) == ("2", social)


def test_the_api_answers_400_for_a_non_senior_officer(api_client_for):
    case = _stage_two()
    plain = user_with(Role.COMPLAINTS_OFFICER)
    response = api_client_for(Role.COMPLAINTS_OFFICER).post(
        f"/api/v1/complaints/{case.pk}/allocate/", {"officer": plain.username}, format="json")
    assert response.status_code == 400
    assert "senior officer" in str(response.json()["officer"])


def test_the_page_offers_only_senior_officers_and_refuses_others(client):
    case = _stage_two()
    plain = user_with(Role.COMPLAINTS_OFFICER, first_name="Plain", last_name="Officer")
    senior = user_with(Role.COMPLAINTS_OFFICER, is_senior_officer=True, first_name="Sara",
                       last_name="Senior")
    client.force_login(user_with(Role.COMPLAINTS_OFFICER))
    page = client.get(f"/complaints/{case.pk}/").content.decode()
    # The allocation list (the page's learning-action owner list offers any member of staff).
    choices = page.split('name="allocate-officer"')[1].split("</select>")[0]
    assert f'value="{senior.username}"' in choices and f'value="{plain.username}"' not in choices
    refused = client.post(f"/complaints/{case.pk}/allocate/", {"allocate-officer": plain.username})
    assert refused.status_code == 400
    case.refresh_from_db()
    assert case.assigned_to is None


def test_the_allocation_list_puts_named_people_before_nameless_accounts():
    from complaints.selectors import officers_for_allocation

    nameless = user_with(Role.ADMIN, first_name="", last_name="")
    named = user_with(Role.COMPLAINTS_OFFICER, first_name="Zoe", last_name="Young")
    officers = list(officers_for_allocation(complaint()))
    assert officers.index(named) < officers.index(nameless)


def _allocated(officer):
    """Allocated Monday 9 January 2023: stage 1 due Monday 16 January, reminder Thursday 12."""
    with time_machine.travel(at("2023-01-09", 12), tick=False):
        return walk(complaint(received_at=at("2023-01-09", 9)), ["allocate"], officer=officer)


def test_a_deactivated_owner_gets_no_reminder_but_their_manager_the_overdue_notice():
    manager = user_with(Role.MANAGER)
    leaver = user_with(Role.COMPLAINTS_OFFICER, line_manager=manager)
    case = _allocated(leaver)
    leaver.is_active = False
    leaver.save(update_fields=["is_active"])
    complaints_enforce_deadlines(today=date(2023, 1, 13))
    complaints_enforce_deadlines(today=date(2023, 1, 17))
    assert not OutboundMessage.objects.filter(recipient_user=leaver).exists()
    notice = OutboundMessage.objects.get(dedupe_key__contains=":overdue:")
    assert notice.recipient_user == manager and case.reference in notice.subject


def test_the_outbox_sends_nothing_to_a_deactivated_account():
    from core.services import Message, outbox_send

    leaver = user_with(Role.COMPLAINTS_OFFICER, is_active=False)
    message = outbox_send(dedupe_key="x", message=Message("s", "b"), recipient_user=leaver)
    assert (message.to_email, message.next_attempt_at) == ("", None)


def _unallocated(process=Process.CORPORATE):
    """Received Thursday 4 May 2023. Two working days later is Tuesday 9 May: Friday 5 is one,
    Monday 8 May is the coronation bank holiday. So the limit passes on Wednesday 10 May."""
    with time_machine.travel(at("2023-05-04", 12), tick=False):
        return complaint(process=process, received_at=at("2023-05-04", 9))


def test_an_unallocated_complaint_alerts_the_complaints_teams_manager_after_the_limit():
    head, other_manager = user_with(Role.MANAGER), user_with(Role.MANAGER)
    user_with(Role.COMPLAINTS_OFFICER, line_manager=head)
    user_with(Role.COMPLAINTS_OFFICER, line_manager=head)
    case = _unallocated()
    assert complaints_alert_triage(today=date(2023, 5, 9)) == 0
    assert complaints_alert_triage(today=date(2023, 5, 10)) == 1
    assert complaints_alert_triage(today=date(2023, 5, 11)) == 0  # once
    alert = OutboundMessage.objects.get()
    assert alert.recipient_user == head and alert.recipient_user != other_manager
    assert alert.subject.startswith(f"Not allocated: complaint {case.reference}")
    assert "4 working days" not in alert.body and "waited 3 working days" in alert.body


def test_the_triage_limit_is_a_setting(settings):
    settings.TRIAGE_WORKING_DAYS = 3
    head = user_with(Role.MANAGER)
    user_with(Role.COMPLAINTS_OFFICER, line_manager=head)
    _unallocated()
    assert complaints_alert_triage(today=date(2023, 5, 10)) == 0
    assert complaints_alert_triage(today=date(2023, 5, 11)) == 1


def test_a_statutory_complaint_alerts_the_social_care_teams_manager_and_the_sweep_runs_it():
    corporate_head, social_head = user_with(Role.MANAGER), user_with(Role.MANAGER)
    user_with(Role.COMPLAINTS_OFFICER, line_manager=corporate_head)
    user_with(Role.SOCIAL_CARE_COMPLAINTS, line_manager=social_head)
    _unallocated(Process.STATUTORY)
    assert complaints_enforce_deadlines(today=date(2023, 5, 10))["triage_alerts"] == 1
    assert OutboundMessage.objects.get().recipient_user == social_head


def test_an_allocated_complaint_raises_no_alert():
    head = user_with(Role.MANAGER)
    user_with(Role.COMPLAINTS_OFFICER, line_manager=head)
    case = _unallocated()
    with time_machine.travel(at("2023-05-05", 12), tick=False):
        walk(case, ["allocate"])
    assert complaints_alert_triage(today=date(2023, 5, 12)) == 0
