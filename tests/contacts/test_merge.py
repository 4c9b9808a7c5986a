"""One record per person (issue 20, item 3): duplicates weighed by name, date of birth, postcode,
email and phone; a merge moves every row of every app to the survivor in one transaction, with an
audit row, a redirect from the old id (301 in the API) and an undo within 30 days."""

from datetime import date, timedelta

import pytest
import time_machine
from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils import timezone

from complaints.models import Complaint
from contacts import selectors, services
from contacts.models import Contact, Customer, CustomerMerge
from core.api_errors import StateConflict
from core.models import AuditEvent, ChannelCode
from core.roles import Role
from insight.models import Survey
from tests.complaints.factories import complaint
from tests.factories import CustomerFactory
from tests.handoffs.factories import open_handoff, user_with

pytestmark = pytest.mark.django_db


def rows_pointing_at(customer) -> dict[str, int]:
    """Every row of every installed model with a foreign key to Customer that points at
    `customer`, found from the models themselves (not from the code under test)."""
    found = {}
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is Customer and model is not CustomerMerge:
                if model is Customer:
                    continue
                n = model._base_manager.filter(**{field.name: customer}).count()
                if n:
                    found[f"{model._meta.label}.{field.name}"] = n
    return found


@pytest.fixture
def pair():
    survivor = CustomerFactory(first_name="Grace", last_name="Buckley", email="grace@example.com",
                               phone="07700900111", postcode="SK15 9ZQ", date_of_birth=date(1961, 4, 12))
    merged = CustomerFactory(first_name="Grace", last_name="Buckley", email="g.buckley@example.com",
                             phone="07700900222", postcode="SK15 9ZQ", date_of_birth=date(1961, 4, 12),
                             address_line_1="4 Mill Lane")
    return survivor, merged


def _everything_for(customer, manager):
    handoff = open_handoff(customer=customer)
    case = complaint(customer=customer)
    survey = Survey.objects.create(contact=handoff.contact, customer=customer,
                                   service=handoff.contact.service, channel=ChannelCode.TELEPHONE,
                                   resolution=Survey.Resolution.HANDOFF, method=Survey.Method.COUNTER,
                                   asked_at=timezone.now())
    return handoff, case, survey


# --- duplicates -----------------------------------------------------------------------------------


def test_duplicates_weigh_each_detail_and_rank_the_likeliest_first():
    # A phone number outside CustomerFactory's sequence (07700 900000 + n), which would give it to
    # another customer here once n reached 111 (the test failed in some orders).
    grace = CustomerFactory(first_name="Grace", last_name="Buckley", email="grace@example.com",
                            phone="07700800111", postcode="SK15 9ZQ", date_of_birth=date(1961, 4, 12))
    same_email = CustomerFactory(first_name="G", last_name="Buckley-Smith", email="GRACE@example.com")
    same_name_dob = CustomerFactory(first_name="Grace", last_name="Buckley", postcode="M1 1AA",
                                    date_of_birth=date(1961, 4, 12))
    same_name_only = CustomerFactory(first_name="Grace", last_name="Buckley", postcode="M2 2BB",
                                     date_of_birth=date(1990, 1, 1))
    husband = CustomerFactory(first_name="Arthur", last_name="Buckley", postcode="SK15 9ZQ",
                              date_of_birth=date(1948, 9, 30))
    CustomerFactory(first_name="Grace", last_name="Jones", postcode="SK15 9ZQ")
    found = selectors.customer_duplicates(grace)
    scores = {d.customer.pk: (d.score, d.likely) for d in found}
    # Same name and date of birth: 15 + 15 + 25; same name alone still flagged (issue 20).
    assert scores[same_name_dob.pk] == (55, False)
    assert scores[same_email.pk] == (40, False)  # the email alone
    assert scores[same_name_only.pk] == (30, False)
    assert scores[husband.pk] == (30, False)  # surname and postcode: a household, flagged weakly
    assert [d.customer.pk for d in found][-1] in (same_name_only.pk, husband.pk)
    assert "same date of birth" in next(d for d in found if d.customer.pk == same_name_dob.pk).reasons


def test_duplicate_with_everything_the_same_is_likely(pair):
    survivor, merged = pair
    duplicate = selectors.customer_duplicates(survivor)[0]
    assert duplicate.customer == merged and duplicate.likely
    assert duplicate.agrees == ("date_of_birth", "postcode", "last_name", "first_name")


# --- merge ---------------------------------------------------------------------------------------


