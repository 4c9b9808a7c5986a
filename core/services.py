"""Writes of the shared app: audit records, the outbox, API keys, closure days."""

import hashlib
import json
import logging
import os
import secrets
import socket
from collections.abc import Iterable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import JSONField
from django.db.models.expressions import DatabaseDefault
from django.db.models.sql import InsertQuery
from django.utils import timezone

from core.input_guard import moment_error
from core.messages import sendable_at
from core.models import ApiToken, AuditEvent, ClosureDay, DeliveryAttempt, OutboundMessage, User
from core.roles import Role

logger = logging.getLogger(__name__)


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


def insert_audited(instance, *, actor, action: str, changes: dict | None = None,
                   at=None) -> AuditEvent:
    """Insert the new row `instance` and its audit row (`audit_record`'s) together, and set the
    instance's id as `save()` would.

    On PostgreSQL it is one statement, the audit row's INSERT in a data-modifying WITH that reads
    the new id: all or nothing without a transaction of its own, and one round trip where
    `save()` and `audit_record` in a transaction take four (BEGIN, two INSERTs, COMMIT). The
    partner API's contact-create runs it for every contact (issue 23). Elsewhere, the two
    INSERTs in a transaction. Model signals are not sent (the project has no receivers).
    """
    if connection.vendor != "postgresql":
        with transaction.atomic(savepoint=False):
            instance.save(force_insert=True)
            return audit_record(actor=actor, action=action, target=instance, changes=changes, at=at)
    meta = instance._meta
    fields = [f for f in meta.local_concrete_fields if not f.generated]
    if instance.pk is None:
        fields = [f for f in fields if f is not meta.auto_field]
    returning = list(meta.db_returning_fields)
    query = InsertQuery(type(instance))
    query.insert_values(fields, [instance])
    compiler = query.get_compiler(connection=connection)
    compiler.returning_fields = returning
    [(insert_sql, insert_params)] = compiler.as_sql()

    event = _audit_event(actor=actor, action=action, target=instance, changes=changes, at=at)
    quote = connection.ops.quote_name
    audit_fields = [f for f in AuditEvent._meta.local_concrete_fields
                    if f is not AuditEvent._meta.auto_field]
    columns, values, audit_params = [], [], []
    for field in audit_fields:
        columns.append(quote(field.column))
        if field.name == "object_id":  # the new row's id, as text (`_object_ref`)
            values.append(f"created.{quote(meta.pk.column)}::text")
        else:
            values.append("%s")
            audit_params.append(field.get_db_prep_save(field.pre_save(event, True), connection))
    audit_table = quote(AuditEvent._meta.db_table)
    sql = (f"WITH created AS ({insert_sql}), "  # nosec B608 - identifiers from the models' metadata
           f"audited AS (INSERT INTO {audit_table} ({', '.join(columns)}) "
           f"SELECT {', '.join(values)} FROM created RETURNING {quote(AuditEvent._meta.pk.column)}) "
           f"SELECT created.*, audited.{quote(AuditEvent._meta.pk.column)} FROM created, audited")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*insert_params, *audit_params])
        *row, event.pk = cursor.fetchone()
    cols = [field.get_col(meta.db_table) for field in returning]
    converters = compiler.get_converters(cols)
    if converters:
        row = next(iter(compiler.apply_converters([row], converters)))
    for field, value in zip(returning, row, strict=True):
        setattr(instance, field.attname, value)
    instance._state.adding = False
    instance._state.db = connection.alias
    event.object_id = str(instance.pk)
    event._state.adding = False
    event._state.db = connection.alias
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
    channel: str = OutboundMessage.Channel.EMAIL
    to_phone: str = ""
    to_address: tuple[str, ...] = ()
    message_type: str = ""
    language: str = ""
    personalisation: dict | None = None
    recipient: object = None  # a member of the public (a customer) the message is for


