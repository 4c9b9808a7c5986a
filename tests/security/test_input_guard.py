"""The one input guard (issue 24, item 1): characters PostgreSQL or XML cannot hold are refused
with a 400 naming the field at every door, before any query; client dates are bounded; the API
writes every timestamp as RFC 3339. Each finding of the fuzzing has a test named after the input
that broke it."""

import json
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from complaints.models import Complaint
from core.input_guard import CHARACTER_MESSAGE, rfc3339
from core.roles import Role
from tests.complaints.factories import complaint as make_complaint
from tests.factories import CustomerFactory, EnquiryTypeFactory, ServiceFactory, TeamFactory

# RFC 3339 section 5.6 date-time: the offset is Z or +hh:mm, never seconds.
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


@pytest.fixture
def waste(db):
    service = ServiceFactory(code="waste", name="Waste")
    EnquiryTypeFactory(service=service, code="missed-bin", team=TeamFactory(),
                       handoff_method="fire_and_forget")
    return service


def _contact(**fields):
    return {"channel": "telephone", "service": "waste", "summary": "Missed bin.",
            "avoidable": False, **fields}


# --- NUL and other unstorable characters ----------------------------------------------------------


def test_nul_byte_in_contact_service_is_400_naming_service(api_client_for, waste):
    api = api_client_for(Role.PARTNER)
    with CaptureQueriesContext(connection) as queries:
        response = api.post("/api/v1/contacts/", _contact(service="waste\x00"), format="json")
    assert response.status_code == 400
    assert response.json() == {"service": [CHARACTER_MESSAGE]}
    assert len(queries) == 0  # refused before any query, the key's look-up included


@pytest.mark.parametrize("text", ["a\x00b", "\x01", "\x1f", "\x0b", "\ud800", "\udfff", "\uffff", "\ufffe"])
def test_each_unstorable_character_in_a_contact_summary_is_400(api_client_for, waste, text):
    api = api_client_for(Role.PARTNER)
    body = json.dumps(_contact(summary=f"Missed {text} bin."))  # escaped as \\uXXXX by json.dumps
    response = api.generic("POST", "/api/v1/contacts/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"summary": [CHARACTER_MESSAGE]}


def test_nul_byte_nested_in_a_remedy_names_the_top_level_field(api_client_for, waste):
    api = api_client_for(Role.MANAGER)
    response = api.post("/api/v1/complaints/1/respond/",
                        {"outcome": "upheld", "response": "Sorry.", "remedy": {"detail": "\x00"}},
                        format="json")
    assert response.status_code == 400
    assert response.json() == {"remedy": [CHARACTER_MESSAGE]}


def test_tab_newline_emoji_and_an_escaped_backslash_u0000_are_ordinary_text(api_client_for, waste):
    api = api_client_for(Role.PARTNER)
    summary = "Tab\there,\r\nnew line, a bin \U0001f5d1 and the six characters \\u0000."
    response = api.post("/api/v1/contacts/", _contact(summary=summary), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["summary"] == summary


def test_nul_byte_in_ni14_site_query_is_400_naming_site(api_client_for, db):
    api = api_client_for(Role.MANAGER)
    response = api.get("/api/v1/reports/ni14/", {"site": "\x00"})
    assert response.status_code == 400
    assert response.json() == {"site": [CHARACTER_MESSAGE]}


def test_nul_byte_in_idempotency_key_header_is_400_naming_the_header(api_client_for, waste):
    api = api_client_for(Role.PARTNER)
    response = api.post("/api/v1/contacts/", _contact(), format="json", HTTP_IDEMPOTENCY_KEY="k\x00")
    assert response.status_code == 400
    assert response.json() == {"Idempotency-Key": [CHARACTER_MESSAGE]}


def test_raw_multipart_body_with_no_content_type_to_auth_token_is_400_not_415(client, db):
    """Seed 404 of `make fuzz`: schemathesis sent a raw multipart body with no boundary, so no
    Content-Type, and DRF answered 415, a status API.md does not have."""
    response = client.generic("POST", "/api/v1/auth/token/",
                              "--f5ea\r\n{\U000d567a\u009a\u0094\u00f7+--f5ea--\r\n".encode(),
                              content_type="")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": [
        "Send the body as JSON with the header Content-Type: application/json (this request's "
        "Content-Type was missing)."]}


def test_csv_body_to_the_contacts_endpoint_is_400_naming_the_content_type(api_client_for, waste):
    api = api_client_for(Role.PARTNER)
    response = api.generic("POST", "/api/v1/contacts/", b"channel,service\ntelephone,waste\n",
                           content_type="text/csv")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": [
        "Send the body as JSON with the header Content-Type: application/json (this request's "
        "Content-Type was text/csv)."]}


def test_nul_byte_in_open311_post_is_400_in_georeport_errors(client, db):
    for suffix in ("json", "xml"):
        response = client.post(f"/open311/v2/requests.{suffix}",
                               {"api_key": "k", "service_code": "pothole", "description": "Hole\x00"})
        assert response.status_code == 400
        if suffix == "json":
            assert response.json() == [{"code": 400, "description": f"description: {CHARACTER_MESSAGE}"}]
        else:
            assert b"<errors><error><code>400</code><description>description: " in response.content