def test_merge_moves_every_row_of_every_app_and_audits(pair):
    survivor, merged = pair
    manager = user_with(Role.MANAGER)
    handoff, case, survey = _everything_for(merged, manager)
    own = open_handoff(customer=survivor)
    assert rows_pointing_at(merged)  # something to move
    moved_before = rows_pointing_at(merged)
    merge = services.customer_merge(survivor=survivor, merged=merged, actor=manager,
                                     take_from_merged=["address_line_1", "email"])
    assert rows_pointing_at(merged) == {}
    assert Contact.objects.get(pk=handoff.contact_id).customer_id == survivor.pk
    assert Complaint.objects.get(pk=case.pk).customer_id == survivor.pk
    assert Survey.objects.get(pk=survey.pk).customer_id == survivor.pk
    assert Contact.objects.get(pk=own.contact_id).customer_id == survivor.pk
    survivor.refresh_from_db()
    merged.refresh_from_db()
    assert (survivor.address_line_1, survivor.email, survivor.phone) == (
        "4 Mill Lane", "g.buckley@example.com", "07700900111")
    assert merged.merged_into == survivor
    assert not Customer.objects.active().filter(pk=merged.pk).exists()
    assert sum(len(ids) for ids in merge.moved.values()) == sum(moved_before.values())
    audit = AuditEvent.objects.get(action="merged", object_id=str(survivor.pk))
    assert audit.actor == manager and audit.changes["merged"] == merged.pk
    assert audit.changes["fields_taken"] == ["address_line_1", "email"]
    assert "g.buckley" not in str(audit.changes)  # names of fields, not personal data
    assert AuditEvent.objects.filter(action="merged_into", object_id=str(merged.pk)).count() == 1


def test_merge_and_its_undo_take_the_hand_offs_along_for_the_work_lists_search(pair):
    """The copy of the contact's customer on each hand-off (what the queues search by) follows
    the contacts a merge moves, and goes back with them on undo."""
    from handoffs.models import Handoff
    from handoffs.selectors import QueueFilters, handoff_list

    survivor, merged = pair
    # A maiden name: the two are found apart by surname.
    merged = services.customer_update(customer=merged, actor=None, last_name="Ashworth",
                                      email="grace.ashworth@example.com")
    manager = user_with(Role.MANAGER)
    theirs, own = open_handoff(customer=merged), open_handoff(customer=survivor)

    def found(surname):
        return set(handoff_list(manager, QueueFilters(q=surname)).values_list("pk", flat=True))

    assert (found("Buckley"), found("Ashworth")) == ({own.pk}, {theirs.pk})
    merge = services.customer_merge(survivor=survivor, merged=merged, actor=manager)
    assert Handoff.objects.get(pk=theirs.pk).contact_customer_id == survivor.pk
    assert (found("Buckley"), found("Ashworth")) == ({own.pk, theirs.pk}, set())
    services.customer_merge_undo(merge=merge, actor=manager)
    assert Handoff.objects.get(pk=theirs.pk).contact_customer_id == merged.pk
    assert (found("Buckley"), found("Ashworth")) == ({own.pk}, {theirs.pk})


def test_merge_is_one_transaction(pair, monkeypatch):
    survivor, merged = pair
    manager = user_with(Role.MANAGER)
    handoff, case, _ = _everything_for(merged, manager)

    def broken(*args, **kwargs):
        raise RuntimeError("the audit trail is unavailable")

    monkeypatch.setattr(services, "audit_record", broken)
    with pytest.raises(RuntimeError):
        services.customer_merge(survivor=survivor, merged=merged, actor=manager)
    assert Contact.objects.get(pk=handoff.contact_id).customer_id == merged.pk
    assert Complaint.objects.get(pk=case.pk).customer_id == merged.pk
    merged.refresh_from_db()
    assert merged.merged_into is None and not CustomerMerge.objects.exists()


def test_merge_refuses_the_same_record_twice_and_unknown_fields(pair):
    survivor, merged = pair
    manager = user_with(Role.MANAGER)
    with pytest.raises(ValidationError):
        services.customer_merge(survivor=survivor, merged=survivor, actor=manager)
    with pytest.raises(ValidationError):
        services.customer_merge(survivor=survivor, merged=merged, actor=manager, take_from_merged=["pk"])
    services.customer_merge(survivor=survivor, merged=merged, actor=manager)
    with pytest.raises(StateConflict):
        services.customer_merge(survivor=survivor, merged=merged, actor=manager)


def test_undo_within_30_days_puts_everything_back(pair):
    survivor, merged = pair
    manager = user_with(Role.MANAGER)
    handoff, case, survey = _everything_for(merged, manager)
    before = rows_pointing_at(merged)
    merge = services.customer_merge(survivor=survivor, merged=merged, actor=manager,
                                     take_from_merged=["address_line_1"])
    later = open_handoff(customer=survivor)  # a contact logged after the merge stays with the survivor
    services.customer_merge_undo(merge=merge, actor=manager, now=merge.merged_at + timedelta(days=29))
    assert rows_pointing_at(merged) == before
    assert Contact.objects.get(pk=later.contact_id).customer_id == survivor.pk
    survivor.refresh_from_db()
    merged.refresh_from_db()
    assert survivor.address_line_1 != "4 Mill Lane" and survivor.date_of_birth == date(1961, 4, 12)
    assert merged.merged_into is None
    assert Customer.objects.active().filter(pk=merged.pk).exists()
    assert AuditEvent.objects.filter(action="merge_undone").count() == 2
    with pytest.raises(StateConflict):
        services.customer_merge_undo(merge=merge, actor=manager)


