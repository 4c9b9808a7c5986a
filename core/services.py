"""Writes of the shared app: audit records, the outbox, API keys, closure days."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.models import ApiToken, AuditEvent, ClosureDay, OutboundMessage, User
from core.roles import Role


def _object_ref(target) -> tuple[str, str]:
    return f"{target._meta.app_label}.{target._meta.model_name}", str(target.pk)


def audit_record(*, actor, action: str, target, changes: dict | None = None, ip_address=None,
                 at=None) -> AuditEvent:
    """Append one row to the audit trail (DEVELOPERS.md, "Personal data is protected").

    Call it inside the transaction that makes the change, so the change and its record commit
    or roll back together.
    """
    object_type, object_id = _object_ref(target)
    return AuditEvent.objects.create(
        at=at or timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        changes=changes or {},
        ip_address=ip_address,
    )


def model_changes(instance, fields, before: dict) -> dict:
    """{field: [old, new]} for the fields whose value differs from `before`."""
    changes = {}
    for field in fields:
        new = getattr(instance, field)
        if before.get(field) != new:
            changes[field] = [_jsonable(before.get(field)), _jsonable(new)]
    return changes


def _jsonable(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "pk"):
        return value.pk
    return str(value)


@dataclass(frozen=True)
class Message:
    subject: str
    body: str


def outbox_send(*, dedupe_key: str, message: Message, recipient_user=None, to_email: str = "",
                about=None) -> OutboundMessage | None:
    """Store a message in the outbox once per `dedupe_key` and send it after commit.

    Returns the new message, or None when a message with that key exists already: this is what
    makes reminders and overdue notices idempotent under retries and concurrent sweeps.
    """
    to_email = to_email or getattr(recipient_user, "email", "") or ""
    object_type, object_id = _object_ref(about) if about is not None else ("", "")
    try:
        with transaction.atomic():
            outbound = OutboundMessage.objects.create(
                dedupe_key=dedupe_key,
                created_at=timezone.now(),
                recipient_user=recipient_user,
                to_email=to_email,
                subject=message.subject,
                body=message.body,
                object_type=object_type,
                object_id=object_id,
            )
    except IntegrityError:
        return None
    if to_email:
        transaction.on_commit(lambda: outbox_deliver(outbound.pk))
    return outbound


def outbox_deliver(message_id: int) -> None:
    """Hand one stored message to the email backend; a failure is kept for the retry sweep."""
    outbound = OutboundMessage.objects.get(pk=message_id)
    if outbound.sent_at or not outbound.to_email:
        return
    try:
        send_mail(outbound.subject, outbound.body, None, [outbound.to_email])
    except Exception as error:  # noqa: BLE001 - any transport failure is retried later
        OutboundMessage.objects.filter(pk=message_id).update(send_error=str(error)[:2000])
        return
    OutboundMessage.objects.filter(pk=message_id, sent_at__isnull=True).update(
        sent_at=timezone.now(), send_error=""
    )


def outbox_retry_unsent() -> int:
    """Deliver messages whose first delivery failed (mail server down). Idempotent."""
    pending = list(
        OutboundMessage.objects.filter(sent_at__isnull=True)
        .exclude(to_email="")
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:500]
    )
    for message_id in pending:
        outbox_deliver(message_id)
    return len(pending)


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_create(*, user, name: str) -> tuple[ApiToken, str]:
    """Make an API key for `user`; returns the token row and the key (shown only now)."""
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        key_hash=hash_api_key(key),
        prefix=key[:8],
        created_at=timezone.now(),
    )
    audit_record(actor=None, action="api_token_created", target=token, changes={"name": name})
    return token, key


@transaction.atomic
def partner_token_create(*, name: str) -> tuple[ApiToken, str]:
    """A partner system (API.md, "Auth"): a service account in the `partner` group, no
    password, and a key for it."""
    username = f"partner-{name}".lower().replace(" ", "-")[:150]
    user, created = User.objects.get_or_create(username=username, defaults={"first_name": name})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        user.groups.add(Group.objects.get_or_create(name=Role.PARTNER)[0])
    return api_token_create(user=user, name=name)


def api_token_revoke(*, token: ApiToken, actor=None) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="api_token_revoked", target=token)


def closure_day_add(*, date, reason: str, actor=None) -> ClosureDay:
    day, _ = ClosureDay.objects.update_or_create(date=date, defaults={"reason": reason})
    audit_record(actor=actor, action="closure_day_set", target=day, changes={"reason": reason})
    return day


def event_time(at, *, previous_at=None, field: str = "at"):
    """The time of an event handled off-line or imported (API.md, "Conventions"): `at` may not
    be in the future nor before the record's previous event. None means now."""
    now = timezone.now()
    if at is None:
        return now if previous_at is None or previous_at <= now else previous_at
    if at > now + timedelta(seconds=5):
        raise ValidationError({field: "The time cannot be in the future."})
    if previous_at is not None and at < previous_at:
        raise ValidationError({field: "The time cannot be before the record's previous event."})
    return at
