"""Open311 GeoReport v2 (issue 10): every endpoint and error, answers validated against the
schemas in tests/open311/schemas.py (written from the specification)."""

from datetime import timedelta
from xml.etree import ElementTree

import jsonschema
import pytest
from django.utils import timezone

from contacts.models import Contact
from core.models import ApiToken, ChannelCode
from core.services import api_token_revoke
from handoffs.models import Handoff
from handoffs.services import handoff_accept, handoff_resolve
from open311.models import Open311Request
from tests.open311 import schemas

BASE = "/open311/v2"


def valid(schema, body):
    jsonschema.validate(body, schema, format_checker=jsonschema.FormatChecker())
    return body


def post(client, key, **fields):
    data = {"api_key": key, "service_code": "pothole", "lat": "53.4808", "long": "-2.0931",
            "attribute[depth]": "deep", "description": "Deep hole outside number 12.", **fields}
    return client.post(f"{BASE}/requests.json", {k: v for k, v in data.items() if v is not None})


def error_of(response, status):
    assert response.status_code == status, response.content
    body = valid(schemas.ERRORS, response.json())
    assert body[0]["code"] == status
    return body[0]["description"]


# --- discovery, service list, service definition -------------------------------------------------


def test_discovery_names_the_v2_endpoint_and_its_formats(client, db):
    response = client.get(f"{BASE}/discovery.json")
    body = valid(schemas.DISCOVERY, response.json())
    assert response["Content-Type"].startswith("application/json")
    assert body["endpoints"][0]["url"] == "http://testserver/open311/v2"


def test_service_list_offers_only_active_open311_services(client, pothole, gritting):
    gritting.is_active = False
    gritting.save()
    body = valid(schemas.SERVICE_LIST, client.get(f"{BASE}/services.json").json())
    assert body == [{"service_code": "pothole", "service_name": "Pothole",
                     "description": "A hole in the road.", "metadata": True, "type": "realtime",
                     "keywords": "road, hole", "group": "street"}]


def test_service_list_hides_a_service_whose_enquiry_type_was_retired(client, pothole):
    pothole.enquiry_type.is_active = False
    pothole.enquiry_type.save()
    assert client.get(f"{BASE}/services.json").json() == []


def test_a_service_without_questions_has_no_metadata(client, gritting):
    body = valid(schemas.SERVICE_LIST, client.get(f"{BASE}/services.json").json())
    assert body[0]["metadata"] is False


def test_service_definition_lists_attributes_in_order(client, pothole):
    body = valid(schemas.SERVICE_DEFINITION, client.get(f"{BASE}/services/pothole.json").json())
    assert [a["code"] for a in body["attributes"]] == ["depth", "hazards", "note"]
    depth = body["attributes"][0]
    assert depth["required"] is True and depth["datatype"] == "singlevaluelist"
    assert depth["values"] == [{"key": "shallow", "name": "Under 40mm"},
                               {"key": "deep", "name": "40mm or more"}]
    assert body["attributes"][2]["variable"] is False


def test_unknown_service_definition_is_404(client, db):
    assert "nope" in error_of(client.get(f"{BASE}/services/nope.json"), 404)


def test_xml_is_served_too(client, pothole):
    response = client.get(f"{BASE}/services.xml")
    assert response["Content-Type"].startswith("text/xml")
    root = ElementTree.fromstring(response.content)
    assert root.tag == "services"
    assert root.find("service/service_code").text == "pothole"
    assert root.find("service/metadata").text == "true"
    definition = ElementTree.fromstring(client.get(f"{BASE}/services/pothole.xml").content)
    assert definition.find("attributes/attribute/values/value/key").text == "shallow"


def test_an_unknown_format_is_not_found(client, pothole):
    assert client.get(f"{BASE}/services.csv").status_code == 404


# --- POST requests.json ---------------------------------------------------------------------------


def test_post_records_a_partner_contact_and_its_handoff(client, pothole, partner_key):
    response = post(client, partner_key, **{"attribute[hazards][]": ["cyclists", "school"]},
                    email="ada@example.com", first_name="Ada", last_name="Lovelace",
                    phone="07700 900123", media_url="https://photos.example/1.jpg",
                    address_string="12 Oak Street, Ashton-under-Lyne")
    assert response.status_code == 201
    body = valid(schemas.POST_RESPONSE, response.json())
    contact = Contact.objects.get(pk=body[0]["service_request_id"])
    assert body[0]["service_notice"] == "We inspect within 5 working days."
    assert contact.channel == ChannelCode.PARTNER and contact.source == Contact.Source.OPEN311
    assert contact.enquiry_type == pothole.enquiry_type
    assert contact.created_by.groups.filter(name="partner").exists()
    assert contact.summary == "Deep hole outside number 12."
    assert contact.handoffs.get().team.code == "highways-maintenance"
    assert contact.handoffs.get().status == Handoff.Status.OPEN
    stored = contact.open311_request
    assert stored.attributes == {"depth": "deep", "hazards": ["cyclists", "school"]}
    assert (stored.email, stored.first_name, stored.media_url) == (
        "ada@example.com", "Ada", "https://photos.example/1.jpg")
    assert str(stored.lat) == "53.480800"