def _outbound(item: Outgoing, now) -> OutboundMessage:
    object_type, object_id = _object_ref(item.about) if item.about is not None else ("", "")
    recipient_type, recipient_id = (_object_ref(item.recipient) if item.recipient is not None
                                    else ("", ""))
    to_email = item.to_email or getattr(item.recipient_user, "email", "") or ""
    if item.recipient_user is not None and not item.recipient_user.is_active:
        # A deactivated account (a leaver) is sent nothing (issue 18, "People change"); the
        # sweeps address the work's next owner instead, and this keeps the record of what was due.
        to_email = ""
    # A letter's address is on the message (issue 19) or on the record it is about (issue 18's
    # printed letters: their sender reads it there).
    address = {OutboundMessage.Channel.EMAIL: to_email, OutboundMessage.Channel.SMS: item.to_phone,
               OutboundMessage.Channel.LETTER: list(item.to_address) or True}[item.channel]
    return OutboundMessage(
        dedupe_key=item.dedupe_key,
        created_at=now,
        channel=item.channel,
        # No address, nothing to send: the message is kept as the record that it was due.
        # A text message due in the quiet hours waits for the morning.
        next_attempt_at=sendable_at(item.channel, now) if address else None,
        recipient_user=item.recipient_user,
        to_email=to_email if item.channel == OutboundMessage.Channel.EMAIL else "",
        to_phone=item.to_phone if item.channel == OutboundMessage.Channel.SMS else "",
        to_address=list(item.to_address) if item.channel == OutboundMessage.Channel.LETTER else [],
        subject=item.message.subject,
        body=item.message.body,
        message_type=item.message_type,
        language=item.language,
        personalisation=dict(item.personalisation or {}),
        object_type=object_type,
        object_id=object_id,
        recipient_type=recipient_type,
        recipient_id=recipient_id,
    )


def outbox_send(*, dedupe_key: str, message: Message, recipient_user=None, to_email: str = "",
                about=None, **details) -> OutboundMessage | None:
    """Store a message in the outbox once per `dedupe_key`; the drain sends it after commit.

    Returns the new message, or None when a message with that key exists already: this is what
    makes reminders and overdue notices idempotent under retries and concurrent sweeps. Nothing
    is sent here, so no web request waits on (or fails with) the mail server. `details` are the
    other fields of `Outgoing` (channel, phone number, letter address, template fields).
    """
    outbound = _outbound(Outgoing(dedupe_key, message, recipient_user, to_email, about, **details),
                         timezone.now())
    try:
        with transaction.atomic():
            outbound.save(force_insert=True)
    except IntegrityError:
        return None
    if outbound.next_attempt_at is not None:
        transaction.on_commit(outbox_wake_drain, robust=True)
    return outbound


def _details(item: Outgoing) -> dict:
    return {"channel": item.channel, "to_phone": item.to_phone, "to_address": item.to_address,
            "message_type": item.message_type, "language": item.language,
            "personalisation": item.personalisation, "recipient": item.recipient}


def outbox_send_many(items: Iterable[Outgoing]) -> list[OutboundMessage]:
    """`outbox_send` for a batch in a constant number of queries; returns the messages this call
    stored (one per new `dedupe_key`); the drain sends them after commit.

    The keys already stored are read first (one indexed query) and only the rest are made into
    messages: a sweep that runs again finds most of its messages stored already, and making them
    again cost more than the sweep's queries (issue 23, "a sweep with nothing due"). On
    PostgreSQL the rest are one `INSERT ... SELECT FROM unnest(...) ON CONFLICT (dedupe_key) DO
    NOTHING`: a key stored by a concurrent writer meanwhile (the insert waits for that writer's
    commit) is skipped by the statement itself, so a key is stored once. Elsewhere they are
    inserted in one statement; should a concurrent writer store one of them in between, the
    batch falls back to `outbox_send` one message at a time.
    """
    batch = {}
    for item in items:
        batch.setdefault(item.dedupe_key, item)
    if not batch:
        return []
    existing = _stored_keys(list(batch))
    if len(existing) == len(batch):
        return []
    now = timezone.now()
    fresh = [_outbound(item, now) for key, item in batch.items() if key not in existing]
    if connection.vendor == "postgresql":
        stored = _outbox_insert(fresh)
    else:
        try:
            with transaction.atomic():
                stored = OutboundMessage.objects.bulk_create(fresh)
        except IntegrityError:
            one_by_one = (outbox_send(dedupe_key=key, message=item.message,
                                      recipient_user=item.recipient_user, to_email=item.to_email,
                                      about=item.about, **_details(item))
                          for key, item in batch.items() if key not in existing)
            return [message for message in one_by_one if message is not None]
    if any(message.next_attempt_at is not None for message in stored):
        transaction.on_commit(outbox_wake_drain, robust=True)
    return stored


