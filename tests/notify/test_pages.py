"""Pages of issue 19: resident preferences and messages on the customer 360 page (item 5), the
opt-out link in every update (item 3), message templates with a preview in the admin (item 1)."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.utils import timezone

from contacts.models import Customer
from contacts.services import customer_contact_point_failed, customer_update_send
from core.models import AuditEvent, MessageTemplate, MessageType
from core.roles import Role
from core.services import outbox_drain
from tests.factories import CustomerFactory

MONDAY_NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def _accepted(customer, key="k1"):
    return customer_update_send(customer=customer, event=MessageType.HANDOFF_ACCEPTED, dedupe_key=key,
                                about=None, enquiry_type_id=None,
                                fields={"reference": "4711", "service": "Waste and recycling",
                                        "due_date": "4 November 2026"})


@pytest.mark.django_db
def test_the_360_page_shows_preferences_messages_and_a_number_not_working(client_for):
    customer = CustomerFactory(first_name="Sam", last_name="Jones", phone="07700900123",
                               message_channel="sms", consent_sms=True, consent_letter=True,
                               language="cy")
    with time_machine.travel(MONDAY_NOON):
        _accepted(customer)
        outbox_drain()  # no Notify key: to the log
    customer_contact_point_failed(customer_id=customer.pk, channel="sms", at=timezone.now())
    page = client_for(Role.ADVISER).get(f"/contacts/customers/{customer.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Prefers text message, in Welsh (Cymraeg)" in html
    assert "Agrees to: text message, letter" in html
    assert "Phone number not working for text messages since" in html
    assert "Not working" in html
    assert "No updates can be sent" in html  # their only chosen channel does not work
    messages = html[html.index('id="messages"'):]
    assert "Your enquiry 4711 is being dealt with" not in messages  # an SMS has no subject...
    assert "Our Waste and recycling team has started work" in messages  # ...its text is shown
    assert "Sent" in messages


@pytest.mark.django_db
def test_a_customer_with_no_messages_says_so(client_for):
    customer = CustomerFactory()
    html = client_for(Role.BACK_OFFICE).get(f"/contacts/customers/{customer.pk}/").content.decode()
    assert "No messages have been sent to this customer." in html
    assert "Agrees to: no updates" in html


@pytest.mark.django_db
def test_an_adviser_records_preferences_on_the_customer_form(client_for):
    customer = CustomerFactory(first_name="Sam", last_name="Jones")
    answer = client_for(Role.ADVISER).post(f"/contacts/customers/{customer.pk}/edit/", {
        "first_name": "Sam", "last_name": "Jones", "email": "sam@example.com",
        "message_channel": "email", "consent_email": "on", "language": "cy"})
    assert answer.status_code == 302
    customer.refresh_from_db()
    assert (customer.message_channel, customer.consent_email, customer.consent_sms, customer.language) == \
        ("email", True, False, "cy")
    bad = client_for(Role.ADVISER).post(f"/contacts/customers/{customer.pk}/edit/", {
        "first_name": "Sam", "last_name": "Jones", "message_channel": "pigeon", "language": "fr"})
    assert bad.status_code == 400


@pytest.mark.django_db
def test_the_link_in_an_update_stops_updates_on_that_channel(client):
    customer = CustomerFactory(email="sam@example.com", message_channel="email", consent_email=True,
                               consent_sms=True)
    with time_machine.travel(MONDAY_NOON):
        message = _accepted(customer)
    link = re.search(r"https?://[^/]+(/contacts/stop-messages/[^/]+/)", message.body).group(1)
    asked = client.get(link)
    assert asked.status_code == 200
    assert "Stop updates by email" in asked.content.decode()
    customer.refresh_from_db()
    assert customer.consent_email is True  # following the link alone stops nothing
    done = client.post(link)
    assert "Updates stopped" in done.content.decode()
    customer.refresh_from_db()
    assert (customer.consent_email, customer.consent_sms) == (False, True)
    assert AuditEvent.objects.filter(action="customer_opted_out", object_id=str(customer.pk)).count() == 1
    client.post(link)  # twice: nothing more
    assert AuditEvent.objects.filter(action="customer_opted_out", object_id=str(customer.pk)).count() == 1
    assert _accepted(Customer.objects.get(pk=customer.pk), key="k2") is None


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["nonsense", "eyJjdXN0b21lciI6MX0:1abc:forged"])
def test_a_forged_or_broken_opt_out_link_is_refused(client, token):
    answer = client.post(f"/contacts/stop-messages/{token}/")
    assert answer.status_code == 404
    assert "This link does not work" in answer.content.decode()


@pytest.mark.django_db
def test_admin_previews_a_template_with_example_values(admin_client):
    template = MessageTemplate.objects.get(message_type=MessageType.HANDOFF_AT_RISK, channel="email",
                                           language="en")
    page = admin_client.get(f"/admin/core/messagetemplate/{template.pk}/preview/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "We now expect to finish by 11 November 2026" in html
    assert "((new_date))" in html  # the table of fields and their example values


@pytest.mark.django_db
def test_admin_refuses_a_template_using_a_field_the_product_does_not_fill(admin_client):
    template = MessageTemplate.objects.get(message_type=MessageType.HANDOFF_RESOLVED, channel="sms",
                                           language="en")
    answer = admin_client.post(f"/admin/core/messagetemplate/{template.pk}/change/", {
        "message_type": template.message_type, "channel": "sms", "language": "en",
        "notify_template_id": "", "subject": "", "body": "Done: ((outcome)) by ((officer_name))"})
    assert answer.status_code == 200
    assert "((officer_name)) is not a field of this message" in answer.content.decode()
    template.refresh_from_db()
    assert "officer_name" not in template.body
    saved = admin_client.post(f"/admin/core/messagetemplate/{template.pk}/change/", {
        "message_type": template.message_type, "channel": "sms", "language": "en",
        "notify_template_id": "6f1c7d2e-8f0e-4a55-9b1d-1b8f4f3c2a10", "subject": "",
        "body": "Resolved: ((outcome))"})
    assert saved.status_code == 302
    template.refresh_from_db()
    assert template.body == "Resolved: ((outcome))"
    assert AuditEvent.objects.filter(object_type="core.messagetemplate", object_id=str(template.pk)).exists()