def test_undo_after_30_days_is_refused(pair):
    survivor, merged = pair
    manager = user_with(Role.MANAGER)
    merge = services.customer_merge(survivor=survivor, merged=merged, actor=manager)
    with pytest.raises(StateConflict, match="30 days"):
        services.customer_merge_undo(merge=merge, actor=manager, now=merge.merged_at + timedelta(days=31))
    merged.refresh_from_db()
    assert merged.merged_into == survivor


# --- the old id ------------------------------------------------------------------------------------


def test_api_old_id_answers_301_to_the_survivor(pair, api_client_for):
    survivor, merged = pair
    services.customer_merge(survivor=survivor, merged=merged, actor=user_with(Role.MANAGER))
    api = api_client_for(Role.ADVISER)
    response = api.get(f"/api/v1/customers/{merged.pk}/")
    assert response.status_code == 301
    assert response["Location"] == f"/api/v1/customers/{survivor.pk}/"
    response = api.get(f"/api/v1/customers/{merged.pk}/timeline/?page=1")
    assert response.status_code == 301
    assert response["Location"] == f"/api/v1/customers/{survivor.pk}/timeline/?page=1"
    assert api.get(f"/api/v1/customers/{survivor.pk}/").json()["id"] == survivor.pk
    # Merged customers are not found by search any more.
    found = api.get("/api/v1/customers/?search=grace buckley").json()["results"]
    assert [c["id"] for c in found] == [survivor.pk]


def test_api_redirect_is_not_shown_to_anonymous_callers(pair, client):
    survivor, merged = pair
    services.customer_merge(survivor=survivor, merged=merged, actor=user_with(Role.MANAGER))
    assert client.get(f"/api/v1/customers/{merged.pk}/").status_code == 401


def test_old_page_redirects_to_the_survivor(pair, client_for):
    survivor, merged = pair
    services.customer_merge(survivor=survivor, merged=merged, actor=user_with(Role.MANAGER))
    response = client_for(Role.ADVISER).get(f"/contacts/customers/{merged.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/contacts/customers/{survivor.pk}/"


def test_merge_of_a_merge_leads_to_the_last_survivor(pair):
    survivor, merged = pair
    third = CustomerFactory(first_name="Grace", last_name="Buckley")
    manager = user_with(Role.MANAGER)
    services.customer_merge(survivor=survivor, merged=merged, actor=manager)
    services.customer_merge(survivor=third, merged=survivor, actor=manager)
    assert selectors.customer_current(merged.pk) == third


def test_merge_undo_days_setting(settings, pair):
    settings.CUSTOMER_MERGE_UNDO_DAYS = 5
    survivor, merged = pair
    manager = user_with(Role.MANAGER)
    merge = services.customer_merge(survivor=survivor, merged=merged, actor=manager)
    with time_machine.travel(timezone.now() + timedelta(days=6)):
        with pytest.raises(StateConflict, match="5 days"):
            services.customer_merge_undo(merge=merge, actor=manager)


def test_merge_moves_the_outbox_and_lets_the_user_pick_how_they_hear_from_us(pair):
    """The outbox names its customer by reference (issue 19): a merge moves those messages to the
    survivor and an undo moves them back; consents and language are picked like any detail."""
    from core.models import OutboundMessage
    from core.services import Message, outbox_send

    survivor, merged = pair
    Customer.objects.filter(pk=merged.pk).update(message_channel="sms", consent_sms=True, language="cy")
    Customer.objects.filter(pk=survivor.pk).update(message_channel="email", consent_email=True)
    merged.refresh_from_db()
    manager = user_with(Role.MANAGER)
    sent = outbox_send(dedupe_key="merge-test:1", message=Message(subject="Your report", body="Fixed"),
                       to_email=merged.email, recipient=merged, about=merged)
    theirs = OutboundMessage.objects.get(pk=sent.pk)
    assert (theirs.recipient_type, theirs.recipient_id) == ("contacts.customer", str(merged.pk))

    merge = services.customer_merge(survivor=survivor, merged=merged, actor=manager,
                                     take_from_merged=["consent_sms", "language"])

    theirs.refresh_from_db()
    assert (theirs.recipient_id, theirs.object_id) == (str(survivor.pk), str(survivor.pk))
    assert merge.moved["core.outboundmessage.recipient"] == [theirs.pk]
    survivor.refresh_from_db()
    assert (survivor.message_channel, survivor.consent_email, survivor.consent_sms, survivor.language) == (
        "email", True, True, "cy")

    services.customer_merge_undo(merge=merge, actor=manager)
    theirs.refresh_from_db()
    assert (theirs.recipient_id, theirs.object_id) == (str(merged.pk), str(merged.pk))
    survivor.refresh_from_db()
    assert (survivor.consent_sms, survivor.language) == (False, "en")


def test_the_merge_page_offers_the_update_preferences(pair, client_for):
    survivor, merged = pair
    Customer.objects.filter(pk=merged.pk).update(consent_letter=True, language="cy")
    manager = client_for(Role.MANAGER)
    page = manager.get(f"/contacts/customers/{survivor.pk}/merge/{merged.pk}/").content.decode()
    assert "Agrees to updates by letter" in page and "Welsh (Cymraeg)" in page
