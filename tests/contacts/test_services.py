"""Customer and contact services: normalisation, validation, the audit trail."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from contacts import normalise
from contacts.services import contact_create, customer_create, customer_update
from core.models import AuditEvent
from tests.factories import ContactFactory, CustomerFactory, avoidable_reason


@pytest.mark.parametrize("typed, stored", [
    ("ol66ab", "OL6 6AB"), (" OL6 6AB ", "OL6 6AB"), ("ol6  6ab", "OL6 6AB"), ("M1 1AE", "M1 1AE"),
    ("sk141aa", "SK14 1AA"), ("EC1A1BB", "EC1A 1BB"),
])
def test_postcode_is_stored_upper_case_with_one_space(typed, stored):
    assert normalise.postcode(typed) == stored
    assert normalise.is_postcode(typed)


@pytest.mark.parametrize("typed, stored", [
    ("0161 342 8355", "01613428355"), ("+44 7700 900123", "07700900123"),
    ("+44 (0)7700 900-123", "07700900123"), ("07700-900-123", "07700900123"),
])
def test_phone_is_stored_as_digits_with_the_uk_leading_zero(typed, stored):
    assert normalise.phone(typed) == stored


@pytest.mark.django_db
def test_customer_create_normalises_and_audits_field_names_not_values():
    customer = customer_create(actor=None, first_name="  Jane ", last_name="Smith",
                               postcode="ol6 6ab", phone="+44 7700 900123",
                               email="Jane.Smith@Example.COM ", uprn="100012345678")
    customer.refresh_from_db()
    assert (customer.first_name, customer.postcode, customer.phone, customer.email) == (
        "Jane", "OL6 6AB", "07700900123", "jane.smith@example.com")
    event = AuditEvent.objects.get(object_type="contacts.customer", object_id=str(customer.pk))
    assert event.action == "created"
    assert set(event.changes["fields"]) == {"first_name", "last_name", "postcode", "phone", "email",
                                            "uprn"}
    assert "Jane" not in str(event.changes) and "07700900123" not in str(event.changes)


@pytest.mark.django_db
@pytest.mark.parametrize("field, value", [
    ("postcode", "not a postcode"), ("email", "jane@"), ("phone", "12"), ("uprn", "12ab"),
    ("uprn", "1234567890123"), ("date_of_birth", date.today() + timedelta(days=1)),
    ("preferred_channel", "pigeon"),
])
def test_customer_create_refuses_bad_details(field, value):
    with pytest.raises(ValidationError) as error:
        customer_create(actor=None, first_name="Jane", last_name="Smith", **{field: value})
    assert field in error.value.message_dict


@pytest.mark.django_db
def test_customer_create_needs_both_names():
    with pytest.raises(ValidationError) as error:
        customer_create(actor=None, first_name=" ", last_name="")
    assert set(error.value.message_dict) == {"first_name", "last_name"}


@pytest.mark.django_db
def test_customer_update_changes_and_audits_only_what_differs():
    customer = CustomerFactory(postcode="OL6 6AB", phone="07700900123")
    customer_update(customer=customer, actor=None, postcode="ol6 6ab", phone="07700 900 123")
    assert not AuditEvent.objects.filter(object_id=str(customer.pk), action="changed").exists()
    customer_update(customer=customer, actor=None, postcode="sk14 1aa", is_vulnerable=True)
    customer.refresh_from_db()
    assert customer.postcode == "SK14 1AA" and customer.is_vulnerable
    event = AuditEvent.objects.get(object_id=str(customer.pk), action="changed")
    assert event.changes == {"fields": ["is_vulnerable", "postcode"]}


@pytest.mark.django_db
def test_contact_create_refuses_a_summary_too_long_and_a_repeat_of_another_customer(catalogue):
    other = contact_create(actor=None, channel="telephone", service=catalogue["waste"],
                           summary="Bin missed.", source="adviser", customer=CustomerFactory(),
                           enquiry_type=catalogue["missed_bin"])
    with pytest.raises(ValidationError) as error:
        contact_create(actor=None, channel="telephone", service=catalogue["waste"],
                       summary="x" * 2001, source="adviser", customer=CustomerFactory(),
                       repeat_of=other, avoidable=True, avoidable_reason=avoidable_reason())
    assert set(error.value.message_dict) == {"summary", "repeat_of"}


@pytest.mark.django_db
def test_contact_create_refuses_an_unknown_channel_and_the_future(catalogue):
    with pytest.raises(ValidationError) as error:
        contact_create(actor=None, channel="pigeon", service=catalogue["waste"], summary="Hello",
                       source="adviser", received_at=timezone.now() + timedelta(hours=2))
    assert set(error.value.message_dict) == {"channel", "received_at"}


@pytest.mark.django_db
@pytest.mark.parametrize("seconds", [-1, 28801, 12.5, "300", True])
def test_contact_create_refuses_a_handling_time_that_is_not_whole_seconds_within_a_working_day(
        catalogue, seconds):
    with pytest.raises(ValidationError) as error:
        contact_create(actor=None, channel="telephone", service=catalogue["waste"], summary="Hello",
                       source="adviser", handling_time_seconds=seconds)
    assert set(error.value.message_dict) == {"handling_time_seconds"}


@pytest.mark.django_db
@pytest.mark.parametrize("seconds", [None, 0, 245, 28800])
def test_contact_create_records_an_optional_handling_time(catalogue, seconds):
    contact = contact_create(actor=None, channel="telephone", service=catalogue["waste"],
                             summary="Hello", source="adviser", handling_time_seconds=seconds)
    contact.refresh_from_db()
    assert contact.handling_time_seconds == seconds


@pytest.mark.django_db
def test_the_database_refuses_a_handling_time_beyond_the_bounds(catalogue):
    """Integrity in the database too: a bulk load that skipped the service cannot store it."""
    contact = ContactFactory(service=catalogue["waste"])
    for seconds in (-5, 28801):
        with pytest.raises(IntegrityError), transaction.atomic():
            type(contact).objects.filter(pk=contact.pk).update(handling_time_seconds=seconds)
