"""The contact rules through the partner API (API.md, "Contacts", "Added in v1.1"): chasing,
possible repeats, the override reason, first-contact resolution, back-office officers, what the
schema shows, and that a POST costs no more statements than before the rules moved."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contacts.models import Contact
from core.roles import Role
from handoffs.models import Handoff
from handoffs.services import handoff_resolve
from tests.factories import CustomerFactory

URL = "/api/v1/contacts/"


@pytest.fixture
def partner(api_client_for):
    return api_client_for(Role.PARTNER, name="street-reporting")


def _body(**overrides):
    body = {"channel": "telephone", "service": "waste", "enquiry_type": "missed-bin",
            "summary": "Bin missed again.", "avoidable": False}
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not ...}


def _first(partner, customer, **overrides):
    response = partner.post(URL, _body(customer=customer.pk, **overrides), format="json")
    assert response.status_code == 201, response.json()
    return response.json()


# --- chasing ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_contact_chasing_an_open_enquiry_is_one_and_done_progress_chasing_with_no_new_handoff(
        partner, catalogue):
    customer = CustomerFactory()
    first = _first(partner, customer)
    handoff_id = first["handoff"]["id"]
    response = partner.post(URL, _body(customer=customer.pk, chasing=handoff_id,
                                       summary="Where is my bin?"), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["chasing"], body["repeat_of"], body["possible_repeat_of"]) == (
        handoff_id, first["id"], None)
    assert (body["handoff_method"], body["handoff"], body["resolved_at_first_contact"]) == (
        "one_and_done", None, True)
    assert (body["avoidable"], body["avoidable_reason"]) == (True, "progress_chasing")
    assert body["handoff_override_reason"] == f"Chases enquiry {handoff_id}, already with the back office."
    assert Handoff.objects.count() == 1
    # The list shows the same.
    listed = next(c for c in partner.get(URL).json()["results"] if c["id"] == body["id"])
    assert (listed["chasing"], listed["possible_repeat_of"]) == (handoff_id, None)


@pytest.mark.django_db
def test_chasing_keeps_another_reason_given(partner, catalogue):
    customer = CustomerFactory()
    first = _first(partner, customer)
    body = partner.post(URL, _body(customer=customer.pk, chasing=first["handoff"]["id"],
                                   avoidable=True, avoidable_reason="seeking_clarification"),
                        format="json").json()
    assert body["avoidable_reason"] == "seeking_clarification"


@pytest.mark.django_db
def test_an_unknown_resolved_or_other_customers_enquiry_cannot_be_chased(partner, catalogue):
    customer = CustomerFactory()
    first = _first(partner, customer)
    someone_else = _first(partner, CustomerFactory())
    handoff = Handoff.objects.get(pk=first["handoff"]["id"])

    def chase(handoff_id, **overrides):
        response = partner.post(URL, _body(customer=customer.pk, chasing=handoff_id, **overrides),
                                format="json")
        assert response.status_code == 400
        return response.json()

    assert chase(987654) == {"chasing": ["There is no enquiry 987654."]}
    other_id = someone_else["handoff"]["id"]
    assert chase(other_id) == {"chasing": [f"Enquiry {other_id} is not this customer's."]}
    assert chase(handoff.pk, service="council-tax", enquiry_type="balance-enquiry") == {
        "chasing": [f"Enquiry {handoff.pk} is about Waste and Recycling: log the contact under "
                    "that service."]}
    assert chase(handoff.pk, handoff_method="fire_and_forget") == {
        "handoff_method": ["A contact chasing an open enquiry opens no new hand-off: it is One & "
                           "Done."]}
    assert "chasing" in chase("one")
    assert "chasing" in chase(0)
    assert "chasing" in chase(2 ** 64)
    handoff_resolve(handoff=handoff, actor=handoff.team.lead, outcome="Collected.")
    assert chase(handoff.pk) == {"chasing": [
        f"Enquiry {handoff.pk} is resolved: a new contact about it is a new enquiry."]}
    anonymous = partner.post(URL, _body(chasing=other_id), format="json")
    assert anonymous.json() == {"chasing": [f"Enquiry {other_id} is not this customer's."]}
    assert Contact.objects.count() == 2


# --- possible_repeat_of -------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_suspected_repeat_not_declared_chasing_opens_its_own_enquiry_and_is_flagged(
        partner, catalogue, settings):
    customer = CustomerFactory()
    first = _first(partner, customer)
    second = _first(partner, customer, summary="Bin missed on Friday too.")
    assert (second["possible_repeat_of"], second["chasing"], second["repeat_of"]) == (
        first["handoff"]["id"], None, None)
    assert second["handoff"]["id"] != first["handoff"]["id"]  # its own enquiry
    assert second["avoidable"] is False  # suggested to the reviewer, never pre-set
    assert Contact.objects.get(pk=second["id"]).possible_repeat_of_id == first["id"]
    # Another service, or outside the repeat window, is no repeat.
    tax = _first(partner, customer, service="council-tax", enquiry_type="balance-enquiry")
    assert tax["possible_repeat_of"] is None
    settings.REPEAT_CONTACT_WINDOW_WORKING_DAYS = 1
    later = _first(partner, customer, received_at=(timezone.now() + timedelta(days=0)).isoformat())
    assert later["possible_repeat_of"] == second["handoff"]["id"]  # the newest open one
    old_customer = CustomerFactory()
    _first(partner, old_customer, received_at=(timezone.now() - timedelta(days=30)).isoformat())
    assert _first(partner, old_customer)["possible_repeat_of"] is None


# --- handoff_override_reason --------------------------------------------------------------------


@pytest.mark.django_db
def test_a_method_other_than_the_enquiry_types_records_why(partner, api_client_for, catalogue):
    staff = api_client_for(Role.ADVISER)
    refused = staff.post(URL, _body(handoff_method="customer_advocate"), format="json")
    assert refused.status_code == 400
    assert refused.json() == {"handoff_override_reason": [
        "Say why this contact needs Customer Advocate rather than Fire and Forget."]}
    given = staff.post(URL, _body(handoff_method="customer_advocate",
                                  handoff_override_reason="Vulnerable caller."), format="json")
    assert given.status_code == 201
    assert (given.json()["handoff_override_reason"], given.json()["handoff"]["method"]) == (
        "Vulnerable caller.", "customer_advocate")
    by_partner = partner.post(URL, _body(handoff_method="customer_advocate"), format="json").json()
    assert by_partner["handoff_override_reason"] == "set by partner street-reporting"
    same = partner.post(URL, _body(handoff_method="fire_and_forget",
                                   handoff_override_reason="No need."), format="json").json()
    assert same["handoff_override_reason"] == ""
    too_long = staff.post(URL, _body(handoff_method="customer_advocate",
                                     handoff_override_reason="x" * 501), format="json")
    assert "handoff_override_reason" in too_long.json()


# --- first-contact resolution -------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("overrides", [
    {"enquiry_type": "missed-bin"},
    {"enquiry_type": "new-bin"},
    {"enquiry_type": "collection-days", "handoff_method": "fire_and_forget"},
])
def test_a_handed_off_contact_resolved_at_first_contact_answers_400(partner, catalogue, overrides):
    response = partner.post(URL, _body(resolved_at_first_contact=True, **overrides), format="json")
    assert response.status_code == 400
    assert response.json()["resolved_at_first_contact"] == [
        "A contact handed off is not resolved at first contact."]
    assert not Contact.objects.exists()


# --- back-office officers -----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_back_office_officer_logs_a_contact_counted_in_ni14(api_client_for, catalogue):
    officer = api_client_for(Role.BACK_OFFICE)
    manager = api_client_for(Role.MANAGER)
    before = manager.get("/api/v1/reports/ni14/").json()["total_contacts"]
    response = officer.post(URL, _body(enquiry_type="collection-days", channel="letter"),
                            format="json")
    assert response.status_code == 201
    assert Contact.objects.get().handled_by == officer.user
    assert manager.get("/api/v1/reports/ni14/").json()["total_contacts"] == before + 1
    assert officer.get(URL).json()["count"] == 1


# --- idempotent replays keep the v1.1 fields ----------------------------------------------------


@pytest.mark.django_db
def test_a_replayed_chase_answers_the_same_body(partner, catalogue):
    customer = CustomerFactory()
    first = _first(partner, customer)
    body = _body(customer=customer.pk, chasing=first["handoff"]["id"])
    once = partner.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="chase-1")
    again = partner.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="chase-1")
    assert (once.status_code, again.status_code) == (201, 200)
    assert again.json() == once.json()
    flagged = _body(customer=customer.pk)
    once = partner.post(URL, flagged, format="json", HTTP_IDEMPOTENCY_KEY="flag-1")
    again = partner.post(URL, flagged, format="json", HTTP_IDEMPOTENCY_KEY="flag-1")
    assert again.json() == once.json() and once.json()["possible_repeat_of"] is not None


# --- the schema ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_schema_shows_every_v1_1_field_and_who_may_post_complaints(api_client_for):
    schema = api_client_for(Role.ADVISER).get("/api/schema/", {"format": "json"}).json()
    components = schema["components"]["schemas"]
    request = components["ContactCreateRequest"]["properties"]
    assert {"chasing", "handoff_override_reason"} <= set(request)
    assert request["chasing"]["type"] == "integer" and "progress_chasing" in request["chasing"]["description"]
    assert "set by partner <name>" in request["handoff_override_reason"]["description"]
    assert "not resolved at first contact" in request["resolved_at_first_contact"]["description"]
    contact = components["Contact"]["properties"]
    assert {"chasing", "possible_repeat_of", "handoff_override_reason", "handoff"} <= set(contact)
    assert contact["possible_repeat_of"]["nullable"] is True
    post = schema["paths"]["/api/v1/contacts/"]["post"]
    assert "back-office officers" in post["description"] and "partner keys" in post["description"]
    complaint_post = schema["paths"]["/api/v1/complaints/"]["post"]
    assert "advisers" in complaint_post["description"] and "partner keys" in complaint_post["description"]
    assert "social care complaints team" in complaint_post["description"]
    complaint_request = components["ComplaintCreateRequest"]["properties"]
    assert complaint_request["contact"]["type"] == "integer"
    assert "contact" in components["Complaint"]["properties"]


# --- what a POST costs --------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_post_costs_the_same_statements_as_before_and_no_savepoint(api_client_for, catalogue):
    """Issue 9's write path, kept (issue 15) and cut (issue 23): the rules read only what they
    need and the writes are all or nothing. One & Done with a customer: the key with its roles,
    the enquiry type with its service, the customer, the calendar's closure days, the open
    enquiry a repeat may be about, the sampling period; then one statement writes the contact
    and its audit row, with no transaction begun for it. A hand-off makes it a transaction:
    BEGIN, that statement, the hand-off's row, its timeline entry, its audit row, the calendar
    for its due date, COMMIT."""
    if connection.vendor != "postgresql":
        pytest.skip("the key is read with its roles in one statement on PostgreSQL only")
    partner = api_client_for(Role.PARTNER)
    customer = CustomerFactory()
    partner.post(URL, _body(enquiry_type="collection-days"), format="json")  # the key is used once

    def statements(**overrides):
        with CaptureQueriesContext(connection) as captured:
            response = partner.post(URL, _body(customer=customer.pk, **overrides), format="json")
        assert response.status_code == 201, response.json()
        sqls = [q["sql"] for q in captured.captured_queries]
        assert not any("SAVEPOINT" in sql for sql in sqls), sqls
        return sqls

    one_and_done = statements(enquiry_type="collection-days")
    assert len(one_and_done) == 7
    assert "BEGIN" not in one_and_done and "COMMIT" not in one_and_done
    assert one_and_done[-1].startswith('WITH created AS (INSERT INTO "contacts_contact"')
    handed_off = statements(enquiry_type="missed-bin")
    assert len(handed_off) == 13
    assert handed_off[handed_off.index("BEGIN") + 1].startswith("WITH created AS")
    assert handed_off[-1] == "COMMIT"
    chase = Handoff.objects.get().pk
    # A chase reads the enquiry and the progress-chasing reason, and no repeat candidates.
    assert len(statements(chasing=chase)) == 7
