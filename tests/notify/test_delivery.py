"""GOV.UK Notify as the outbox's delivery channel (issue 19, items 1 and 2), driven through the
official client against the local stand-in (notify/standin.py): nothing inside the product is
mocked. Sends happen only in the drain (`outbox_drain`, what the Celery task runs)."""

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from contacts.services import customer_message_channel, customer_update_send
from core.models import DeliveryAttempt, MessageTemplate, MessageType, OutboundMessage
from core.services import Message, outbox_drain, outbox_send
from notify.standin import NotifyStandIn
from tests.factories import CustomerFactory, UserFactory
from tests.notify.conftest import CALLBACK_TOKEN

FIELDS = {
    MessageType.HANDOFF_ACCEPTED: {"due_date": "4 November 2026"},
    MessageType.HANDOFF_AT_RISK: {"due_date": "4 November 2026", "new_date": "11 November 2026"},
    MessageType.HANDOFF_RESOLVED: {"outcome": "We replaced the bin."},
    MessageType.COMPLAINT_ACKNOWLEDGED: {"due_date": "4 November 2026"},
    MessageType.COMPLAINT_EXTENDED: {"due_date": "18 November 2026", "reason": "Awaiting a report"},
    MessageType.COMPLAINT_ANSWERED: {"outcome": "Upheld"},
    MessageType.REQUEST_STATUS_CHANGED: {"status": "in progress"},
}
# Working hours on a Monday, so no text message waits for the morning.
MONDAY_NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def _customer(channel: str, **kwargs):
    details = {"first_name": "Sam", "last_name": "Jones", "email": "sam.jones@example.com",
               "phone": "07700900123", "address_line_1": "1 Oak Street", "town": "Ashton-under-Lyne",
               "postcode": "OL6 6AB", "message_channel": channel}
    if channel:
        details[f"consent_{channel}"] = True
    return CustomerFactory(**{**details, **kwargs})


def _tell(customer, event=MessageType.HANDOFF_ACCEPTED, key="k1", **fields):
    return customer_update_send(customer=customer, event=event, dedupe_key=key, about=None,
                                enquiry_type_id=None,
                                fields={"reference": "4711", "service": "Waste and recycling",
                                        **FIELDS[event], **fields})


def _receipts(client, standin, token=CALLBACK_TOKEN):
    """Post the stand-in's delivery receipts to the callback, as Notify would."""
    answers = []
    for notification in standin.sent():
        if not notification["receipt_posted"]:
            notification["receipt_posted"] = True
            answers.append(client.post("/notify/receipts/", standin.receipt(notification),
                                       content_type="application/json",
                                       headers={"Authorization": f"Bearer {token}"}))
    return answers


@pytest.mark.django_db
@pytest.mark.parametrize("channel", ["email", "sms", "letter"])
@pytest.mark.parametrize("event", list(FIELDS))
def test_each_message_type_renders_with_its_personalisation(standin, channel, event):
    customer = _customer(channel)
    with time_machine.travel(MONDAY_NOON):
        message = _tell(customer, event)
        assert standin.sent() == []  # storing a message sends nothing
        assert outbox_drain().sent == 1
    [sent] = standin.sent()
    assert sent["type"] == channel
    text = sent["content"]["body"] + sent["content"].get("subject", "")
    for value in ["4711", "Waste and recycling", *FIELDS[event].values()]:
        assert value in text
    assert "/contacts/stop-messages/" in text  # the opt-out link
    if channel != "sms":
        assert "Sam Jones" in text
    assert sent["to"] == {"email": "sam.jones@example.com", "sms": "07700900123",
                          "letter": "Sam Jones\n1 Oak Street\nAshton-under-Lyne\nOL6 6AB"}[channel]
    message.refresh_from_db()
    assert message.provider_reference == sent["id"]
    assert message.sent_at is not None


@pytest.mark.django_db
def test_a_message_to_staff_goes_through_the_general_template(standin):
    officer = UserFactory(email="officer@example.com")
    with time_machine.travel(MONDAY_NOON):
        outbox_send(dedupe_key="staff:1", message=Message("Hand-off 12 is overdue", "Please act."),
                    recipient_user=officer)
        outbox_drain()
    [sent] = standin.sent("email")
    assert sent["to"] == "officer@example.com"
    assert sent["content"] == {"subject": "Hand-off 12 is overdue", "body": "Please act."}


