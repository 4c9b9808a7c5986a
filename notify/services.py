"""Writes of the notify app: delivery receipts (issue 19, "Delivery receipts arrive on a
callback endpoint ... and are stored on the outbox row")."""

import uuid
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from contacts.services import customer_contact_point_failed
from core.messages import sendable_at
from core.models import DeliveryAttempt, OutboundMessage
from core.outbox import message_refused
from core.services import outbox_back_off

Status = OutboundMessage.DeliveryStatus
_RETRIED = {Status.TEMPORARY_FAILURE, Status.TECHNICAL_FAILURE}
# What a refused precompiled letter means for whoever sent it (Notify's letter statuses).
REFUSED = {
    Status.VALIDATION_FAILED: "Notify could not post the letter as it is: the address must sit in the "
                              "address window, be a UK or international postal address, and the "
                              "pages must keep clear of Notify's margins.",
    Status.VIRUS_SCAN_FAILED: "Notify's virus scan refused the letter's PDF.",
}


def receipt_parse(payload) -> tuple[str, str]:
    """The notification id and status of a Notify delivery receipt; ValidationError
    {field: message} for a body that is not one."""
    if not isinstance(payload, dict):
        raise ValidationError({"non_field_errors": "Expected a JSON object."})
    errors = {}
    notification_id = payload.get("id")
    try:
        notification_id = str(uuid.UUID(str(notification_id)))
    except ValueError:
        errors["id"] = "Must be the notification's id (a UUID)."
    status = payload.get("status")
    if not isinstance(status, str) or not status or len(status) > 40:
        errors["status"] = "Must be the notification's status."
    if errors:
        raise ValidationError(errors)
    return notification_id, status


@transaction.atomic
def delivery_receipt_record(payload, *, now: datetime | None = None) -> str:
    """Store what a delivery receipt says on the outbox row whose last send it answers:
    - delivered: recorded;
    - permanent-failure: recorded, and the customer's address or number is marked as not
      working (`customer_contact_point_failed`): nothing more goes there, the adviser sees it;
    - temporary-failure, technical-failure: the message is due again after the outbox's back-off
      (in the quiet hours' morning for a text message), or given up after OUTBOX_MAX_ATTEMPTS;
    - validation-failed, virus-scan-failed (a precompiled letter Notify would not post): given up,
      not retried (the same PDF would be refused again), and the app that wrote the letter tells
      the member of staff who sent it (`core.outbox.message_refused`);
    - any other status (created, sending, letters' accepted/received): nothing to do.
    Notify repeats a receipt it got no answer for: a receipt for an earlier send of a message that
    has been sent again since, or a repeat of the one recorded, changes nothing. Returns what was
    done: "recorded", "retry", "given_up", "refused", "ignored" or "unknown"."""
    notification_id, status = receipt_parse(payload)
    now = now or timezone.now()
    message = (OutboundMessage.objects.select_for_update()
               .filter(provider_reference=notification_id).first())
    if message is None:
        return "unknown"
    if status not in Status.values or message.sent_at is None or message.delivery_status:
        return "ignored"
    DeliveryAttempt.objects.filter(message=message, provider_reference=notification_id).update(
        error=f"Delivery receipt: {status}")
    message.delivery_status = status
    message.delivery_status_at = now
    fields = ["delivery_status", "delivery_status_at"]
    result = "recorded"
    if status in _RETRIED:
        message.sent_at = None
        if message.attempt_count >= settings.OUTBOX_MAX_ATTEMPTS:
            message.failed_at = now
            result = "given_up"
        else:
            message.next_attempt_at = sendable_at(message.channel,
                                                  now + outbox_back_off(message.attempt_count))
            result = "retry"
        message.send_error = f"Delivery receipt: {status}"
        fields += ["sent_at", "failed_at", "next_attempt_at", "send_error"]
    elif status in REFUSED:
        message.sent_at, message.next_attempt_at, message.failed_at = None, None, now
        message.send_error = f"Delivery receipt: {status}. {REFUSED[status]}"
        fields += ["sent_at", "failed_at", "next_attempt_at", "send_error"]
        result = "refused"
    message.save(update_fields=fields)
    if result == "refused":
        message_refused(message, REFUSED[status])
    if status == Status.PERMANENT_FAILURE and message.recipient_type == "contacts.customer":
        customer_contact_point_failed(customer_id=int(message.recipient_id), channel=message.channel,
                                      at=now, reason=f"Notify: {status}")
    return result