def test_nul_byte_in_open311_query_is_400(client, db):
    response = client.get("/open311/v2/requests.json", {"service_code": "pot\x00hole"})
    assert response.status_code == 400
    assert response.json()[0]["description"].startswith("service_code: ")


def test_nul_byte_in_a_page_form_is_the_400_page_naming_the_field(client_for):
    client = client_for(Role.MANAGER)
    response = client.post("/contacts/customers/new/", {"first_name": "Ann\x00", "last_name": "Lee"})
    assert response.status_code == 400
    assert b"first_name" in response.content
    assert b"cannot be stored" in response.content


def test_nul_byte_in_a_self_service_form_is_400(client, db):
    response = client.post("/self-service/", {"kind": "\x00"})
    assert response.status_code == 400
    assert b"kind" in response.content


def test_bell_character_in_the_path_is_404_not_a_400(api_client_for, db):
    # Found by the fuzzer: a path names no record with such a character; 404 as API.md says.
    api = api_client_for(Role.MANAGER)
    response = api.get("/api/v1/complaints/%07/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


# --- dates a client sends -----------------------------------------------------------------------


def test_year_392_received_at_on_contacts_is_400(api_client_for, waste):
    api = api_client_for(Role.PARTNER)
    response = api.post("/api/v1/contacts/", _contact(received_at="0392-06-15T19:30:25Z"), format="json")
    assert response.status_code == 400
    assert response.json() == {"received_at": ["The time must be on or after 1900-01-01."]}


def test_year_392_received_at_on_complaints_is_400(api_client_for, waste):
    api = api_client_for(Role.COMPLAINTS_OFFICER)
    response = api.post("/api/v1/complaints/", {
        "customer": CustomerFactory().pk, "service": "waste", "summary": "Bins.",
        "process": "corporate", "received_at": "0392-06-15T19:30:25.633165Z"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"received_at": ["The time must be on or after 1900-01-01."]}


def test_the_earliest_date_is_a_setting(api_client_for, waste, settings):
    settings.CLIENT_DATE_EARLIEST = date(2000, 1, 1)
    api = api_client_for(Role.PARTNER)
    response = api.post("/api/v1/contacts/", _contact(received_at="1999-12-31T23:00:00Z"), format="json")
    assert response.json() == {"received_at": ["The time must be on or after 2000-01-01."]}
    assert api.post("/api/v1/contacts/", _contact(received_at="2000-01-01T00:00:00Z"),
                    format="json").status_code == 201


def test_year_1899_event_time_on_a_complaint_action_is_400(api_client_for, db):
    api = api_client_for(Role.MANAGER)
    case = make_complaint()
    response = api.post(f"/api/v1/complaints/{case.pk}/close/", {"at": "1899-12-31T23:59:59Z"},
                        format="json")
    assert response.status_code == 400
    assert response.json() == {"at": ["The time must be on or after 1900-01-01."]}


def test_year_0001_ni14_from_date_is_400(api_client_for, db):
    api = api_client_for(Role.MANAGER)
    response = api.get("/api/v1/reports/ni14/", {"from": "0001-01-01"})
    assert response.status_code == 400
    assert response.json() == {"from": ["The date must be on or after 1900-01-01."]}


def test_year_9999_revised_target_date_is_400(api_client_for, db):
    api = api_client_for(Role.MANAGER)
    case = make_complaint()
    response = api.post(f"/api/v1/complaints/{case.pk}/interim-response/",
                        {"note": "Soon.", "revised_target_date": "9999-12-31"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"revised_target_date": ["The date must be on or before 2199-12-31."]}


def test_open311_end_date_in_year_1_is_400_not_an_overflow(client, db):
    response = client.get("/open311/v2/requests.json", {"end_date": "0001-01-05T00:00:00Z"})
    assert response.status_code == 400
    assert response.json()[0]["description"].startswith("end_date must be a w3 date and time")


def test_ombudsman_reference_of_101_characters_is_400_not_a_database_error(api_client_for, db):
    api = api_client_for(Role.MANAGER)
    case = make_complaint()
    response = api.post(f"/api/v1/complaints/{case.pk}/refer-to-ombudsman/", {"reference": "R" * 101},
                        format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["reference"]


# --- timestamps the API returns -----------------------------------------------------------------


def test_rfc3339_gives_a_moment_with_a_seconds_offset_in_utc():
    london = datetime(392, 6, 15, 19, 30, 25, tzinfo=UTC).astimezone(ZoneInfo("Europe/London"))
    assert london.utcoffset() == -timedelta(minutes=1, seconds=15)  # local mean time
    assert rfc3339(london) == "0392-06-15T19:30:25+00:00"
    assert rfc3339(datetime(2026, 7, 1, 12, tzinfo=UTC)) == "2026-07-01T13:00:00+01:00"


def test_a_year_392_complaint_stored_before_the_guard_is_still_answered_in_rfc3339(api_client_for):
    api = api_client_for(Role.MANAGER)
    case = make_complaint()
    Complaint.objects.filter(pk=case.pk).update(
        received_at=datetime(392, 6, 15, 19, 30, 25, 633165, tzinfo=UTC))
    body = api.get(f"/api/v1/complaints/{case.pk}/").json()
    assert body["received_at"] == "0392-06-15T19:30:25.633165Z"
    for event in body["events"]:
        assert RFC3339.match(event["at"]), event["at"]
    assert RFC3339.match(timezone.now().isoformat())
