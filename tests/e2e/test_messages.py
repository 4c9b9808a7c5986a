"""Messages to residents in the browser (issue 19): an admin edits a message template and previews
it; an adviser sees the customer's preferences, the messages sent to them (through the local
Notify stand-in, with their delivery receipts) and a number that does not work on the 360 page; a
resident follows the link in an update to stop them."""

import re

import pytest

from contacts.services import customer_update_send
from core.models import MessageTemplate, MessageType
from core.roles import Role
from core.services import outbox_drain
from notify.services import delivery_receipt_record
from notify.standin import NotifyStandIn
from tests.e2e.conftest import AXE_TAGS, SCREENSHOTS, format_violations
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_admin_edits_a_template_and_previews_it(page, sign_in_as, axe):
    sign_in_as(Role.ADMIN)
    template = MessageTemplate.objects.get(message_type=MessageType.HANDOFF_AT_RISK, channel="sms",
                                           language="en")
    page.goto("/admin/core/messagetemplate/?channel__exact=sms&message_type__exact=handoff_at_risk")
    page.locator("#result_list").get_by_role("link", name="Enquiry will miss its service standard",
                                             exact=True).click()
    page.get_by_label("Body").fill("Sorry ((name)): enquiry ((reference)) now by ((new_date)). "
                                   "Stop: ((opt_out_link))")
    page.get_by_label("Notify template ID").fill("6f1c7d2e-8f0e-4a55-9b1d-1b8f4f3c2a10")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("was changed successfully").wait_for()
    page.get_by_role("link", name=f"Preview {template}").click()
    preview = page.locator("#message-preview")
    preview.wait_for()
    assert "Sorry Sam Example: enquiry H-1234 now by 11 November 2026." in preview.inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "admin-message-template-preview.png"), full_page=True)
    results = axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    violations = results.response["violations"]
    assert not violations, format_violations("admin template preview", violations)

    # A field the product does not fill is refused with the fields it can use.
    page.get_by_role("link", name="Change this template").click()
    page.get_by_label("Body").fill("Hello ((first_name))")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("((first_name)) is not a field of this message").wait_for()


def test_adviser_sees_preferences_and_messages_on_the_360_page(page, sign_in_as, check_page, settings):
    sign_in_as(Role.ADVISER)
    works = CustomerFactory(first_name="Grace", last_name="Okafor", email="grace@example.com",
                            phone="07700900123", message_channel="email", consent_email=True,
                            consent_sms=True)
    broken = CustomerFactory(first_name="Ade", last_name="Bello", phone="07700900002",  # Notify: fails
                             email="", message_channel="sms", consent_sms=True, language="cy")
    # Whatever the hour the suite runs at: a text message in quiet hours waits for the morning.
    settings.MESSAGE_QUIET_HOURS = ""
    with NotifyStandIn() as notify:
        settings.NOTIFY_API_KEY, settings.NOTIFY_BASE_URL = notify.api_key, notify.base_url
        for template in MessageTemplate.objects.all():
            template.notify_template_id = notify.add_template(template.channel, template.body,
                                                              template.subject)
            template.save()
        for customer in (works, broken):
            customer_update_send(customer=customer, event=MessageType.HANDOFF_ACCEPTED,
                                 dedupe_key=f"e2e:{customer.pk}", about=None, enquiry_type_id=None,
                                 fields={"reference": "4711", "service": "Waste and recycling",
                                         "due_date": "4 November 2026"})
        outbox_drain()
        for notification in notify.sent():
            delivery_receipt_record(notify.receipt(notification))
    settings.NOTIFY_API_KEY = ""

    page.goto(f"/contacts/customers/{works.pk}/")
    messages = page.locator("#messages + table")
    assert "Your enquiry 4711 is being dealt with" in messages.inner_text()
    assert "Delivered" in messages.inner_text()
    assert page.get_by_text("Agrees to: email, text message").is_visible()
    check_page(page, "customer-360-messages", title="Grace Okafor")

    page.goto(f"/contacts/customers/{broken.pk}/")
    assert page.get_by_text("Phone number not working for text messages since").is_visible()
    assert "Not delivered: address or number not working" in page.locator("#messages + table").inner_text()
    assert page.get_by_text("No updates can be sent").is_visible()
    check_page(page, "customer-360-number-not-working", title="Ade Bello")

    # The adviser corrects the number with the customer: updates can go again.
    page.get_by_role("link", name="Change details").click()
    page.get_by_label("Phone number").fill("07700 900 124")
    check_page(page, "customer-form-update-preferences", title=re.compile("Ade Bello"))
    page.get_by_role("button", name="Save changes").click()
    page.get_by_text("Updates go by text message").wait_for()
    assert page.get_by_text("Phone number not working").count() == 0


def test_a_resident_stops_updates_from_the_link(page, check_page):
    customer = CustomerFactory(first_name="Grace", email="grace@example.com", message_channel="email",
                               consent_email=True)
    message = customer_update_send(customer=customer, event=MessageType.HANDOFF_ACCEPTED,
                                   dedupe_key="e2e:stop", about=None, enquiry_type_id=None,
                                   fields={"reference": "4711", "service": "Waste and recycling",
                                           "due_date": "4 November 2026"})
    link = re.search(r"https?://[^/]+(/contacts/stop-messages/[^/]+/)", message.body).group(1)
    page.goto(link)
    check_page(page, "stop-updates-question", title="Stop updates", service="Updates")
    page.get_by_role("button", name="Stop updates by email").click()
    page.get_by_role("heading", name="Updates stopped").wait_for()
    check_page(page, "stop-updates-done", title="Updates stopped", service="Updates")
    customer.refresh_from_db()
    assert customer.consent_email is False
