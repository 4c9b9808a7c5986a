"""POST and GET /api/v1/contacts/ exactly as API.md, "Contacts" (v1 and v1.1): the contract field
by field, every 400, idempotent replay (also under concurrent retries on PostgreSQL), filters,
and who may do what. The v1.1 rules through the API are in test_api_rules.py."""

import time
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from contacts.models import Contact, IdempotencyKey
from core.models import AuditEvent
from core.roles import Role
from handoffs.models import Handoff
from tests.concurrency import raised, run_at_once
from tests.factories import ContactFactory, CustomerFactory, EnquiryTypeFactory, ServiceFactory

URL = "/api/v1/contacts/"
CONTACT_FIELDS = {"id", "channel", "service", "enquiry_type", "customer", "received_at", "summary",
                  "avoidable", "avoidable_reason", "resolved_at_first_contact", "handoff_method",
                  "external_ref", "source", "repeat_of", "handoff", "handling_time_seconds",
                  # v1.1
                  "handoff_override_reason", "chasing", "possible_repeat_of"}


@pytest.fixture
def partner(api_client_for):
    return api_client_for(Role.PARTNER)


def _body(**overrides):
    body = {"channel": "telephone", "service": "waste", "enquiry_type": "collection-days",
            "summary": "Asked for the collection calendar.", "avoidable": False}
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not ...}


