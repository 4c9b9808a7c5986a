"""GET/POST /api/v1/customers/, GET /api/v1/customers/{id}/ and .../timeline/ as API.md,
"Customers"; and the schema describing exactly these endpoints."""

from datetime import timedelta

import pytest
from django.utils import timezone

from contacts.models import Customer
from core.roles import Role
from intake.services import contact_log
from tests.factories import ContactFactory, CustomerFactory

URL = "/api/v1/customers/"
CUSTOMER_FIELDS = {"id", "first_name", "last_name", "email", "phone", "address_line_1", "town",
                   "postcode", "uprn"}


@pytest.mark.django_db
def test_create_answers_201_with_the_customer_normalised(api_client_for):
    response = api_client_for(Role.PARTNER).post(URL, {
        "first_name": "Jane", "last_name": "Smith", "email": "Jane@Example.com",
        "phone": "+44 7700 900123", "address_line_1": "1 Oak Street", "town": "Hyde",
        "postcode": "sk141aa", "uprn": "100012345678"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == CUSTOMER_FIELDS
    assert body == {"id": Customer.objects.get().pk, "first_name": "Jane", "last_name": "Smith",
                    "email": "jane@example.com", "phone": "07700900123",
                    "address_line_1": "1 Oak Street", "town": "Hyde", "postcode": "SK14 1AA",
                    "uprn": "100012345678"}


@pytest.mark.django_db
def test_create_needs_only_the_names(api_client_for):
    response = api_client_for(Role.ADVISER).post(URL, {"first_name": "Jo", "last_name": "Lee"},
                                                 format="json")
    assert response.status_code == 201
    assert response.json()["postcode"] == "" and response.json()["email"] == ""


@pytest.mark.django_db
@pytest.mark.parametrize("body, field", [
    ({"last_name": "Smith"}, "first_name"),
    ({"first_name": "Jane"}, "last_name"),
    ({"first_name": " ", "last_name": "Smith"}, "first_name"),
    ({"first_name": "Jane", "last_name": "Smith", "postcode": "nowhere"}, "postcode"),
    ({"first_name": "Jane", "last_name": "Smith", "email": "jane@"}, "email"),
    ({"first_name": "Jane", "last_name": "Smith", "phone": "12"}, "phone"),
    ({"first_name": "Jane", "last_name": "Smith", "uprn": "abc"}, "uprn"),
    ({"first_name": "Jane", "last_name": "Smith", "uprn": "1234567890123"}, "uprn"),
    ({"first_name": ["Jane"], "last_name": "Smith"}, "first_name"),
    ({"first_name": "J" * 101, "last_name": "Smith"}, "first_name"),
])
def test_create_refuses_bad_input_with_400(api_client_for, body, field):
    response = api_client_for(Role.PARTNER).post(URL, body, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not Customer.objects.exists()


@pytest.mark.django_db
def test_search_by_name_postcode_phone_email_and_uprn(api_client_for):
    jane = CustomerFactory(first_name="Jane", last_name="Smith", postcode="OL6 6AB",
                           phone="07700900123", email="jane@example.com", uprn="100012345678")
    CustomerFactory(first_name="Amir", last_name="Khan", postcode="SK14 1AA")
    api = api_client_for(Role.PARTNER)
    for query in ["jane smith", "ol66ab", "07700 900 123", "jane@example.com", "100012345678"]:
        body = api.get(URL, {"search": query}).json()
        assert set(body) == {"count", "next", "previous", "results"}
        assert [c["id"] for c in body["results"]] == [jane.pk], query
    assert api.get(URL, {"search": "nobody"}).json()["count"] == 0
    assert api.get(URL).json()["count"] == 2


@pytest.mark.django_db
def test_detail_and_404s(api_client_for):
    customer = CustomerFactory()
    api = api_client_for(Role.PARTNER)
    body = api.get(f"{URL}{customer.pk}/").json()
    assert set(body) == CUSTOMER_FIELDS and body["id"] == customer.pk
    assert api.get(f"{URL}999999/").status_code == 404
    assert api.get(f"{URL}999999/timeline/").status_code == 404
    assert api.get(f"{URL}{10 ** 30}/").status_code == 404
    gone = CustomerFactory(anonymised_at=timezone.now())
    assert api.get(f"{URL}{gone.pk}/").status_code == 404


@pytest.mark.django_db
def test_timeline_is_every_entry_newest_first_with_the_contract_fields(api_client_for, catalogue):
    customer = CustomerFactory()
    now = timezone.now()
    old = ContactFactory(customer=customer, service=catalogue["waste"],
                         enquiry_type=catalogue["collection_days"], received_at=now - timedelta(days=3),
                         enquiry_closed_at=now - timedelta(days=3))
    handed_off = contact_log(actor=None, channel="telephone", service=catalogue["waste"],
                             enquiry_type=catalogue["missed_bin"], customer=customer,
                             summary="Bin missed.", source="adviser",
                             received_at=now - timedelta(days=1)).contact
    ContactFactory(customer=CustomerFactory())  # someone else's
    body = api_client_for(Role.MANAGER).get(f"{URL}{customer.pk}/timeline/").json()
    assert set(body) == {"count", "next", "previous", "results"}
    entries = body["results"]
    assert all(set(e) == {"type", "id", "at", "title", "status", "open"} for e in entries)
    contacts = [(e["id"], e["open"], e["status"]) for e in entries if e["type"] == "contact"]
    assert contacts == [(handed_off.pk, True, "open"), (old.pk, False, "closed")]
    ats = [e["at"] for e in entries]
    assert ats == sorted(ats, reverse=True)
    assert any(e["type"] == "handoff" for e in entries)


@pytest.mark.django_db
def test_a_partner_sees_only_its_own_contacts_on_a_timeline(api_client_for, catalogue):
    customer = CustomerFactory()
    ContactFactory(customer=customer, service=catalogue["waste"])
    partner = api_client_for(Role.PARTNER)
    posted = partner.post("/api/v1/contacts/", {
        "channel": "web", "service": "waste", "customer": customer.pk, "summary": "Web form.",
        "avoidable": False}, format="json").json()
    entries = partner.get(f"{URL}{customer.pk}/timeline/").json()["results"]
    assert [(e["type"], e["id"]) for e in entries] == [("contact", posted["id"])]


@pytest.mark.django_db
@pytest.mark.parametrize("role, can_read, can_create", [
    (Role.ADVISER, True, True), (Role.MANAGER, True, True), (Role.ADMIN, True, True),
    (Role.PARTNER, True, True), (Role.COMPLAINTS_OFFICER, True, True),
    (Role.SOCIAL_CARE_COMPLAINTS, True, True), (Role.BACK_OFFICE, True, False),
    (Role.LEGAL, True, False), (None, False, False),
])
def test_who_may_read_and_create_customers(api_client_for, role, can_read, can_create):
    api = api_client_for(role)
    customer = CustomerFactory()
    for url in [URL, f"{URL}{customer.pk}/", f"{URL}{customer.pk}/timeline/"]:
        assert api.get(url).status_code == (200 if can_read else 403), url
    response = api.post(URL, {"first_name": "A", "last_name": "B"}, format="json")
    assert response.status_code == (201 if can_create else 403)


@pytest.mark.django_db
def test_schema_describes_the_customer_and_contact_endpoints(api_client_for):
    schema = api_client_for(Role.ADVISER).get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    assert {"/api/v1/customers/", "/api/v1/customers/{customer_id}/",
            "/api/v1/customers/{customer_id}/timeline/", "/api/v1/contacts/"} <= set(paths)
    post = paths["/api/v1/contacts/"]["post"]
    assert {"201", "200", "400", "422"} <= set(post["responses"])
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in post["parameters"])
    request = schema["components"]["schemas"]["ContactCreateRequest"]
    assert set(request["properties"]) == {
        "channel", "service", "enquiry_type", "customer", "received_at", "summary", "avoidable",
        "avoidable_reason", "resolved_at_first_contact", "handoff_method", "external_ref",
        "handling_time_seconds", "chasing", "handoff_override_reason"}  # v1.1: the last two
    assert set(request["required"]) == {"channel", "service", "summary", "avoidable"}
    handling = request["properties"]["handling_time_seconds"]
    assert (handling["minimum"], handling["maximum"], handling["nullable"]) == (0, 28800, True)
    listed = {p["name"] for p in paths["/api/v1/contacts/"]["get"]["parameters"]}
    assert {"service", "channel", "avoidable", "received_from", "received_to", "customer",
            "page", "page_size"} <= listed
    contact = schema["components"]["schemas"]["Contact"]["properties"]
    assert "handoff" in contact
    customer_request = schema["components"]["schemas"]["CustomerCreateRequest"]
    assert set(customer_request["properties"]) == CUSTOMER_FIELDS - {"id"}
    assert {p["name"] for p in paths["/api/v1/customers/"]["get"]["parameters"]} >= {"search"}


@pytest.mark.django_db
def test_search_counts_every_match_past_the_customer_pages_cap(api_client_for):
    """The customers page counts no further than 1,000 (issue 9); the API's count stays the
    number of matches (API.md, "Lists are paginated"), exact surname first."""
    now = timezone.now()
    Customer.objects.bulk_create(
        Customer(first_name=f"P{i:04}", last_name="Smith", created_at=now, updated_at=now)
        for i in range(1001))
    CustomerFactory(first_name="Adam", last_name="Smithson")
    body = api_client_for(Role.PARTNER).get(URL, {"search": "smith", "page": "3",
                                                  "page_size": "500"}).json()
    assert body["count"] == 1002 and body["next"] is None
    assert [c["last_name"] for c in body["results"]] == ["Smith", "Smithson"]