def _outbox_insert(messages: list[OutboundMessage]) -> list[OutboundMessage]:
    """Insert the messages whose dedupe key is free, in one statement with one array parameter
    per column (not Django's bulk_create, which spells out every field of every row: a sweep's
    10,000 updates cost seconds of building and parsing SQL); the messages stored, with their ids."""
    columns, arrays = [], []
    for field in OutboundMessage._meta.concrete_fields:
        if field.primary_key:
            continue
        values = [getattr(message, field.attname) for message in messages]
        if all(isinstance(value, DatabaseDefault) for value in values):
            continue  # the column's database default (the delivery status, before any send)
        values = [field.db_default.value if isinstance(value, DatabaseDefault) else value
                  for value in values]
        if isinstance(field, JSONField):
            values = [json.dumps(value, cls=field.encoder) for value in values]
        columns.append(connection.ops.quote_name(field.column))
        arrays.append((field.cast_db_type(connection), values))
    names = ", ".join(columns)
    # Table, column and type names come from the model's metadata, never from input; every value
    # is a bound parameter (one array per column).
    sql = (f"INSERT INTO {OutboundMessage._meta.db_table} ({names}) "  # nosec B608
           f"SELECT {names} FROM unnest({', '.join(f'%s::{cast}[]' for cast, _ in arrays)}) "
           f"AS incoming ({names}) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id, dedupe_key")
    with connection.cursor() as cursor:
        cursor.execute(sql, [values for _, values in arrays])
        ids = {key: pk for pk, key in cursor.fetchall()}
    stored = []
    for message in messages:
        if message.dedupe_key in ids:
            message.pk = ids[message.dedupe_key]
            message._state.adding = False
            message._state.db = connection.alias
            stored.append(message)
    return stored


def _stored_keys(keys: list[str]) -> set[str]:
    if connection.vendor == "postgresql":  # one array parameter, however many keys
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT dedupe_key FROM {OutboundMessage._meta.db_table} "  # nosec B608
                           "WHERE dedupe_key = ANY(%s)", [keys])
            return {key for (key,) in cursor.fetchall()}
    return set(OutboundMessage.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True))