@pytest.mark.django_db
def test_no_update_without_consent_and_none_on_a_channel_not_agreed_to(standin):
    assert _tell(CustomerFactory(email="a@example.com")) is None
    prefers_sms_agreed_email = _customer("sms", consent_sms=False, consent_email=True)
    assert customer_message_channel(prefers_sms_agreed_email) is None
    no_preference = _customer("", consent_sms=True)
    assert customer_message_channel(no_preference) == "sms"
    assert not OutboundMessage.objects.exists()


@pytest.mark.django_db
def test_a_welsh_speaker_gets_the_welsh_template_and_falls_back_to_english(standin):
    welsh = MessageTemplate.objects.create(
        message_type=MessageType.HANDOFF_ACCEPTED, channel="email", language="cy",
        subject="Mae eich ymholiad ((reference)) ar y gweill",
        body="Annwyl ((name)), erbyn ((due_date)). ((opt_out_link))")
    welsh.notify_template_id = standin.add_template("email", welsh.body, welsh.subject)
    welsh.save()
    with time_machine.travel(MONDAY_NOON):
        _tell(_customer("email", language="cy"), key="cy")
        _tell(_customer("email", language="cy", email="b@example.com"),
              event=MessageType.HANDOFF_RESOLVED, key="cy-fallback")
        outbox_drain()
    subjects = sorted(n["content"]["subject"] for n in standin.sent())
    assert subjects == ["Mae eich ymholiad 4711 ar y gweill", "Your enquiry 4711 has been resolved"]


@pytest.mark.django_db
def test_permanent_failure_receipt_marks_the_number_as_not_working(standin, client):
    customer = _customer("sms", phone="07700900002")  # Notify's permanent-failure number
    with time_machine.travel(MONDAY_NOON):
        message = _tell(customer)
        outbox_drain()
    [answer] = _receipts(client, standin)
    assert answer.status_code == 200
    message.refresh_from_db()
    customer.refresh_from_db()
    assert message.delivery_status == "permanent-failure"
    assert customer.phone_failed_at is not None
    assert customer.email_failed_at is None
    # Nothing more goes to a number that does not work...
    assert _tell(customer, key="k2") is None
    # ...until it is corrected.
    from contacts.services import customer_update
    customer = customer_update(customer=customer, actor=None, phone="07700900124")
    assert customer.phone_failed_at is None
    assert customer_message_channel(customer) == "sms"


@pytest.mark.django_db
def test_temporary_failure_is_retried_with_back_off_and_then_delivered_once(standin, client, settings):
    settings.OUTBOX_RETRY_SECONDS = 60
    customer = _customer("email")
    standin.outcomes.extend(["temporary-failure", "delivered"])
    with time_machine.travel(MONDAY_NOON, tick=False):
        message = _tell(customer)
        outbox_drain()
        assert [a.json()["result"] for a in _receipts(client, standin)] == ["retry"]
        message.refresh_from_db()
        assert message.sent_at is None
        assert message.next_attempt_at == MONDAY_NOON + timedelta(seconds=60)
        assert outbox_drain().sent == 0  # not before its back-off
    with time_machine.travel(MONDAY_NOON + timedelta(seconds=61), tick=False):
        assert outbox_drain().sent == 1
        assert [a.json()["result"] for a in _receipts(client, standin)] == ["recorded"]
        assert outbox_drain().sent == 0
    message.refresh_from_db()
    assert message.delivery_status == "delivered"
    assert [n["status"] for n in standin.sent()] == ["temporary-failure", "delivered"]
    assert message.provider_reference == standin.sent()[1]["id"]
    assert list(message.attempts.order_by("number").values_list("outcome", flat=True)) == ["sent", "sent"]
    # Notify repeats a receipt it had no answer to: nothing changes.
    again = client.post("/notify/receipts/", standin.receipt(standin.sent()[0]),
                        content_type="application/json",
                        headers={"Authorization": f"Bearer {CALLBACK_TOKEN}"})
    assert again.json()["result"] == "unknown"  # an earlier send's id: not the message's now
    message.refresh_from_db()
    assert message.delivery_status == "delivered" and message.sent_at is not None


@pytest.mark.django_db
@pytest.mark.parametrize("header", ["Bearer wrong-token", "", f"Token {CALLBACK_TOKEN}", "Bearer "])
def test_a_receipt_with_a_wrong_or_missing_token_gets_401(standin, client, header):
    customer = _customer("email")
    with time_machine.travel(MONDAY_NOON):
        message = _tell(customer)
        outbox_drain()
    headers = {"Authorization": header} if header else {}
    answer = client.post("/notify/receipts/", standin.receipt(standin.sent()[0]),
                         content_type="application/json", headers=headers)
    assert answer.status_code == 401
    message.refresh_from_db()
    assert message.delivery_status == ""