def test_post_with_an_address_id_only(client, pothole, partner_key):
    response = post(client, partner_key, lat=None, long=None, address_id="100012345678")
    assert response.status_code == 201
    assert Open311Request.objects.get().address_id == "100012345678"


def test_a_one_and_done_service_is_closed_at_once(client, gritting, partner_key):
    response = post(client, partner_key, service_code="gritting", **{"attribute[depth]": None})
    contact = Contact.objects.get(pk=response.json()[0]["service_request_id"])
    assert not contact.handoffs.exists()
    detail = client.get(f"{BASE}/requests/{contact.pk}.json").json()[0]
    assert detail["status"] == "closed" and detail["expected_datetime"] is None


def test_a_description_over_2000_characters_is_kept_whole(client, pothole, partner_key):
    text = "x" * 4000
    contact_id = post(client, partner_key, description=text).json()[0]["service_request_id"]
    contact = Contact.objects.get(pk=contact_id)
    assert len(contact.summary) == 2000 and contact.open311_request.description == text
    assert client.get(f"{BASE}/requests/{contact_id}.json").json()[0]["description"] == text


@pytest.mark.parametrize(("fields", "status", "words"), [
    ({"api_key": None}, 403, "api_key"),
    ({"api_key": "not-a-key"}, 403, "api_key"),
    ({"service_code": None}, 400, "service_code"),
    ({"service_code": "unicorns"}, 404, "unicorns"),
    ({"lat": None, "long": None}, 400, "location"),
    ({"long": None}, 400, "together"),
    ({"lat": "north"}, 400, "lat"),
    ({"lat": "91"}, 400, "lat"),
    ({"address_id": "12-34"}, 400, "UPRN"),
    ({"attribute[depth]": None}, 400, "depth"),
    ({"attribute[depth]": "bottomless"}, 400, "depth"),
    ({"attribute[hazards][]": ["cyclists", "sharks"]}, 400, "sharks"),
    ({"attribute[colour]": "grey"}, 400, "colour"),
    ({"description": "x" * 4001}, 400, "4000"),
    ({"email": "not an email"}, 400, "email"),
    ({"media_url": "javascript:alert(1)"}, 400, "media_url"),
    ({"first_name": "x" * 101}, 400, "first_name"),
])
def test_post_errors(client, pothole, partner_key, fields, status, words):
    fields = {"api_key": partner_key, **fields}
    response = post(client, fields.pop("api_key"), **fields)
    assert words in error_of(response, status)
    assert not Contact.objects.exists()


def test_staff_and_revoked_keys_are_not_partner_keys(client, pothole, partner_key, staff_key):
    assert "api_key" in error_of(post(client, staff_key), 403)
    api_token_revoke(token=ApiToken.objects.get(user__username="partner-street-app"))
    assert "api_key" in error_of(post(client, partner_key), 403)


def test_post_errors_come_as_xml_from_the_xml_endpoint(client, pothole):
    response = client.post(f"{BASE}/requests.xml", {"service_code": "pothole"})
    assert response.status_code == 403
    root = ElementTree.fromstring(response.content)
    assert root.tag == "errors" and root.find("error/code").text == "403"


def test_the_same_form_posted_twice_makes_one_request(client, pothole, partner_key):
    first = post(client, partner_key)
    second = post(client, partner_key)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json()
    assert Contact.objects.count() == 1 and Handoff.objects.count() == 1


def test_an_idempotency_key_replays_and_refuses_another_body(client, pothole, partner_key):
    headers = {"Idempotency-Key": "report-42"}
    first = client.post(f"{BASE}/requests.json", {"api_key": partner_key, "service_code": "pothole",
                        "address_string": "Oak St", "attribute[depth]": "deep"}, headers=headers)
    again = client.post(f"{BASE}/requests.json", {"api_key": partner_key, "service_code": "pothole",
                        "address_string": "Oak St", "attribute[depth]": "deep"}, headers=headers)
    other = client.post(f"{BASE}/requests.json", {"api_key": partner_key, "service_code": "pothole",
                        "address_string": "Elm St", "attribute[depth]": "deep"}, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert "Idempotency-Key" in error_of(other, 400)
    assert Contact.objects.count() == 1


def test_a_failure_part_way_leaves_nothing_behind(client, pothole, partner_key, monkeypatch):
    """Atomic: if the Open311 row cannot be written, the contact and hand-off roll back too."""
    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Open311Request.objects, "create", broken)
    client.raise_request_exception = False
    assert post(client, partner_key).status_code == 500
    assert not Contact.objects.exists() and not Handoff.objects.exists()


