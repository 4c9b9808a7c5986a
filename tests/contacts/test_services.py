"""Customer and contact services: normalisation, validation, the audit trail."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from contacts import normalise
from contacts.services import customer_create, customer_update
from core.models import AuditEvent
from tests.factories import ContactFactory, CustomerFactory


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
def test_the_database_refuses_a_handling_time_beyond_the_bounds(catalogue):
    """Integrity in the database too: a bulk load that skipped the rules cannot store it (the
    rule itself is intake.rules.handling_time_error, tests/intake/test_rules.py)."""
    contact = ContactFactory(service=catalogue["waste"])
    for seconds in (-5, 28801):
        with pytest.raises(IntegrityError), transaction.atomic():
            type(contact).objects.filter(pk=contact.pk).update(handling_time_seconds=seconds)