@pytest.mark.django_db
def test_with_no_callback_token_set_every_receipt_is_refused(client, settings):
    settings.NOTIFY_CALLBACK_TOKEN = ""
    answer = client.post("/notify/receipts/", {"id": "x", "status": "delivered"},
                         content_type="application/json", headers={"Authorization": "Bearer "})
    assert answer.status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize("body", ['{"status": "delivered"}', '{"id": "not-a-uuid", "status": "x"}',
                                  "[]", "not json", '{"id": "6f1c7d2e-8f0e-4a55-9b1d-1b8f4f3c2a10"}'])
def test_a_receipt_that_is_not_one_gets_400(client, settings, body):
    settings.NOTIFY_CALLBACK_TOKEN = CALLBACK_TOKEN
    answer = client.post("/notify/receipts/", body, content_type="application/json",
                         headers={"Authorization": f"Bearer {CALLBACK_TOKEN}"})
    assert answer.status_code == 400


@pytest.mark.django_db
def test_a_receipt_for_an_unknown_notification_is_answered_and_ignored(client, settings):
    settings.NOTIFY_CALLBACK_TOKEN = CALLBACK_TOKEN
    answer = client.post("/notify/receipts/", {"id": "6f1c7d2e-8f0e-4a55-9b1d-1b8f4f3c2a10",
                                               "status": "delivered"},
                         content_type="application/json",
                         headers={"Authorization": f"Bearer {CALLBACK_TOKEN}"})
    assert answer.status_code == 200
    assert answer.json() == {"result": "unknown"}


@pytest.mark.django_db
def test_a_receipt_is_only_taken_by_post(client):
    assert client.get("/notify/receipts/").status_code == 405


@pytest.mark.django_db
def test_an_sms_due_in_quiet_hours_waits_until_morning(standin):
    customer = _customer("sms")
    evening = timezone.make_aware(datetime(2026, 3, 2, 22, 30))  # London, GMT in March
    with time_machine.travel(evening, tick=False):
        message = _tell(customer)
        email = _tell(_customer("email", email="c@example.com"), key="k-email")
        assert outbox_drain().sent == 1  # the email goes; the text waits
    message.refresh_from_db()
    assert message.next_attempt_at == timezone.make_aware(datetime(2026, 3, 3, 8, 0))
    with time_machine.travel(timezone.make_aware(datetime(2026, 3, 3, 7, 59)), tick=False):
        assert outbox_drain().sent == 0
    with time_machine.travel(timezone.make_aware(datetime(2026, 3, 3, 8, 0)), tick=False):
        assert outbox_drain().sent == 1
    assert [n["type"] for n in standin.sent()] == ["email", "sms"]
    assert email.pk != message.pk


@pytest.mark.django_db
def test_an_sms_retry_that_would_fall_in_the_night_waits_for_the_morning(standin, settings):
    settings.OUTBOX_RETRY_SECONDS = 3600
    customer = _customer("sms")
    standin.api_errors.append(500)
    with time_machine.travel(timezone.make_aware(datetime(2026, 3, 2, 20, 30)), tick=False):
        message = _tell(customer)
        assert outbox_drain().retry == 1
    message.refresh_from_db()
    assert message.next_attempt_at == timezone.make_aware(datetime(2026, 3, 3, 8, 0))


@pytest.mark.django_db
def test_notify_errors_map_to_give_up_retry_or_channel_down(standin):
    with time_machine.travel(MONDAY_NOON, tick=False):
        not_mobile = _tell(_customer("sms", phone="01613428355"), key="landline")
        assert outbox_drain().failed == 1  # 400: not a UK mobile, never sendable
        not_mobile.refresh_from_db()
        assert not_mobile.failed_at is not None
        assert "Not a UK mobile number" in not_mobile.send_error

        standin.api_errors.extend([500])
        flaky = _tell(_customer("email", email="d@example.com"), key="flaky")
        assert outbox_drain().retry == 1
        flaky.refresh_from_db()
        assert flaky.next_attempt_at is not None and flaky.sent_at is None

        standin.api_errors.extend([429])
        limited = _tell(_customer("email", email="e@example.com"), key="limited")
    with time_machine.travel(MONDAY_NOON + timedelta(hours=2), tick=False):
        result = outbox_drain()
    # The rate limit stops the email channel for this run: one retry, the other waits its turn.
    assert result.sent + result.retry == 1
    limited.refresh_from_db()
    assert limited.sent_at is None or flaky.sent_at is None


