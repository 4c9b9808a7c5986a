"""The acknowledge and extend actions through the API (API.md v1.2: 200, 400 with field errors,
409) and on the case page (offered only when the table and the rule set allow them).

Dates cross Christmas Day Friday 25 December 2026, the Boxing Day substitute Monday 28 December
2026 and New Year's Day Friday 1 January 2027 (England bank holidays)."""

import pytest
import time_machine

from complaints import services
from complaints.models import ComplaintRuleSet
from core.roles import Role
from tests.complaints.factories import at, complaint, walk

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _after_the_events():
    with time_machine.travel(at("2027-06-01", 12), tick=False):
        yield


@pytest.fixture
def lgsco():
    services.rule_set_activate(rule_set=ComplaintRuleSet.objects.get(code="lgsco-2026"))


def _url(case, action=""):
    return f"/api/v1/complaints/{case.pk}/{action + '/' if action else ''}"


# --- API -----------------------------------------------------------------------------------------


def test_api_acknowledge_then_extend_under_lgsco(api_client_for, lgsco):
    api = api_client_for(Role.COMPLAINTS_OFFICER)
    created = api.post("/api/v1/complaints/", {
        "customer": complaint().customer.pk, "service": complaint().service.code, "summary": "Missed bins",
        "process": "corporate", "received_at": "2026-12-22T09:00:00Z"}, format="json").json()
    assert created["due_date"] == "2026-12-31"
    assert {key: created["stages"][0][key] for key in
            ("acknowledged_at", "acknowledgement_due_date", "extended_by_working_days", "due_date")} == {
        "acknowledged_at": None, "acknowledgement_due_date": "2026-12-31", "extended_by_working_days": 0,
        "due_date": None}
    case_url = f"/api/v1/complaints/{created['id']}/"
    acknowledged = api.post(case_url + "acknowledge/", {"at": "2026-12-24T10:00:00Z"}, format="json")
    assert acknowledged.status_code == 200, acknowledged.json()
    body = acknowledged.json()
    assert body["due_date"] == body["stages"][0]["due_date"] == "2027-01-12"
    assert body["stages"][0]["acknowledged_at"].startswith("2026-12-24T10:00:00")
    assert body["events"][-1]["action"] == "acknowledge"
    extended = api.post(case_url + "extend/", {"working_days": 10, "reason": "Awaiting the crew's report.",
                                               "at": "2027-01-05T10:00:00Z"}, format="json")
    assert extended.status_code == 200, extended.json()
    body = extended.json()
    stage = body["stages"][0]
    assert (body["due_date"], stage["due_date"], stage["extended_by_working_days"]) == (
        "2027-01-26", "2027-01-26", 10)
    event = body["events"][-1]
    assert (event["action"], event["note"]) == ("extend", "Awaiting the crew's report.")


def test_api_extend_beyond_the_limit_answers_400(api_client_for, lgsco):
    case = walk(complaint(received_at=at("2026-12-22", 9)), ["acknowledge"], at_times=[at("2026-12-24", 10)])
    api = api_client_for(Role.COMPLAINTS_OFFICER)
    over = api.post(_url(case, "extend"), {"working_days": 11, "reason": "More time."}, format="json")
    assert over.status_code == 400
    assert over.json() == {"working_days": ["The response can be extended by at most 10 working days at "
                                            "this stage."]}
    assert api.get(_url(case)).json()["due_date"] == "2027-01-12"


def test_api_extend_under_a_rule_set_without_extensions_answers_400(api_client_for):
    case = walk(complaint(received_at=at("2026-12-22", 9)), ["allocate"], at_times=[at("2026-12-22", 11)])
    response = api_client_for(Role.COMPLAINTS_OFFICER).post(
        _url(case, "extend"), {"working_days": 1, "reason": "More time."}, format="json")
    assert response.status_code == 400
    assert "working_days" in response.json()


@pytest.mark.parametrize(("body", "fields"), [
    ({}, {"working_days", "reason"}),
    ({"working_days": "ten", "reason": "Why"}, {"working_days"}),
    ({"working_days": 0, "reason": "Why"}, {"working_days"}),
    ({"working_days": 5, "reason": ""}, {"reason"}),
    ({"working_days": 5, "reason": "Why", "at": "soon"}, {"at"}),
])
def test_api_extend_with_missing_or_invalid_input_answers_400_naming_the_fields(api_client_for, lgsco,
                                                                              body, fields):
    case = walk(complaint(received_at=at("2026-12-22", 9)), ["acknowledge"], at_times=[at("2026-12-24", 10)])
    response = api_client_for(Role.COMPLAINTS_OFFICER).post(_url(case, "extend"), body, format="json")
    assert response.status_code == 400
    assert set(response.json()) == fields


def test_api_acknowledge_twice_or_after_the_response_answers_409(api_client_for, lgsco):
    api = api_client_for(Role.COMPLAINTS_OFFICER)
    case = walk(complaint(received_at=at("2026-12-22", 9)), ["acknowledge"], at_times=[at("2026-12-24", 10)])
    again = api.post(_url(case, "acknowledge"), {}, format="json")
    assert again.status_code == 409
    assert again.json() == {"detail": "The complaint has already been acknowledged at this stage."}
    answered = walk(complaint(received_at=at("2026-12-22", 9)), ["allocate", "respond"],
                    at_times=[at("2026-12-22", 10), at("2026-12-23", 10)])
    assert api.post(_url(answered, "acknowledge"), {}, format="json").status_code == 409


