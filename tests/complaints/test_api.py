"""The complaints API as API.md "Complaints" describes it: shapes, codes, 400/403/404/409."""

import pytest
import time_machine

from complaints.models import Complaint
from core.roles import Role
from tests.complaints.factories import at, complaint, user_with, walk
from tests.factories import CustomerFactory, ServiceFactory

pytestmark = pytest.mark.django_db


def _create(api, **overrides):
    body = {"customer": CustomerFactory().pk, "service": ServiceFactory(code="waste").code,
            "summary": "Missed bins", "process": "corporate", **overrides}
    return api.post("/api/v1/complaints/", body, format="json")


def test_create_answers_201_with_the_documented_shape(api_client_for):
    api = api_client_for(Role.COMPLAINTS_OFFICER)
    response = _create(api)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert {"id", "process", "stage", "status", "assigned_to", "due_date", "overdue",
            "ombudsman_follow_up_date", "stages", "events"} <= set(body)
    assert (body["process"], body["stage"], body["status"], body["assigned_to"], body["overdue"]) == (
        "corporate", 1, "awaiting_allocation", None, False)
    assert set(body["stages"][0]) == {"stage", "started_at", "due_date", "interim_response_at",
                                      "responded_at", "outcome", "acknowledged_at",
                                      "acknowledgement_due_date", "extended_by_working_days", "remedy",
                                      "review_panel"}
    assert body["ombudsman"] is None
    assert body["events"][0]["action"] == "created"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"process": "informal"}, "process"),
        ({"service": "no-such-service"}, "service"),
        ({"customer": 999999}, "customer"),
        ({"summary": ""}, "summary"),
        ({"received_at": "2999-01-01T10:00:00Z"}, "received_at"),
        ({"process": "statutory", "via_ombudsman": True}, "via_ombudsman"),
    ],
)
def test_create_with_invalid_input_answers_400_naming_the_field(api_client_for, overrides, field):
    response = _create(api_client_for(Role.MANAGER), **overrides)
    assert response.status_code == 400
    assert field in response.json()


def test_premature_ombudsman_complaint_via_api(api_client_for):
    response = _create(api_client_for(Role.COMPLAINTS_OFFICER), via_ombudsman=True,
                       ombudsman_reference="23 001 002", received_at="2026-01-05T10:00:00Z")
    assert response.status_code == 201
    assert response.json()["ombudsman_follow_up_date"] == "2026-03-30"


def test_the_workflow_through_the_api_with_409_for_a_refused_action(api_client_for):
    api = api_client_for(Role.COMPLAINTS_OFFICER)
    # A senior officer may take stage 1 and stage 2 (issue 18: stage 2 only a senior officer).
    officer = user_with(Role.COMPLAINTS_OFFICER, is_senior_officer=True)
    complaint_id = _create(api).json()["id"]
    url = f"/api/v1/complaints/{complaint_id}/"
    conflict = api.post(url + "respond/", {"outcome": "upheld", "response": "Sorry"}, format="json")
    assert conflict.status_code == 409
    assert "detail" in conflict.json()
    allocated = api.post(url + "allocate/", {"officer": officer.username}, format="json")
    assert allocated.status_code == 200
    assert allocated.json()["assigned_to"] == officer.username
    assert allocated.json()["due_date"] is not None
    assert api.post(url + "interim-response/", {"note": "Soon"}, format="json").status_code == 200
    responded = api.post(url + "respond/", {"outcome": "partly_upheld", "response": "Fixed"}, format="json")
    assert responded.json()["stages"][0]["outcome"] == "partly_upheld"
    assert api.post(url + "escalate/", {"reason": "Not fixed"}, format="json").json()["stage"] == 2
    assert api.post(url + "allocate/", {"officer": officer.username}, format="json").status_code == 200
    answered = api.post(url + "respond/", {"outcome": "not_upheld", "response": "No"}, format="json")
    assert answered.status_code == 200
    referred = api.post(url + "refer-to-ombudsman/", {"reference": "LGO-1"}, format="json").json()
    assert (referred["stage"], referred["status"]) == ("ombudsman", "awaiting_allocation")
    assert api.post(url + "close/", {}, format="json").json()["status"] == "closed"
    assert api.post(url + "close/", {}, format="json").status_code == 409
    assert [e["action"] for e in api.get(url).json()["events"]] == [
        "created", "allocate", "interim_response", "respond", "escalate", "allocate", "respond",
        "refer_to_ombudsman", "close"]