@pytest.mark.django_db
def test_a_wrong_api_key_is_refused_by_the_standin_and_nothing_is_lost(standin, settings):
    settings.NOTIFY_API_KEY = NotifyStandIn().api_key  # another service's key
    with time_machine.travel(MONDAY_NOON, tick=False):
        message = _tell(_customer("email"))
        assert outbox_drain().retry == 1
    assert standin.sent() == []
    assert [status for _, _, status in standin.requests] == [403]
    message.refresh_from_db()
    assert message.next_attempt_at is not None
    assert DeliveryAttempt.objects.get(message=message).outcome == "retry"


@pytest.mark.django_db
def test_a_template_without_a_notify_id_is_retried_not_lost(standin):
    MessageTemplate.objects.filter(message_type=MessageType.HANDOFF_ACCEPTED).update(
        notify_template_id=None)
    with time_machine.travel(MONDAY_NOON, tick=False):
        message = _tell(_customer("email"))
        assert outbox_drain().retry == 1
    message.refresh_from_db()
    assert "No Notify template ID" in message.send_error


@pytest.mark.django_db
def test_without_a_key_texts_and_letters_go_to_the_log(settings, caplog):
    settings.NOTIFY_API_KEY = ""
    with time_machine.travel(MONDAY_NOON, tick=False):
        _tell(_customer("sms"))
        with caplog.at_level("INFO", logger="notify.senders"):
            assert outbox_drain().sent == 1
    assert "07700900123" in caplog.text and "Waste and recycling" in caplog.text


@pytest.mark.django_db
def test_the_standin_answers_a_notification_by_id(standin):
    from notifications_python_client.errors import HTTPError
    from notifications_python_client.notifications import NotificationsAPIClient

    with time_machine.travel(MONDAY_NOON):
        _tell(_customer("email"))
        outbox_drain()
        client = NotificationsAPIClient(standin.api_key, base_url=standin.base_url)
        found = client.get_notification_by_id(standin.sent()[0]["id"])
        assert found["status"] == "delivered"
        assert found["email_address"] == "sam.jones@example.com"
        with pytest.raises(HTTPError) as missing:
            client.get_notification_by_id("6f1c7d2e-8f0e-4a55-9b1d-1b8f4f3c2a10")
    assert missing.value.status_code == 404


@pytest.mark.django_db
def test_a_complaint_letter_by_post_goes_to_notify_as_its_pdf(standin, settings):
    """Issue 19 with issue 18's letters: a complaint letter keeps its letterhead and signature, so
    Notify gets the PDF as a precompiled letter, not the text in a template."""
    from pypdf import PdfReader

    from complaints.services import complaint_letter_send
    from core.roles import Role
    from tests.complaints.factories import complaint, user_with, walk

    settings.COUNCIL_NAME = "Tameside Metropolitan Borough Council"
    officer = user_with(Role.COMPLAINTS_OFFICER, is_senior_officer=True)
    with time_machine.travel(MONDAY_NOON):
        case = walk(complaint(customer=_customer("letter", address_line_1="3 Grievance Row",
                                                  postcode="OL6 9ZY")), ["allocate"], officer=officer)
        letter = complaint_letter_send(complaint=case, actor=officer, kind="acknowledgement", stage="1",
                                       subject="We have your complaint", body="Printed words.",
                                       channel="post")
        assert outbox_drain().sent == 1
    [sent] = standin.sent()
    assert (sent["type"], sent["precompiled"], sent["postage"]) == ("letter", True, "second")
    pages = PdfReader(io.BytesIO(sent["pdf"])).pages
    text = " ".join(" ".join(page.extract_text() for page in pages).split())
    for expected in ("Tameside Metropolitan Borough Council", "3 Grievance Row", "OL6 9ZY",
                     "Printed words.", f"Our reference: {case.reference}"):
        assert expected in text, expected
    message = OutboundMessage.objects.get(dedupe_key=f"complaint-letter:{letter.pk}")
    assert message.provider_reference == sent["id"] and sent["reference"] == f"outbox-{message.pk}"
    assert message.sent_at is not None