def test_api_extend_in_a_state_the_table_forbids_answers_409(api_client_for, lgsco):
    api = api_client_for(Role.COMPLAINTS_OFFICER)
    answered = walk(complaint(received_at=at("2026-12-22", 9)), ["acknowledge", "allocate", "respond"],
                    at_times=[at("2026-12-23", 10), at("2026-12-23", 11), at("2026-12-24", 10)])
    body = {"working_days": 5, "reason": "More time."}
    assert api.post(_url(answered, "extend"), body, format="json").status_code == 409
    not_acknowledged = complaint(received_at=at("2026-12-22", 9))
    early = api.post(_url(not_acknowledged, "extend"), body, format="json")
    assert early.status_code == 409
    assert "acknowledge the complaint first" in early.json()["detail"]


def test_api_allocated_officer_may_not_acknowledge_or_extend(api_client_for, lgsco):
    officer_api = api_client_for(Role.BACK_OFFICE)
    case = walk(complaint(received_at=at("2026-12-22", 9)), ["allocate"], officer=officer_api.user,
                at_times=[at("2026-12-22", 10)])
    assert officer_api.post(_url(case, "acknowledge"), {}, format="json").status_code == 403
    assert officer_api.post(_url(case, "extend"), {"working_days": 1, "reason": "x"},
                            format="json").status_code == 403


# --- Pages ---------------------------------------------------------------------------------------


def test_case_page_offers_acknowledge_then_extend_under_lgsco(client_for, lgsco):
    client = client_for(Role.COMPLAINTS_OFFICER)
    case = complaint(received_at=at("2026-12-22", 9))
    acknowledge = f'action="/complaints/{case.pk}/acknowledge/"'
    extend = f'action="/complaints/{case.pk}/extend/"'
    page = client.get(f"/complaints/{case.pk}/").content.decode()
    assert acknowledge in page and extend not in page
    assert "Due 31 Dec 2026" in page and "Acknowledgement due Thursday 31 December 2026" in page
    with time_machine.travel(at("2026-12-24", 10), tick=False):
        response = client.post(f"/complaints/{case.pk}/acknowledge/")
    assert response.status_code == 302
    page = client.get(f"/complaints/{case.pk}/").content.decode()
    assert acknowledge not in page and extend in page
    assert "12 Jan 2027" in page and "Acknowledged" in page


def test_case_page_does_not_offer_extend_under_strategy(client_for):
    client = client_for(Role.COMPLAINTS_OFFICER)
    case = walk(complaint(received_at=at("2026-12-22", 9)), ["allocate"], at_times=[at("2026-12-22", 11)])
    page = client.get(f"/complaints/{case.pk}/").content.decode()
    assert f'action="/complaints/{case.pk}/acknowledge/"' in page
    assert f'action="/complaints/{case.pk}/extend/"' not in page


def test_extend_page_form_shows_gov_uk_errors_and_the_services_limit(client_for, lgsco):
    client = client_for(Role.COMPLAINTS_OFFICER)
    case = walk(complaint(received_at=at("2026-12-22", 9)), ["acknowledge"], at_times=[at("2026-12-24", 10)])
    empty = client.post(f"/complaints/{case.pk}/extend/", {"extend-working_days": "", "extend-reason": ""})
    assert empty.status_code == 400
    page = empty.content.decode()
    assert "govuk-error-summary" in page
    assert "Enter how many working days to extend the deadline by." in page
    assert "Enter why the response needs more time." in page
    over = client.post(f"/complaints/{case.pk}/extend/", {"extend-working_days": "11",
                                                          "extend-reason": "A report."})
    assert over.status_code == 400
    assert "The response can be extended by at most 10 working days at this stage." in over.content.decode()
    done = client.post(f"/complaints/{case.pk}/extend/", {"extend-working_days": "10",
                                                          "extend-reason": "A report."})
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.due_date.isoformat() == "2027-01-26"
    page = client.get(f"/complaints/{case.pk}/").content.decode()
    assert "Response deadline extended" in page and "extended by 10 working days" in page


def test_each_extension_tells_the_complainant_its_new_date(lgsco):
    """Two extensions in one stage (3, then 4 more working days): two messages, not one."""
    from core.models import MessageType, OutboundMessage
    from tests.factories import CustomerFactory

    customer = CustomerFactory(email="petra@example.com", message_channel="email", consent_email=True)
    case = complaint(customer=customer, received_at=at("2026-12-22", 9))
    services.complaint_acknowledge(complaint=case, actor=None, at=at("2026-12-24", 10))
    for days in (3, 4):
        services.complaint_extend(complaint=case, actor=None, working_days=days, reason="Awaiting a report",
                                  at=at("2027-01-05", 10 + days))
    told = OutboundMessage.objects.filter(message_type=MessageType.COMPLAINT_EXTENDED).order_by("pk")
    # Response due 12 Jan 2027; +3 working days = 15 Jan; +7 in all = 21 Jan.
    assert [("15 January 2027" in m.body, "21 January 2027" in m.body) for m in told] == [
        (True, False), (False, True)]
