"""Writes of the shared app: audit records, the outbox, API keys, closure days."""

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.models import ApiToken, AuditEvent, ClosureDay, OutboundMessage, User
from core.roles import Role


def _object_ref(target) -> tuple[str, str]:
    return f"{target._meta.app_label}.{target._meta.model_name}", str(target.pk)


def _audit_event(*, actor, action: str, target, changes: dict | None = None, ip_address=None,
                 at=None) -> AuditEvent:
    object_type, object_id = _object_ref(target)
    return AuditEvent(
        at=at or timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        changes=changes or {},
        ip_address=ip_address,
    )


def audit_record(*, actor, action: str, target, changes: dict | None = None, ip_address=None,
                 at=None) -> AuditEvent:
    """Append one row to the audit trail (DEVELOPERS.md, "Personal data is protected").

    Call it inside the transaction that makes the change, so the change and its record commit
    or roll back together.
    """
    event = _audit_event(actor=actor, action=action, target=target, changes=changes,
                         ip_address=ip_address, at=at)
    event.save(force_insert=True)
    return event


def audit_record_many(records: Iterable[dict]) -> list[AuditEvent]:
    """`audit_record` for many rows in one INSERT (the sweeps write one per item); each record
    takes the keyword arguments of `audit_record`."""
    events = [_audit_event(**record) for record in records]
    return AuditEvent.objects.bulk_create(events) if events else []


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


@dataclass(frozen=True)
class Outgoing:
    """One message for `outbox_send_many`: the arguments of `outbox_send`."""

    dedupe_key: str
    message: Message
    recipient_user: User | None = None
    to_email: str = ""
    about: object = None


def _outbound(item: Outgoing, now) -> OutboundMessage:
    object_type, object_id = _object_ref(item.about) if item.about is not None else ("", "")
    return OutboundMessage(
        dedupe_key=item.dedupe_key,
        created_at=now,
        recipient_user=item.recipient_user,
        to_email=item.to_email or getattr(item.recipient_user, "email", "") or "",
        subject=item.message.subject,
        body=item.message.body,
        object_type=object_type,
        object_id=object_id,
    )


def outbox_send(*, dedupe_key: str, message: Message, recipient_user=None, to_email: str = "",
                about=None) -> OutboundMessage | None:
    """Store a message in the outbox once per `dedupe_key` and send it after commit.

    Returns the new message, or None when a message with that key exists already: this is what
    makes reminders and overdue notices idempotent under retries and concurrent sweeps.
    """
    outbound = _outbound(Outgoing(dedupe_key, message, recipient_user, to_email, about),
                         timezone.now())
    try:
        with transaction.atomic():
            outbound.save(force_insert=True)
    except IntegrityError:
        return None
    if outbound.to_email:
        transaction.on_commit(lambda: outbox_deliver(outbound.pk))
    return outbound


def outbox_send_many(items: Iterable[Outgoing]) -> list[OutboundMessage]:
    """`outbox_send` for a batch in a constant number of queries; returns the messages this call
    stored (one per new `dedupe_key`) and delivers them after commit over one connection.

    The keys already stored are read first and the rest inserted in one statement. Should a
    concurrent writer store one of those keys in between, the insert fails as a whole and the
    batch falls back to `outbox_send` one message at a time, so a key is still stored once.
    """
    batch = {}
    for item in items:
        batch.setdefault(item.dedupe_key, item)
    if not batch:
        return []
    existing = _stored_keys(list(batch))
    now = timezone.now()
    fresh = [_outbound(item, now) for key, item in batch.items() if key not in existing]
    if not fresh:
        return []
    try:
        with transaction.atomic():
            stored = OutboundMessage.objects.bulk_create(fresh)
    except IntegrityError:
        one_by_one = (outbox_send(dedupe_key=key, message=item.message, recipient_user=item.recipient_user,
                                  to_email=item.to_email, about=item.about)
                      for key, item in batch.items() if key not in existing)
        return [message for message in one_by_one if message is not None]
    to_deliver = [message.pk for message in stored if message.to_email]
    if to_deliver:
        transaction.on_commit(lambda: outbox_deliver_many(to_deliver))
    return stored


def _stored_keys(keys: list[str]) -> set[str]:
    return set(OutboundMessage.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True))


def outbox_deliver(message_id: int) -> None:
    """Hand one stored message to the email backend; a failure is kept for the retry sweep."""
    outbox_deliver_many([message_id])


def outbox_deliver_many(message_ids: list[int]) -> int:
    """Hand stored messages to the email backend over one connection: one UPDATE marks the
    delivered ones sent; each failure keeps its error and stays unsent for the retry sweep.
    Returns how many were delivered."""
    pending = list(OutboundMessage.objects.filter(pk__in=message_ids, sent_at__isnull=True)
                   .exclude(to_email="").order_by("pk"))
    if not pending:
        return 0
    delivered, failed = [], {}
    try:
        with get_connection() as mail:
            for outbound in pending:
                email = EmailMessage(outbound.subject, outbound.body, None, [outbound.to_email],
                                     connection=mail)
                try:
                    if not mail.send_messages([email]):
                        raise RuntimeError("The email backend did not send the message.")
                except Exception as error:  # noqa: BLE001 - any transport failure is retried later
                    failed.setdefault(str(error)[:2000], []).append(outbound.pk)
                else:
                    delivered.append(outbound.pk)
    except Exception as error:  # noqa: BLE001 - the mail server is down: all wait for the retry
        done = set(delivered).union(*failed.values())
        rest = [outbound.pk for outbound in pending if outbound.pk not in done]
        if rest:
            failed.setdefault(str(error)[:2000], []).extend(rest)
    if delivered:
        OutboundMessage.objects.filter(pk__in=delivered, sent_at__isnull=True).update(
            sent_at=timezone.now(), send_error=""
        )
    for error, ids in failed.items():
        OutboundMessage.objects.filter(pk__in=ids).update(send_error=error)
    return len(delivered)


def outbox_retry_unsent() -> int:
    """Deliver messages whose first delivery failed (mail server down). Idempotent."""
    pending = list(
        OutboundMessage.objects.filter(sent_at__isnull=True)
        .exclude(to_email="")
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:500]
    )
    if pending:
        outbox_deliver_many(pending)
    return len(pending)


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_create(*, user, name: str, actor=None) -> tuple[ApiToken, str]:
    """Make an API key for `user`; returns the token row and the key (shown only now). The
    name says what the key is for, so a list of keys can be read and the right one revoked."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Enter a name for the key, such as what the script does."})
    if len(name) > ApiToken._meta.get_field("name").max_length:
        raise ValidationError({"name": "The name must be 200 characters or fewer."})
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        key_hash=hash_api_key(key),
        prefix=key[:8],
        created_at=timezone.now(),
    )
    audit_record(actor=actor, action="api_token_created", target=token, changes={"name": name})
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