@pytest.mark.django_db
@pytest.mark.parametrize("status, says", [
    ("validation-failed", "the address must sit in the address window"),
    ("virus-scan-failed", "virus scan refused the letter's PDF"),
])
def test_a_complaint_letter_notify_refuses_is_not_retried_and_its_officer_is_told(standin, client, status,
                                                                                   says):
    """A precompiled letter Notify will not post (issue 19): the receipt is stored on the outbox
    row, the letter is given up (the same PDF would be refused again), the officer who sent it gets
    one message saying what to do, the case page marks the letter, and the complainant's address
    is not marked as failing (the document was refused, not the address)."""
    from complaints.models import ComplaintEvent
    from complaints.services import complaint_letter_send
    from core.roles import Role
    from tests.complaints.factories import complaint, user_with, walk

    officer = user_with(Role.COMPLAINTS_OFFICER, is_senior_officer=True, email="olive@council.example")
    customer = _customer("letter", address_line_1="3 Grievance Row", postcode="OL6 9ZY")
    standin.outcomes.append(status)
    with time_machine.travel(MONDAY_NOON, tick=False):
        case = walk(complaint(customer=customer), ["allocate"], officer=officer)
        letter = complaint_letter_send(complaint=case, actor=officer, kind="acknowledgement", stage="1",
                                       subject="We have your complaint", body="Printed words.",
                                       channel="post")
        assert outbox_drain().sent == 1
        assert [a.json()["result"] for a in _receipts(client, standin)] == ["refused"]
    message = OutboundMessage.objects.get(dedupe_key=f"complaint-letter:{letter.pk}")
    assert message.delivery_status == status
    assert message.failed_at == MONDAY_NOON
    assert (message.sent_at, message.next_attempt_at) == (None, None)
    assert says in message.send_error
    told = OutboundMessage.objects.get(recipient_user=officer, subject__startswith="Letter not posted")
    assert told.subject == f"Letter not posted: complaint {case.reference}"
    assert told.to_email == "olive@council.example"
    assert says in told.body and "send it by email" in told.body
    event = ComplaintEvent.objects.get(complaint=case, action="letter_refused")
    assert event.data == {"letter": letter.pk}
    customer.refresh_from_db()
    assert customer.address_failed_at is None
    # Not retried, however long the drain keeps running; a repeated receipt changes nothing.
    with time_machine.travel(MONDAY_NOON + timedelta(days=3), tick=False):
        assert OutboundMessage.objects.filter(pk=message.pk, next_attempt_at__isnull=False).count() == 0
        outbox_drain()
    assert [n for n in standin.sent() if n["type"] == "letter"] == standin.sent()[:1]
    again = client.post("/notify/receipts/", standin.receipt(standin.sent()[0]),
                        content_type="application/json",
                        headers={"Authorization": f"Bearer {CALLBACK_TOKEN}"})
    assert again.json()["result"] == "ignored"
    assert OutboundMessage.objects.filter(subject__startswith="Letter not posted").count() == 1
    # The officer sees it on the case and on the letter.
    client.force_login(officer)
    page = client.get(f"/complaints/{case.pk}/").content.decode()
    assert "Not posted: letter refused by GOV.UK Notify" in page
    shown = client.get(f"/complaints/{case.pk}/letters/{letter.pk}/").content.decode()
    assert "The complainant has not had this letter." in shown


@pytest.mark.django_db
def test_a_posted_complaint_letter_shows_as_sending_sent_then_delivered(standin, client):
    from complaints.services import complaint_letter_send
    from core.roles import Role
    from tests.complaints.factories import complaint, user_with, walk

    officer = user_with(Role.COMPLAINTS_OFFICER, is_senior_officer=True)
    standin.outcomes.append("delivered")
    client.force_login(officer)

    def status() -> str:
        page = client.get(f"/complaints/{case.pk}/").content.decode()
        letters = page.split("Letters sent")[1]
        return re.search(r'govuk-tag govuk-tag--(\w+)">([^<]+)</strong>', letters).groups()

    with time_machine.travel(MONDAY_NOON, tick=False):
        case = walk(complaint(customer=_customer("letter")), ["allocate"], officer=officer)
        complaint_letter_send(complaint=case, actor=officer, kind="acknowledgement", stage="1",
                              subject="We have your complaint", body="Printed words.", channel="post")
        assert status() == ("yellow", "Sending")
        outbox_drain()
        assert status() == ("blue", "Sent")
        assert [a.json()["result"] for a in _receipts(client, standin)] == ["recorded"]
        assert status() == ("green", "Delivered")


@pytest.mark.django_db
def test_the_standin_refuses_a_precompiled_letter_that_is_not_a_pdf(standin):
    from notifications_python_client.errors import HTTPError
    from notifications_python_client.notifications import NotificationsAPIClient

    client = NotificationsAPIClient(standin.api_key, base_url=standin.base_url)
    with pytest.raises(HTTPError) as refused:
        client.send_precompiled_letter_notification(reference="r1", pdf_file=io.BytesIO(b"not a pdf"))
    assert (refused.value.status_code, refused.value.message[0]["message"]) == (
        400, "Letter content is not a valid PDF")