@pytest.mark.django_db
def test_one_and_done_contact_answers_201_with_every_contract_field(partner, catalogue):
    customer = CustomerFactory()
    received_at = (timezone.now() - timedelta(hours=1)).replace(microsecond=0)
    response = partner.post(URL, _body(customer=customer.pk, received_at=received_at.isoformat(),
                                       external_ref="WEB-123"), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == CONTACT_FIELDS
    contact = Contact.objects.get()
    assert body["id"] == contact.pk
    assert body["channel"] == "telephone"
    assert body["service"] == "waste"
    assert body["enquiry_type"] == "collection-days"
    assert body["customer"] == customer.pk
    assert datetime.fromisoformat(body["received_at"]) == received_at
    assert body["summary"] == "Asked for the collection calendar."
    assert body["avoidable"] is False
    assert body["avoidable_reason"] is None
    assert body["resolved_at_first_contact"] is True
    assert body["handoff_method"] == "one_and_done"
    assert body["external_ref"] == "WEB-123"
    assert body["source"] == "api"
    assert body["repeat_of"] is None
    assert body["handoff"] is None
    assert (body["chasing"], body["possible_repeat_of"], body["handoff_override_reason"]) == (
        None, None, "")
    assert body["handling_time_seconds"] is None  # optional: not posted, not recorded
    assert contact.created_by == partner.user
    assert AuditEvent.objects.filter(object_type="contacts.contact", object_id=str(contact.pk),
                                     action="created").exists()


@pytest.mark.django_db
def test_fire_and_forget_contact_opens_its_handoff_and_says_so(partner, catalogue):
    response = partner.post(URL, _body(enquiry_type="missed-bin", avoidable=True,
                                       avoidable_reason="service_failure"), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    handoff = Handoff.objects.get(contact_id=body["id"])
    assert body["handoff"] == {"id": handoff.pk, "method": "fire_and_forget", "status": "open",
                               "team": "waste-operations", "due_date": handoff.due_date.isoformat()}
    assert body["resolved_at_first_contact"] is False
    assert body["avoidable_reason"] == "service_failure"


@pytest.mark.django_db
def test_handoff_method_may_be_overridden_and_anonymous_contacts_are_allowed(partner, catalogue):
    response = partner.post(URL, _body(enquiry_type="missed-bin", handoff_method="one_and_done",
                                       resolved_at_first_contact=False), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["customer"], body["handoff_method"], body["handoff"],
            body["resolved_at_first_contact"]) == (None, "one_and_done", None, False)
    # v1.1: a partner that gives no reason is recorded as having set it.
    assert body["handoff_override_reason"] == "set by partner test-partner"


def _bad_cases():
    future = (timezone.now() + timedelta(days=1)).isoformat()
    return [
        ("missing channel", _body(channel=...), "channel"),
        ("bad channel", _body(channel="carrier_pigeon"), "channel"),
        ("channel of the wrong type", _body(channel=7), "channel"),
        ("missing service", _body(service=...), "service"),
        ("unknown service code", _body(service="no-such-service"), "service"),
        ("service as an id", _body(service=1), "service"),
        ("unknown enquiry type", _body(enquiry_type="no-such-type"), "enquiry_type"),
        ("enquiry type of another service", _body(enquiry_type="balance-enquiry"), "enquiry_type"),
        ("missing summary", _body(summary=...), "summary"),
        ("blank summary", _body(summary="   "), "summary"),
        ("summary too long", _body(summary="x" * 2001), "summary"),
        ("summary of the wrong type", _body(summary={"text": "hi"}), "summary"),
        ("missing avoidable", _body(avoidable=...), "avoidable"),
        ("avoidable not a boolean", _body(avoidable="perhaps"), "avoidable"),
        ("avoidable without reason", _body(avoidable=True), "avoidable_reason"),
        ("reason without avoidable", _body(avoidable_reason="progress_chasing"), "avoidable_reason"),
        ("unknown reason", _body(avoidable=True, avoidable_reason="bad_luck"), "avoidable_reason"),
        ("future received_at", _body(received_at=future), "received_at"),
        ("received_at not a time", _body(received_at="yesterday"), "received_at"),
        ("unknown customer", _body(customer=999999), "customer"),
        ("customer of the wrong type", _body(customer="jane"), "customer"),
        ("customer id out of range", _body(customer=10 ** 30), "customer"),
        ("bad handoff method", _body(handoff_method="throw_over_the_wall"), "handoff_method"),
        ("hand-off without a team", _body(handoff_method="fire_and_forget"), "handoff_method"),
        ("resolved not a boolean", _body(resolved_at_first_contact="maybe"),
         "resolved_at_first_contact"),
        ("external_ref too long", _body(external_ref="x" * 101), "external_ref"),
        ("negative handling time", _body(handling_time_seconds=-1), "handling_time_seconds"),
        ("handling time over 8 hours", _body(handling_time_seconds=28801), "handling_time_seconds"),
        ("handling time not a number", _body(handling_time_seconds="long"), "handling_time_seconds"),
        ("handling time in fractions", _body(handling_time_seconds=12.5), "handling_time_seconds"),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("case, body, field", _bad_cases(), ids=[c[0] for c in _bad_cases()])
def test_invalid_input_answers_400_naming_the_field(partner, catalogue, case, body, field):
    response = partner.post(URL, body, format="json")
    assert response.status_code == 400, (case, response.content)
    errors = response.json()
    assert field in errors, errors
    assert isinstance(errors[field], list) and all(isinstance(m, str) for m in errors[field])
    assert not Contact.objects.exists()


@pytest.mark.django_db
def test_the_telephony_system_posts_the_handling_time_and_reads_it_back(partner, catalogue):
    response = partner.post(URL, _body(handling_time_seconds=312), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["handling_time_seconds"] == 312
    assert Contact.objects.get().handling_time_seconds == 312
    # The bounds are included: a contact of no time and one of a whole working day.
    for seconds in (0, 28800):
        response = partner.post(URL, _body(handling_time_seconds=seconds), format="json")
        assert response.status_code == 201 and response.json()["handling_time_seconds"] == seconds


@pytest.mark.django_db
@pytest.mark.parametrize("raw", [b"[1, 2]", b'"text"', b"{not json"])
def test_a_body_that_is_not_an_object_answers_400(partner, catalogue, raw):
    response = partner.post(URL, raw, content_type="application/json")
    assert response.status_code == 400


@pytest.mark.django_db
def test_same_key_and_body_replays_the_contact_and_stores_nothing_new(partner, catalogue):
    body = _body(enquiry_type="missed-bin")
    first = partner.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="retry-1")
    again = partner.post(URL, dict(reversed(list(body.items()))), format="json",
                         HTTP_IDEMPOTENCY_KEY="retry-1")
    assert first.status_code == 201 and again.status_code == 200
    assert again.json() == first.json()
    assert Contact.objects.count() == 1 and Handoff.objects.count() == 1
    assert IdempotencyKey.objects.count() == 1


@pytest.mark.django_db
def test_same_key_with_a_different_body_answers_422(partner, catalogue):
    partner.post(URL, _body(), format="json", HTTP_IDEMPOTENCY_KEY="k")
    response = partner.post(URL, _body(summary="Something else."), format="json",
                            HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 422
    assert "detail" in response.json()
    assert Contact.objects.count() == 1


@pytest.mark.django_db
def test_keys_are_per_caller_and_a_failed_request_does_not_use_the_key(api_client_for, catalogue):
    one, two = api_client_for(Role.PARTNER, name="one"), api_client_for(Role.PARTNER, name="two")
    assert one.post(URL, _body(avoidable=True), format="json",
                    HTTP_IDEMPOTENCY_KEY="k").status_code == 400
    assert one.post(URL, _body(), format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 201
    assert two.post(URL, _body(), format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 201
    assert Contact.objects.count() == 2


@pytest.mark.django_db
def test_an_idempotency_key_too_long_answers_400(partner, catalogue):
    response = partner.post(URL, _body(), format="json", HTTP_IDEMPOTENCY_KEY="k" * 256)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_retries_with_one_key_store_one_contact(api_client_for, catalogue, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises them)")
    import intake.api

    real_log, attempts_made = intake.api.contact_log, []

    def slow_log(**kwargs):
        # Every retry gets past the first look-up before the first one commits: only the unique
        # constraint can stop the duplicates.
        taken = real_log(**kwargs)
        attempts_made.append(taken.contact.pk)
        time.sleep(0.3)
        return taken

    monkeypatch.setattr(intake.api, "contact_log", slow_log)
    partner = api_client_for(Role.PARTNER)
    key = partner._credentials["HTTP_AUTHORIZATION"]
    body = _body(enquiry_type="missed-bin", customer=CustomerFactory().pk)
    attempts = 8

    def retry():
        from rest_framework.test import APIClient

        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=key)
        response = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="same-request")
        return response.status_code, response.json()

    answers = run_at_once(*[retry] * attempts)
    assert raised(answers) == []
    statuses = sorted(status for status, _ in answers)
    assert len(answers) == attempts
    assert statuses.count(201) == 1 and set(statuses) <= {200, 201}, answers
    assert len({body["id"] for _, body in answers}) == 1
    assert Contact.objects.count() == 1
    assert Handoff.objects.count() == 1
    assert IdempotencyKey.objects.count() == 1
    assert len(attempts_made) > 1  # the race really happened, and was rolled back


# --- The list ---------------------------------------------------------------------------------


@pytest.fixture
def some_contacts(catalogue):
    jane = CustomerFactory()
    day = timezone.now() - timedelta(days=10)
    return {
        "old": ContactFactory(service=catalogue["waste"], enquiry_type=catalogue["collection_days"],
                              channel="email", received_at=day, customer=jane),
        "avoidable": ContactFactory(service=catalogue["waste"], enquiry_type=catalogue["missed_bin"],
                                    is_avoidable=True, customer=None),
        "tax": ContactFactory(service=catalogue["council_tax"], enquiry_type=catalogue["balance"],
                              channel="face_to_face", customer=jane),
        "jane": jane,
        "day": timezone.localtime(day).date(),
    }


@pytest.mark.django_db
def test_list_is_paginated_newest_first(api_client_for, some_contacts):
    adviser = api_client_for(Role.ADVISER)
    body = adviser.get(URL).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 3
    assert [c["id"] for c in body["results"]] == [some_contacts[k].pk for k in
                                                  ("tax", "avoidable", "old")]
    assert set(body["results"][0]) == CONTACT_FIELDS
    page = adviser.get(URL, {"page_size": 1}).json()
    assert len(page["results"]) == 1 and page["next"]


@pytest.mark.django_db
@pytest.mark.parametrize("query, expected", [
    ({"service": "council-tax"}, ["tax"]),
    ({"channel": "email"}, ["old"]),
    ({"avoidable": "true"}, ["avoidable"]),
    ({"avoidable": "false"}, ["tax", "old"]),
    ({"received_to": "DAY"}, ["old"]),
    ({"received_from": "DAY+1"}, ["tax", "avoidable"]),
    ({"customer": "JANE"}, ["tax", "old"]),
    ({"customer": "JANE", "service": "waste"}, ["old"]),
])
def test_list_filters(api_client_for, some_contacts, query, expected):
    values = {"DAY": some_contacts["day"].isoformat(),
              "DAY+1": (some_contacts["day"] + timedelta(days=1)).isoformat(),
              "JANE": str(some_contacts["jane"].pk)}
    query = {k: values.get(v, v) for k, v in query.items()}
    body = api_client_for(Role.MANAGER).get(URL, query).json()
    assert [c["id"] for c in body["results"]] == [some_contacts[k].pk for k in expected]


@pytest.mark.django_db
@pytest.mark.parametrize("query, field", [
    ({"service": "no-such-service"}, "service"), ({"channel": "pigeon"}, "channel"),
    ({"received_from": "last week"}, "received_from"), ({"received_to": "2025-13-01"}, "received_to"),
    ({"customer": "jane"}, "customer"), ({"customer": str(10 ** 30)}, "customer"),
])
def test_list_refuses_bad_filters_with_400(api_client_for, some_contacts, query, field):
    response = api_client_for(Role.ADVISER).get(URL, query)
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.django_db
def test_a_partner_lists_only_the_contacts_it_created(api_client_for, some_contacts):
    partner = api_client_for(Role.PARTNER)
    mine = partner.post(URL, _body(), format="json").json()
    other = api_client_for(Role.PARTNER, name="other")
    other.post(URL, _body(), format="json")
    assert [c["id"] for c in partner.get(URL).json()["results"]] == [mine["id"]]


@pytest.mark.django_db
@pytest.mark.parametrize("role, can_post, can_list", [
    (Role.ADVISER, True, True), (Role.MANAGER, True, True), (Role.ADMIN, True, True),
    (Role.PARTNER, True, True),
    # v1.1: the public reaches many back-office teams directly; those contacts count in NI14.
    (Role.BACK_OFFICE, True, True),
    (Role.COMPLAINTS_OFFICER, False, False), (Role.SOCIAL_CARE_COMPLAINTS, False, False),
    (Role.LEGAL, False, False), (None, False, False),
])
def test_who_may_log_and_list_contacts(api_client_for, catalogue, role, can_post, can_list):
    api = api_client_for(role)
    assert api.post(URL, _body(), format="json").status_code == (201 if can_post else 403)
    assert api.get(URL).status_code == (200 if can_list else 403)


@pytest.mark.django_db
def test_no_or_revoked_key_answers_401(api_client_for, catalogue):
    from rest_framework.test import APIClient

    from core.models import ApiToken
    from core.services import api_token_revoke

    assert APIClient().post(URL, _body(), format="json").status_code == 401
    partner = api_client_for(Role.PARTNER)
    api_token_revoke(token=ApiToken.objects.get(user=partner.user))
    assert partner.post(URL, _body(), format="json").status_code == 401


@pytest.mark.django_db
def test_inactive_services_and_enquiry_types_are_unknown(partner, catalogue):
    closed = ServiceFactory(code="closed", is_active=False)
    EnquiryTypeFactory(service=catalogue["waste"], code="retired", is_active=False)
    assert "service" in partner.post(URL, _body(service=closed.code, enquiry_type=...),
                                     format="json").json()
    assert "enquiry_type" in partner.post(URL, _body(enquiry_type="retired"), format="json").json()
