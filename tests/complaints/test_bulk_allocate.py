"""Bulk allocation on the complaints register (issue 20, item 1: "bulk actions where a team lead
needs them"): each complaint through `complaint_allocate` with its own rules, all or none, the
same request twice changes nothing, and only the team that runs a process allocates."""

import html

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from complaints.models import ComplaintEvent, Process, Status
from complaints.services import complaints_allocate_many
from core.models import AuditEvent
from core.roles import Role
from tests.complaints.factories import at, complaint, user_with, walk

pytestmark = pytest.mark.django_db


def _officer(**kwargs):
    return user_with(Role.COMPLAINTS_OFFICER, first_name="Olive", last_name="Officer", **kwargs)


def test_the_selected_complaints_are_allocated_each_with_its_clock_timeline_and_audit():
    lead = user_with(Role.COMPLAINTS_OFFICER)
    officer = _officer()
    # Allocated Thursday 21 December 2023: corporate stage 1 is 5 working days from allocation,
    # skipping Christmas Day, Boxing Day and New Year's Day: 22, 27, 28, 29 December, 2 January.
    first, second = (complaint(received_at=at("2023-12-21", 9)) for _ in range(2))
    allocated = complaints_allocate_many(complaint_ids=[second.pk, first.pk, first.pk], actor=lead,
                                         officer=officer, at=at("2023-12-21", 11))
    assert [c.pk for c in allocated] == sorted([first.pk, second.pk])
    for case in (first, second):
        case.refresh_from_db()
        assert (case.assigned_to, case.status, str(case.due_date)) == (officer, Status.OPEN, "2024-01-02")
        event = ComplaintEvent.objects.get(complaint=case, action="allocate")
        assert (event.actor, event.data["officer"]) == (lead, officer.username)
    assert AuditEvent.objects.filter(action="complaint_allocate", actor=lead).count() == 2
    # The same request again changes nothing.
    assert complaints_allocate_many(complaint_ids=[first.pk, second.pk], actor=lead, officer=officer) == []
    assert ComplaintEvent.objects.filter(action="allocate").count() == 2


def test_nothing_moves_when_one_complaint_cannot_go_to_the_officer():
    """A stage 2 complaint goes only to a senior officer: the batch is refused, and says why."""
    lead = user_with(Role.COMPLAINTS_OFFICER)
    plain = _officer()
    fresh = complaint()
    stage_two = walk(complaint(), ["allocate", "respond", "escalate"])
    with pytest.raises(ValidationError) as refused:
        complaints_allocate_many(complaint_ids=[fresh.pk, stage_two.pk], actor=lead, officer=plain)
    assert refused.value.message_dict["officer"] == [
        f"Complaint {stage_two.reference}: Complaint {stage_two.reference} is at stage 2 and must be "
        f"allocated to a senior officer; {plain} is not marked as one."]
    fresh.refresh_from_db()
    assert (fresh.assigned_to, fresh.status) == (None, Status.AWAITING_ALLOCATION)


def test_a_closed_complaint_in_the_batch_is_refused():
    lead = user_with(Role.COMPLAINTS_OFFICER)
    closed = walk(complaint(), ["allocate", "respond", "close"])
    with pytest.raises(ValidationError) as refused:
        complaints_allocate_many(complaint_ids=[closed.pk], actor=lead, officer=_officer())
    [message] = refused.value.message_dict["officer"]
    assert message.startswith(f"Complaint {closed.reference}: You cannot allocate to an officer")


@pytest.mark.parametrize(("ids", "officer", "field", "message"), [
    ([], "officer", "complaints", "Select the complaints to allocate."),
    (["case"], None, "officer", "Select an officer."),
    (["case", 987654], "officer", "complaints", "Some of the selected complaints no longer exist."),
])
def test_bad_selections_are_refused(ids, officer, field, message):
    lead = user_with(Role.COMPLAINTS_OFFICER)
    case = complaint()
    chosen = _officer() if officer else None
    with pytest.raises(ValidationError) as refused:
        complaints_allocate_many(complaint_ids=[case.pk if i == "case" else i for i in ids], actor=lead,
                                 officer=chosen)
    assert refused.value.message_dict == {field: [message]}