def test_csrf_is_not_needed_for_a_partner_post(pothole, partner_key):
    from django.test import Client

    assert post(Client(enforce_csrf_checks=True), partner_key).status_code == 201


# --- GET requests.json and requests/{id}.json ---------------------------------------------------


def test_request_status_and_expected_time_follow_the_handoff(client, pothole, partner_key, make_user):
    contact_id = post(client, partner_key).json()[0]["service_request_id"]
    detail = valid(schemas.SERVICE_REQUESTS, client.get(f"{BASE}/requests/{contact_id}.json").json())[0]
    handoff = Handoff.objects.get(contact_id=contact_id)
    assert detail["status"] == "open"
    assert detail["agency_responsible"] == "Highways Maintenance"
    assert detail["expected_datetime"].startswith(handoff.due_date.isoformat() + "T23:59:59")
    assert detail["lat"] == 53.4808 and detail["long"] == -2.0931

    officer = make_user("back_office")
    handoff.team.members.add(officer)
    handoff_accept(handoff=handoff, actor=officer)
    detail = client.get(f"{BASE}/requests/{contact_id}.json").json()[0]
    assert detail["status"] == "open" and detail["status_notes"] == "The team is working on it."

    handoff_resolve(handoff=handoff, actor=officer, outcome="Filled.")
    detail = valid(schemas.SERVICE_REQUESTS, client.get(f"{BASE}/requests/{contact_id}.json").json())[0]
    assert detail["status"] == "closed" and detail["expected_datetime"] is None
    assert detail["updated_datetime"] >= detail["requested_datetime"]


def test_unknown_request_is_404(client, db):
    assert "98765" in error_of(client.get(f"{BASE}/requests/98765.json"), 404)
    error_of(client.get(f"{BASE}/requests/abc.json"), 404)


def test_a_contact_that_did_not_come_through_open311_is_not_a_request(client, pothole):
    from tests.factories import ContactFactory

    contact = ContactFactory()
    error_of(client.get(f"{BASE}/requests/{contact.pk}.json"), 404)


def test_request_list_filters(client, pothole, gritting, partner_key):
    open_id = post(client, partner_key).json()[0]["service_request_id"]
    closed_id = post(client, partner_key, service_code="gritting",
                     **{"attribute[depth]": None}).json()[0]["service_request_id"]

    def ids(**query):
        response = client.get(f"{BASE}/requests.json", query)
        return [r["service_request_id"] for r in valid(schemas.SERVICE_REQUESTS, response.json())]

    assert ids() == [closed_id, open_id]  # newest first
    assert ids(status="open") == [open_id]
    assert ids(status="closed") == [closed_id]
    assert ids(status="open,closed") == [closed_id, open_id]
    assert ids(service_code="pothole") == [open_id]
    assert ids(service_code="pothole,gritting") == [closed_id, open_id]
    assert ids(service_request_id=f"{open_id},999999") == [open_id]
    # service_request_id overrides the other arguments
    assert ids(service_request_id=open_id, status="closed") == [open_id]
    last_week = (timezone.now() - timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ids(end_date=last_week) == []
    assert ids(start_date=last_week) == [closed_id, open_id]


def test_request_list_defaults_to_the_last_90_days(client, pothole, partner_key):
    contact_id = post(client, partner_key).json()[0]["service_request_id"]
    Open311Request.objects.update(requested_at=timezone.now() - timedelta(days=91))
    assert client.get(f"{BASE}/requests.json").json() == []
    assert len(client.get(f"{BASE}/requests.json", {"service_request_id": contact_id}).json()) == 1


@pytest.mark.parametrize(("query", "words"), [
    ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}, "90 days"),
    ({"start_date": "2026-03-01T00:00:00Z", "end_date": "2026-02-01T00:00:00Z"}, "before"),
    ({"start_date": "yesterday"}, "start_date"),
    ({"end_date": "2026-01-01T00:00:00"}, "time zone"),
    ({"status": "pending"}, "status"),
    ({"service_request_id": "1,two"}, "service_request_id"),
])
def test_request_list_errors(client, db, query, words):
    assert words in error_of(client.get(f"{BASE}/requests.json", query), 400)


def test_request_list_as_xml(client, pothole, partner_key):
    post(client, partner_key)
    root = ElementTree.fromstring(client.get(f"{BASE}/requests.xml").content)
    assert root.tag == "service_requests"
    assert root.find("request/status").text == "open"
    assert root.find("request/service_code").text == "pothole"


def test_requests_endpoint_refuses_other_methods(client, db):
    assert client.put(f"{BASE}/requests.json").status_code == 405
    assert client.post(f"{BASE}/services.json").status_code == 405
