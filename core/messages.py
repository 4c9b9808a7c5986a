"""Message templates and when a message may go: the rules every channel shares.

- Placeholders are written as GOV.UK Notify writes them, ((field)), so one text serves the
  preview, the console and email sender, and the copy of the template kept in Notify.
- Quiet hours (MESSAGE_QUIET_HOURS): no text message is sent at night; one due then waits until
  the quiet hours end (issue 19, "Quiet hours"). Email and letters are not held back.
"""

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from core.models import MESSAGE_FIELDS, Language, MessageTemplate, OutboundMessage

_PLACEHOLDER = re.compile(r"\(\(\s*([A-Za-z0-9_ ]+?)\s*\)\)")


def message_state(message: OutboundMessage) -> tuple[str, str]:
    """What became of an outbox message, in staff's words, with its GOV.UK tag colour: the one
    wording of the customer's 360 page and the complaint's letters."""
    if message.delivery_status in (OutboundMessage.DeliveryStatus.VALIDATION_FAILED,
                                   OutboundMessage.DeliveryStatus.VIRUS_SCAN_FAILED):
        return "Not posted: letter refused by GOV.UK Notify", "red"
    if message.delivery_status == OutboundMessage.DeliveryStatus.PERMANENT_FAILURE:
        return "Not delivered: address or number not working", "red"
    if message.failed_at:
        return "Not sent", "red"
    if message.delivery_status == OutboundMessage.DeliveryStatus.DELIVERED:
        return "Delivered", "green"
    if message.sent_at:
        return "Sent", "blue"
    if message.next_attempt_at is None:
        return "Not sent: no address", "grey"
    if message.next_attempt_at > timezone.now():
        return f"Waiting until {timezone.localtime(message.next_attempt_at):%-d %B %H:%M}", "yellow"
    return "Sending", "yellow"


def placeholders(text: str) -> list[str]:
    """The ((field)) names a text uses, in order, once each."""
    seen: dict[str, None] = {}
    for name in _PLACEHOLDER.findall(text or ""):
        seen.setdefault(name, None)
    return list(seen)


def render(text: str, personalisation: dict) -> str:
    """The text with each ((field)) replaced by its value (an unknown field is left as written)."""
    return _PLACEHOLDER.sub(lambda match: str(personalisation.get(match.group(1), match.group(0))),
                            text or "")


def template_errors(*, message_type: str, channel: str, subject: str, body: str) -> dict[str, str]:
    """What is wrong with a template, by field: a placeholder the product does not fill for
    this message type would make Notify refuse every send of it."""
    allowed = MESSAGE_FIELDS.get(message_type, [])
    errors = {}
    for field, text in (("subject", subject), ("body", body)):
        unknown = [name for name in placeholders(text) if name not in allowed]
        if unknown:
            errors[field] = (f"(({unknown[0]})) is not a field of this message. Use "
                             + ", ".join(f"(({name}))" for name in allowed) + ".")
    if not (body or "").strip():
        errors["body"] = "Enter the message."
    if channel != OutboundMessage.Channel.SMS and not (subject or "").strip():
        errors["subject"] = "Enter the subject."
    return errors


def example_personalisation(message_type: str) -> dict[str, str]:
    """Made-up values for a template preview."""
    examples = {
        "name": "Sam Example", "reference": "H-1234", "service": "Waste and recycling",
        "due_date": "4 November 2026", "new_date": "11 November 2026",
        "outcome": "We have replaced your bin.", "reason": "We are waiting for a report.",
        "status": "in progress",
        "opt_out_link": f"{settings.PUBLIC_BASE_URL}/contacts/stop-messages/example/",
        "subject": "Example subject", "body": "Example message.",
    }
    return {name: examples.get(name, name) for name in MESSAGE_FIELDS.get(message_type, [])}


def message_template_for(*, message_type: str, channel: str, language: str) -> MessageTemplate | None:
    """The template in the customer's language, else the English one (a Welsh speaker still
    hears from us when no Welsh text has been written yet)."""
    found = {template.language: template for template in MessageTemplate.objects.filter(
        message_type=message_type, channel=channel, language__in={language, Language.ENGLISH})}
    return found.get(language) or found.get(Language.ENGLISH)


def _clock(value: str) -> time:
    hours, _, minutes = value.partition(":")
    return time(int(hours), int(minutes or 0))


def quiet_hours() -> tuple[time, time]:
    start, _, end = settings.MESSAGE_QUIET_HOURS.partition("-")
    return _clock(start), _clock(end)


def sendable_at(channel: str, at: datetime) -> datetime:
    """The earliest time from `at` a message on `channel` may be sent: text messages due in the
    quiet hours (local time, e.g. 21:00-08:00) wait until they end."""
    if channel != OutboundMessage.Channel.SMS or not settings.MESSAGE_QUIET_HOURS:
        return at
    zone = ZoneInfo(settings.TIME_ZONE)
    local = at.astimezone(zone)
    start, end = quiet_hours()
    now = local.time()
    in_quiet = (start <= now or now < end) if start > end else (start <= now < end)
    if not in_quiet:
        return at
    day = local.date() if now < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=zone)
