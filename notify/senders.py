"""Senders for the outbox (core/outbox.py): GOV.UK Notify through its official client, and the
log when no Notify key is set.

Notify holds its own copy of each template: a message is sent as the template's Notify id and
the personalisation stored on the outbox row when it was made. How a try went, for the drain:
- 201: sent; the notification id is kept, for the delivery receipt (notify.services);
- 400 (Notify's ValidationError or BadRequestError: a number that is not a mobile, a field the
  template lacks): the message can never go as it is: PermanentFailure;
- 403 (the key is wrong or revoked) and 429 (rate or daily limit): the channel is unavailable,
  the message is retried after its back-off and nothing more is tried in this run;
- 5xx or no answer: retried after its back-off.
"""

import io
import logging
from contextlib import contextmanager

from django.conf import settings
from notifications_python_client.errors import HTTPError
from notifications_python_client.notifications import NotificationsAPIClient

from core.messages import message_template_for
from core.models import Language, MessageType, OutboundMessage
from core.outbox import ChannelUnavailable, PermanentFailure, letter_document

logger = logging.getLogger(__name__)


class NotifySender:
    def session(self):
        return _notify_session()


@contextmanager
def _notify_session():
    client = NotificationsAPIClient(settings.NOTIFY_API_KEY, base_url=settings.NOTIFY_BASE_URL,
                                    timeout=settings.NOTIFY_TIMEOUT_SECONDS)
    try:
        yield _NotifySession(client)
    finally:
        client.request_session.close()


def notify_personalisation(message: OutboundMessage) -> dict:
    """What Notify fills the template with: the stored fields; a message written out in full
    (to staff, `general`) as its subject and body; a letter's address as address_line_1..7."""
    personalisation = dict(message.personalisation or {})
    if not message.message_type:
        personalisation = {"subject": message.subject, "body": message.body}
    if message.channel == OutboundMessage.Channel.LETTER:
        for number, line in enumerate(message.to_address[:7], start=1):
            personalisation[f"address_line_{number}"] = line
    return personalisation


class _NotifySession:
    def __init__(self, client: NotificationsAPIClient):
        self.client = client

    def send(self, message: OutboundMessage) -> str:
        reference = f"outbox-{message.pk}"
        document = letter_document(message) if message.channel == OutboundMessage.Channel.LETTER else None
        try:
            if document is not None:
                # A letter an app printed (a complaint letter with the council's letterhead):
                # Notify's precompiled letter, posted as it is, second class.
                answer = self.client.send_precompiled_letter_notification(
                    reference=reference, pdf_file=io.BytesIO(document))
            else:
                answer = self._send_from_template(message, reference)
        except HTTPError as error:
            if error.status_code == 400:
                raise PermanentFailure(f"Notify refused the message: {error.message}") from error
            if error.status_code in (401, 403, 429):
                raise ChannelUnavailable(f"Notify: {error.status_code} {error.message}") from error
            raise
        return str(answer["id"])

    def _send_from_template(self, message: OutboundMessage, reference: str) -> dict:
        message_type = message.message_type or MessageType.GENERAL
        template = message_template_for(message_type=message_type, channel=message.channel,
                                        language=message.language or Language.ENGLISH)
        if template is None or template.notify_template_id is None:
            # A set-up gap the admin can close: retried with back-off meanwhile, not lost.
            raise RuntimeError(f"No Notify template ID for {message_type} by {message.channel}: "
                               "set it in the admin (Message templates).")
        template_id = str(template.notify_template_id)
        personalisation = notify_personalisation(message)
        if message.channel == OutboundMessage.Channel.EMAIL:
            return self.client.send_email_notification(
                email_address=message.to_email, template_id=template_id,
                personalisation=personalisation, reference=reference)
        if message.channel == OutboundMessage.Channel.SMS:
            return self.client.send_sms_notification(
                phone_number=message.to_phone, template_id=template_id,
                personalisation=personalisation, reference=reference)
        return self.client.send_letter_notification(
            template_id=template_id, personalisation=personalisation, reference=reference)


class ConsoleSender:
    """No Notify key: the message is written to the log, as email goes to the console."""

    @contextmanager
    def session(self):
        yield self

    def send(self, message: OutboundMessage) -> str:
        to = message.to_phone or ", ".join(message.to_address) or message.to_email
        logger.info("message (%s) to %s: %s\n%s", message.channel, to, message.subject, message.body)
        return ""