def test_each_team_allocates_only_the_complaints_it_runs():
    statutory = complaint(process=Process.STATUTORY)
    corporate_lead = user_with(Role.COMPLAINTS_OFFICER)
    # Out of sight for the corporate team: as if it did not exist.
    with pytest.raises(ValidationError) as unseen:
        complaints_allocate_many(complaint_ids=[statutory.pk], actor=corporate_lead, officer=_officer())
    assert unseen.value.message_dict == {"complaints": ["Some of the selected complaints no longer exist."]}
    # Legal Services coordinates the Ombudsman's cases: those, not the rest.
    legal = user_with(Role.LEGAL)
    ombudsman_first = complaint(via_ombudsman=True, ombudsman_reference="LGO/7")
    plain_corporate = complaint()
    senior = _officer(is_senior_officer=True)
    with pytest.raises(ValidationError):
        complaints_allocate_many(complaint_ids=[ombudsman_first.pk, plain_corporate.pk], actor=legal,
                                 officer=senior)
    [done] = complaints_allocate_many(complaint_ids=[ombudsman_first.pk], actor=legal, officer=senior)
    assert done.assigned_to == senior
    # Allocated to an officer, a corporate complaint is theirs to answer, not to pass on.
    answering = user_with(Role.BACK_OFFICE)
    walk(plain_corporate, ["allocate"], officer=answering)
    with pytest.raises(PermissionDenied):
        complaints_allocate_many(complaint_ids=[plain_corporate.pk], actor=answering, officer=corporate_lead)
    social_care = user_with(Role.SOCIAL_CARE_COMPLAINTS)
    [done] = complaints_allocate_many(complaint_ids=[statutory.pk], actor=social_care, officer=social_care)
    assert done.assigned_to == social_care


def test_the_register_allocates_the_ticked_complaints_and_returns_to_the_same_list(client):
    lead = user_with(Role.COMPLAINTS_OFFICER)
    officer = _officer()
    first, second, left = complaint(), complaint(), complaint()
    client.force_login(lead)
    page = client.get("/complaints/?status=awaiting_allocation").content.decode()
    assert 'form="bulk-allocate"' in page and f'value="{first.pk}"' in page
    response = client.post("/complaints/allocate/", {
        "complaint": [first.pk, second.pk], "officer": officer.pk, "query": "status=awaiting_allocation"})
    assert (response.status_code, response["Location"]) == (302, "/complaints/?status=awaiting_allocation")
    shown = client.get(response["Location"]).content.decode()
    assert f"2 complaints allocated to {officer}." in html.unescape(shown)
    assert [c.assigned_to for c in (first, second, left) if c.refresh_from_db() is None] == [
        officer, officer, None]


def test_the_register_shows_a_refused_batch_in_an_error_summary_with_the_ticks_kept(client):
    lead = user_with(Role.COMPLAINTS_OFFICER)
    case = complaint()
    client.force_login(lead)
    response = client.post("/complaints/allocate/", {"complaint": [case.pk], "officer": ""})
    page = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: Complaints" in page and "govuk-error-summary" in page
    assert "Select an officer." in page
    assert f'value="{case.pk}" form="bulk-allocate" checked' in page
    nothing = client.post("/complaints/allocate/", {"officer": _officer().pk})
    assert nothing.status_code == 400 and "Select the complaints to allocate." in nothing.content.decode()


def test_the_bulk_form_is_offered_only_to_those_who_run_complaints(client):
    """An officer with a complaint allocated to them answers it; they do not allocate."""
    answering = user_with(Role.BACK_OFFICE)
    walk(complaint(), ["allocate"], officer=answering)
    client.force_login(answering)
    page = client.get("/complaints/").content.decode()
    assert "C0" in page and "bulk-allocate" not in page
    assert client.post("/complaints/allocate/", {"officer": answering.pk}).status_code == 403
    complaint(via_ombudsman=True, ombudsman_reference="LGO/9")
    client.force_login(user_with(Role.LEGAL))
    assert "bulk-allocate" in client.get("/complaints/").content.decode()