def test_action_input_errors_answer_400(api_client_for):
    api = api_client_for(Role.COMPLAINTS_OFFICER)
    case = complaint()
    url = f"/api/v1/complaints/{case.pk}/"
    assert "officer" in api.post(url + "allocate/", {"officer": "nobody"}, format="json").json()
    walk(case, ["allocate"])
    assert "outcome" in api.post(url + "respond/", {"outcome": "meh", "response": "x"}, format="json").json()
    early = api.post(url + "escalate/", {"reason": "x", "at": "2000-01-01T00:00:00Z"}, format="json")
    assert early.status_code == 400 and "at" in early.json()


def test_at_records_the_real_time_of_an_offline_event(api_client_for):
    api = api_client_for(Role.COMPLAINTS_OFFICER)
    officer = user_with(Role.COMPLAINTS_OFFICER)
    with time_machine.travel(at("2022-09-16", 12), tick=False):
        case = complaint(received_at=at("2022-09-14", 9))
        body = api.post(f"/api/v1/complaints/{case.pk}/allocate/",
                        {"officer": officer.username, "at": "2022-09-15T09:00:00+01:00"},
                        format="json").json()
    assert body["due_date"] == "2022-09-23"
    assert body["events"][-1]["at"].startswith("2022-09-15T")


def test_list_filters_and_paginates(api_client_for):
    api = api_client_for(Role.MANAGER)
    waste = ServiceFactory(code="waste")
    walk(complaint(service=waste), ["allocate"])
    complaint(service=ServiceFactory(code="housing"))
    complaint(process="statutory", service=waste)
    assert api.get("/api/v1/complaints/").json()["count"] == 3
    assert api.get("/api/v1/complaints/?service=waste").json()["count"] == 2
    assert api.get("/api/v1/complaints/?process=statutory").json()["count"] == 1
    assert api.get("/api/v1/complaints/?status=open&stage=1").json()["count"] == 1
    assert api.get("/api/v1/complaints/?overdue=true").json()["count"] == 0
    assert api.get("/api/v1/complaints/?stage=9").status_code == 400
    page = api.get("/api/v1/complaints/?page_size=2").json()
    assert set(page) == {"count", "next", "previous", "results"} and len(page["results"]) == 2


def test_overdue_filter_finds_complaints_past_their_deadline(api_client_for):
    with time_machine.travel(at("2023-01-09", 12), tick=False):
        walk(complaint(received_at=at("2023-01-09", 9)), ["allocate"])
    api = api_client_for(Role.MANAGER)
    results = api.get("/api/v1/complaints/?overdue=true").json()["results"]
    assert [r["overdue"] for r in results] == [True]


@pytest.mark.parametrize(
    ("role", "process", "expected"),
    [
        (Role.COMPLAINTS_OFFICER, "statutory", 404),
        (Role.LEGAL, "corporate", 404),
        (Role.ADVISER, "corporate", 404),
        (Role.SOCIAL_CARE_COMPLAINTS, "corporate", 404),
        (Role.SOCIAL_CARE_COMPLAINTS, "statutory", 200),
        (Role.MANAGER, "statutory", 200),
        (Role.PARTNER, "corporate", 404),
    ],
)
def test_read_answers_404_outside_the_callers_scope(api_client_for, role, process, expected):
    case = complaint(process=process)
    assert api_client_for(role).get(f"/api/v1/complaints/{case.pk}/").status_code == expected


def test_unknown_complaint_answers_404(api_client_for):
    assert api_client_for(Role.MANAGER).get("/api/v1/complaints/999999/").status_code == 404


def test_partner_gets_the_201_answer_and_404_on_later_reads(api_client_for):
    """API.md v1.1: "a partner key gets the 201 answer and 404 on later reads"."""
    partner = api_client_for(Role.PARTNER)
    created = _create(partner)
    assert created.status_code == 201
    body = created.json()
    complaint_id = body["id"]
    assert (body["process"], body["stage"], body["status"]) == ("corporate", 1, "awaiting_allocation")
    assert Complaint.objects.get(pk=complaint_id).created_by == partner.user
    assert partner.get(f"/api/v1/complaints/{complaint_id}/").status_code == 404
    assert partner.get("/api/v1/complaints/").json()["count"] == 0
    assert partner.post(f"/api/v1/complaints/{complaint_id}/close/", {}, format="json").status_code == 404