def outbox_wake_drain() -> None:
    """Ask a Celery worker to drain the outbox now (after the commit that stored messages).

    Only a nudge: the periodic drain (CELERY_BEAT_SCHEDULE) finds whatever is due anyway, so with
    the broker down, or with no broker at all (tasks eager: `run_periodic` drains on its
    schedule), nothing is lost and nothing is sent from the request that stored the message."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return
    from config.celery import app

    try:
        app.send_task("core.outbox_drain", retry=False, ignore_result=True)
    except Exception as error:  # noqa: BLE001 - the broker is down: the periodic drain catches up
        logger.warning("outbox: could not wake the drain (%s); the periodic drain will send", error)


@dataclass
class DrainResult:
    sent: int = 0
    retry: int = 0
    failed: int = 0

    def as_dict(self) -> dict:
        return {"sent": self.sent, "retry": self.retry, "failed": self.failed}


def outbox_drain(*, limit: int = 1000, worker: str = "") -> DrainResult:
    """Send the outbox messages that are due, each exactly once, recording every attempt.

    Each message is claimed in its own short transaction with SELECT ... FOR UPDATE SKIP LOCKED:
    the claim counts the attempt, writes its `DeliveryAttempt` row and moves `next_attempt_at` to
    the end of the claim (OUTBOX_CLAIM_SECONDS), so drains running at once in any number of
    workers never take the same message, and a worker killed mid-send leaves the message to be
    claimed again when its claim runs out (its attempt stays unfinished). After the send, a second
    transaction marks it sent, or schedules the retry with exponential back-off (OUTBOX_RETRY_SECONDS
    doubled per attempt, at most OUTBOX_RETRY_MAX_SECONDS), or gives it up after
    OUTBOX_MAX_ATTEMPTS or a permanent refusal. Sending happens outside any transaction. At most
    `limit` messages per call; what is left waits for the next drain.
    """
    from core.outbox import ChannelUnavailable, PermanentFailure, senders

    worker = worker or f"{socket.gethostname()}:{os.getpid()}"
    channel_senders = senders()
    result = DrainResult()
    down: set[str] = set()  # channels found unavailable during this run
    with ExitStack() as stack:
        sessions = {}
        for _ in range(limit):
            claimed = _outbox_claim(worker=worker, channels=set(channel_senders) - down)
            if claimed is None:
                break
            message, attempt = claimed
            try:
                if message.channel not in sessions:
                    sessions[message.channel] = stack.enter_context(
                        channel_senders[message.channel].session())
                reference = sessions[message.channel].send(message)
            except PermanentFailure as error:
                _outbox_finish(message, attempt, error=_error_text(error), give_up=True)
                result.failed += 1
            except Exception as error:  # noqa: BLE001 - any other failure is retried later
                if isinstance(error, ChannelUnavailable):
                    down.add(message.channel)
                    sessions.pop(message.channel, None)
                gave_up = _outbox_finish(message, attempt, error=_error_text(error), give_up=False)
                if gave_up:
                    result.failed += 1
                else:
                    result.retry += 1
            else:
                _outbox_finish(message, attempt, reference=reference)
                result.sent += 1
    return result


def _error_text(error: Exception) -> str:
    return (str(error) or error.__class__.__name__)[:2000]


def _outbox_claim(*, worker: str, channels: set[str]):
    """Claim the next due message of one of `channels` for this worker: (message, its new
    attempt), or None. A channel with no sender is never claimed: its messages wait."""
    now = timezone.now()
    with transaction.atomic():
        message = (OutboundMessage.objects.select_for_update(skip_locked=True)
                   .filter(next_attempt_at__lte=now, channel__in=channels)
                   .order_by("next_attempt_at", "pk").first())
        if message is None:
            return None
        message.attempt_count += 1
        message.next_attempt_at = now + timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS)
        message.save(update_fields=["attempt_count", "next_attempt_at"])
        attempt = DeliveryAttempt.objects.create(message=message, number=message.attempt_count,
                                                 started_at=now, worker=worker[:200])
    return message, attempt


def _outbox_finish(message: OutboundMessage, attempt: DeliveryAttempt, *, error: str = "",
                   reference: str = "", give_up: bool = False) -> bool:
    """Record how the attempt went; returns True when the message is now given up."""
    now = timezone.now()
    with transaction.atomic():
        if not error:
            outcome = DeliveryAttempt.Outcome.SENT
            fields = {"sent_at": now, "next_attempt_at": None, "send_error": "",
                      "provider_reference": reference[:100], "delivery_status": "",
                      "delivery_status_at": None}
        elif give_up or message.attempt_count >= settings.OUTBOX_MAX_ATTEMPTS:
            outcome = DeliveryAttempt.Outcome.FAILED
            fields = {"failed_at": now, "next_attempt_at": None, "send_error": error}
        else:
            outcome = DeliveryAttempt.Outcome.RETRY
            fields = {"next_attempt_at": sendable_at(message.channel,
                                                     now + outbox_back_off(message.attempt_count)),
                      "send_error": error}
        # Only while the claim is still this attempt's: a worker so slow that its claim ran out
        # and another worker took the message does not overwrite what that one recorded.
        OutboundMessage.objects.filter(pk=message.pk, attempt_count=attempt.number,
                                       sent_at__isnull=True).update(**fields)
        DeliveryAttempt.objects.filter(pk=attempt.pk).update(
            finished_at=now, outcome=outcome, error=error, provider_reference=reference[:100])
    return outcome == DeliveryAttempt.Outcome.FAILED


def outbox_back_off(attempts: int) -> timedelta:
    """The wait before the next try after `attempts` failed ones: doubling, with a ceiling."""
    seconds = settings.OUTBOX_RETRY_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.OUTBOX_RETRY_MAX_SECONDS))


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
    be in the future nor before the record's previous event, nor before the earliest date a
    client may send (issue 24, `core.input_guard`). None means now."""
    now = timezone.now()
    if at is None:
        return now if previous_at is None or previous_at <= now else previous_at
    if problem := moment_error(at):
        raise ValidationError({field: problem})
    if at > now + timedelta(seconds=5):
        raise ValidationError({field: "The time cannot be in the future."})
    if previous_at is not None and at < previous_at:
        raise ValidationError({field: "The time cannot be before the record's previous event."})
    return at