@pytest.mark.parametrize("process", ["corporate", "statutory"])
def test_advisers_take_complaints_through_the_api_and_later_reads_follow_visibility(
        api_client_for, process):
    """API.md v1.1: advisers may POST complaints; a statutory one goes straight to the social
    care complaints team; later reads as the visibility rules say."""
    adviser = api_client_for(Role.ADVISER)
    created = _create(adviser, process=process)
    assert created.status_code == 201
    complaint_id = created.json()["id"]
    assert created.json()["process"] == process
    assert adviser.get(f"/api/v1/complaints/{complaint_id}/").status_code == 404
    team = api_client_for(Role.SOCIAL_CARE_COMPLAINTS if process == "statutory"
                          else Role.COMPLAINTS_OFFICER)
    assert team.get(f"/api/v1/complaints/{complaint_id}/").status_code == 200
    other_team = api_client_for(Role.COMPLAINTS_OFFICER if process == "statutory"
                                else Role.LEGAL)
    assert other_team.get(f"/api/v1/complaints/{complaint_id}/").status_code == 404


def test_a_complaint_names_the_contact_it_arrived_with(api_client_for):
    from tests.factories import ContactFactory

    partner = api_client_for(Role.PARTNER)
    customer = CustomerFactory()
    contact = partner.post("/api/v1/contacts/", {
        "channel": "web", "service": ServiceFactory(code="waste").code, "customer": customer.pk,
        "summary": "Complained about the crew.", "avoidable": False}, format="json").json()
    created = _create(partner, customer=customer.pk, contact=contact["id"])
    assert created.status_code == 201, created.json()
    assert created.json()["contact"] == contact["id"]
    assert Complaint.objects.get(pk=created.json()["id"]).contact_id == contact["id"]
    # The same customer's contact, and one the caller may see.
    other_customers = ContactFactory(customer=CustomerFactory())
    assert _create(partner, customer=customer.pk, contact=contact["id"] + 10 ** 6).json() == {
        "contact": ["No such contact."]}
    adviser = api_client_for(Role.ADVISER)
    assert _create(adviser, customer=customer.pk, contact=other_customers.pk).json() == {
        "contact": ["The contact is not this customer's."]}
    assert _create(partner, customer=customer.pk, contact=other_customers.pk).json() == {
        "contact": ["No such contact."]}
    assert "contact" in _create(partner, contact="one").json()
    assert Complaint.objects.count() == 1


def test_back_office_officers_take_the_complaints_that_reach_them(api_client_for):
    assert _create(api_client_for(Role.BACK_OFFICE)).status_code == 201


def test_allocated_officer_may_respond_but_not_escalate(api_client_for):
    api = api_client_for(Role.BACK_OFFICE)
    case = walk(complaint(), ["allocate"], officer=api.user)
    url = f"/api/v1/complaints/{case.pk}/"
    answered = api.post(url + "respond/", {"outcome": "upheld", "response": "Done"}, format="json")
    assert answered.status_code == 200
    assert api.post(url + "escalate/", {"reason": "x"}, format="json").status_code == 403
    assert Complaint.objects.get(pk=case.pk).status == "responded"


def test_schema_describes_every_complaints_endpoint(api_client_for):
    schema = api_client_for(Role.MANAGER).get("/api/schema/?format=json").json()
    paths = schema["paths"]
    assert "/api/v1/complaints/" in paths
    for slug in ("allocate", "interim-response", "respond", "escalate", "make-statutory",
                 "refer-to-ombudsman", "close"):
        operation = paths[f"/api/v1/complaints/{{complaint_id}}/{slug}/"]["post"]
        assert "409" in operation["responses"]
    respond = paths["/api/v1/complaints/{complaint_id}/respond/"]["post"]
    ref = respond["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert set(schema["components"]["schemas"][ref]["required"]) == {"outcome", "response"}
