"""Writes of the contacts app: customers and contacts (DOMAIN.md, "Contacts and NI14")."""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from contacts import normalise
from contacts.models import (
    Contact,
    Customer,
    CustomerMerge,
    IdempotencyKey,
    MessageChannel,
    ProactiveRule,
    SamplingPeriod,
)
from contacts.selectors import customer_relations
from core.api_errors import StateConflict
from core.messages import message_template_for, render
from core.models import MESSAGE_FIELDS, ChannelCode, Language, OutboundMessage
from core.services import Message, Outgoing, audit_record, insert_audited, outbox_send_many

# --- Customers ---------------------------------------------------------------------------------

CUSTOMER_FIELDS = (
    "first_name", "last_name", "date_of_birth", "address_line_1", "address_line_2", "town",
    "postcode", "uprn", "phone", "email", "preferred_channel", "accessibility_needs",
    "is_vulnerable", "vulnerability_notes", "consent_notes",
    "message_channel", "consent_email", "consent_sms", "consent_letter", "language",
)
_TEXT_LIMITS = {
    "first_name": 100, "last_name": 100, "address_line_1": 200, "address_line_2": 200,
    "town": 100, "email": 254,
}


def _customer_clean(fields: dict) -> dict:
    """Normalise and check a customer's details; ValidationError {field: message} lists them all.

    Postcodes are stored as "OL6 6AB" and phone numbers as digits with a UK leading 0
    (`contacts.normalise`), so that search finds them however they are typed.
    """
    cleaned = dict(fields)
    errors = {}
    for field in ("first_name", "last_name", "town", "address_line_1", "address_line_2"):
        if field in cleaned:
            cleaned[field] = normalise.name(cleaned[field] or "")
    for field, label in (("first_name", "first name"), ("last_name", "last name")):
        if field in cleaned and not cleaned[field]:
            errors[field] = f"Enter the customer's {label}."
    for field, limit in _TEXT_LIMITS.items():
        if len(cleaned.get(field) or "") > limit:
            errors[field] = f"Must be {limit} characters or fewer."
    if cleaned.get("postcode"):
        cleaned["postcode"] = normalise.postcode(cleaned["postcode"])
        if not normalise.is_postcode(cleaned["postcode"]):
            errors["postcode"] = "Enter a real postcode, like OL6 6AB."
    elif "postcode" in cleaned:
        cleaned["postcode"] = ""
    if cleaned.get("phone"):
        cleaned["phone"] = normalise.phone(cleaned["phone"])
        if not 7 <= len(cleaned["phone"]) <= 15:
            errors["phone"] = "Enter a phone number, like 0161 342 8355 or 07700 900 982."
    elif "phone" in cleaned:
        cleaned["phone"] = ""
    if cleaned.get("email"):
        cleaned["email"] = normalise.email(cleaned["email"])
        try:
            validate_email(cleaned["email"])
        except ValidationError:
            errors["email"] = "Enter an email address in the correct format, like name@example.com."
    elif "email" in cleaned:
        cleaned["email"] = ""
    if cleaned.get("uprn"):
        cleaned["uprn"] = str(cleaned["uprn"]).strip()
        if not cleaned["uprn"].isdigit() or len(cleaned["uprn"]) > 12:
            errors["uprn"] = "A UPRN is a number of up to 12 digits."
    elif "uprn" in cleaned:
        cleaned["uprn"] = ""
    if cleaned.get("preferred_channel") and cleaned["preferred_channel"] not in ChannelCode.values:
        errors["preferred_channel"] = "Select a channel."
    if "preferred_channel" in cleaned:
        cleaned["preferred_channel"] = cleaned["preferred_channel"] or ""
    dob = cleaned.get("date_of_birth")
    if dob is not None and (not isinstance(dob, date) or dob > timezone.localdate()):
        errors["date_of_birth"] = "Date of birth must be in the past."
    for field in ("accessibility_needs", "vulnerability_notes", "consent_notes"):
        if field in cleaned:
            cleaned[field] = (cleaned[field] or "").strip()
    for field in ("is_vulnerable", "consent_email", "consent_sms", "consent_letter"):
        if field in cleaned:
            cleaned[field] = bool(cleaned[field])
    if cleaned.get("message_channel") and cleaned["message_channel"] not in MessageChannel.values:
        errors["message_channel"] = "Select how the customer wants updates."
    if "message_channel" in cleaned:
        cleaned["message_channel"] = cleaned["message_channel"] or ""
    if "language" in cleaned:
        cleaned["language"] = cleaned["language"] or Language.ENGLISH
        if cleaned["language"] not in Language.values:
            errors["language"] = "Select the customer's language."
    unknown = set(cleaned) - set(CUSTOMER_FIELDS)
    if unknown:
        raise TypeError(f"Unknown customer fields: {sorted(unknown)}")
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def customer_create(*, actor, first_name: str, last_name: str, **details) -> Customer:
    """Record a new customer (issue 3, "Customers").

    Details are normalised (`_customer_clean`). The audit row names the fields given, not their
    values: the audit trail is append-only, so personal data written there could never be
    erased or rectified. Possible duplicates are the caller's to show first
    (`contacts.selectors.customer_possible_duplicates`); creating anyway is allowed.
    """
    fields = _customer_clean({"first_name": first_name, "last_name": last_name, **details})
    now = timezone.now()
    customer = Customer.objects.create(**fields, created_at=now, updated_at=now)
    audit_record(actor=actor, action="created", target=customer,
                 changes={"fields": sorted(k for k, v in fields.items() if v not in ("", None, False))})
    return customer


def customer_details_clean(fields: dict) -> dict:
    """A customer's details normalised and checked as `customer_create` and `customer_update`
    take them (for a rectification request recorded before it is applied)."""
    return _customer_clean(fields)


@transaction.atomic
def customer_update(*, customer: Customer, actor, **details) -> Customer:
    """Correct a customer's details (rectification, UK GDPR article 16).

    Only the fields given are changed; the audit row lists which changed (names, not values,
    as in `customer_create`). Nothing changes and nothing is audited when nothing differs.
    """
    fields = _customer_clean(details)
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    changed = sorted(field for field, value in fields.items() if getattr(customer, field) != value)
    if not changed:
        return customer
    for field in changed:
        setattr(customer, field, fields[field])
    # A corrected address or number is worth trying again.
    for failed_field, contact_fields in _CONTACT_POINT_FIELDS.items():
        if contact_fields & set(changed) and getattr(customer, failed_field) is not None:
            setattr(customer, failed_field, None)
            changed.append(failed_field)
    customer.updated_at = timezone.now()
    customer.save(update_fields=[*changed, "updated_at"])
    audit_record(actor=actor, action="changed", target=customer, changes={"fields": changed})
    return customer


# --- Contacts ----------------------------------------------------------------------------------


def contact_create(
    *,
    actor,
    source: str,
    channel: str,
    service,
    summary: str,
    received_at,
    received_date,
    resolved_at_first_contact: bool,
    handoff_method: str,
    enquiry_closed_at,
    direction: str = Contact.Direction.INBOUND,
    enquiry_type=None,
    customer=None,
    site=None,
    avoidable: bool = False,
    avoidable_reason=None,
    handoff_override_reason: str = "",
    external_ref: str = "",
    repeat_of=None,
    possible_repeat_of=None,
    sampling_period=None,
    handled_by=None,
    handling_time_seconds: int | None = None,
) -> Contact:
    """Store one contact as the intake rules decided it, with its audit row.

    The rules (an avoidable contact has one reason, a handed-off contact is not resolved at first
    contact, chasing, repeats, ...) are `intake.rules.contact_decide`'s, applied by the use case
    `intake.services.contact_log` at every door: call that, not this. The database keeps the
    NI14 invariant too (contact_avoidable_has_one_reason).
    """
    now = timezone.now()
    contact = Contact(
        channel=channel,
        direction=direction,
        service=service,
        enquiry_type=enquiry_type,
        customer=customer,
        received_at=received_at,
        received_date=received_date,
        site=site,
        handled_by=handled_by if handled_by is not None else (
            actor if getattr(actor, "pk", None) else None),
        summary=summary,
        resolved_at_first_contact=resolved_at_first_contact,
        avoidable=avoidable,
        avoidable_reason=avoidable_reason,
        handoff_method=handoff_method,
        handoff_override_reason=handoff_override_reason,
        source=source,
        external_ref=external_ref,
        handling_time_seconds=handling_time_seconds,
        sampling_period=sampling_period,
        repeat_of=repeat_of,
        possible_repeat_of=possible_repeat_of,
        enquiry_closed_at=enquiry_closed_at,
        created_at=now,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    # The contact and its audit row in one statement (all or nothing on its own; inside the
    # intake's transaction when the contact opens hand-offs or a complaint too).
    insert_audited(contact, actor=actor, action="created",
                   changes={"channel": channel, "service": service.code, "source": source,
                            "avoidable": avoidable})
    return contact


def contact_enquiry_close(*, contact: Contact, at, actor=None) -> None:
    """Mark the enquiry behind a contact closed (the back office resolved its hand-off).

    Idempotent: a closed enquiry keeps its first closing time.
    """
    updated = Contact.objects.filter(pk=contact.pk, enquiry_closed_at__isnull=True).update(
        enquiry_closed_at=at
    )
    if updated:
        contact.enquiry_closed_at = at
        audit_record(actor=actor, action="enquiry_closed", target=contact, at=at)


# --- Idempotent API writes ---------------------------------------------------------------------


class IdempotencyKeyReused(Exception):
    """The same Idempotency-Key came with a different request body (API.md: 422)."""


def request_fingerprint(payload) -> str:
    """A stable hash of a request body: the same JSON in any key order hashes the same."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def contact_log_once(*, user, key: str, fingerprint: str,
                     log: Callable[[], Contact]) -> tuple[Contact, bool]:
    """Run `log` (which records one contact) at most once per caller and Idempotency-Key
    (API.md, "Contacts"). Returns (contact, created).

    Safe under concurrent retries without a read-then-write race: the contact and the key row
    are written in one transaction, and the key's unique constraint lets exactly one of several
    concurrent attempts commit; the others roll back everything they did and answer with the
    stored contact. The same key with a different body raises IdempotencyKeyReused.
    """
    stored = _stored_key(user, key)
    if stored is None:
        try:
            with transaction.atomic():
                contact = log()
                IdempotencyKey.objects.create(user=user, key=key, request_hash=fingerprint,
                                              contact=contact, created_at=timezone.now())
            return contact, True
        except IntegrityError:
            stored = _stored_key(user, key)
            if stored is None:  # another constraint failed: not a concurrent retry
                raise
    if stored.request_hash != fingerprint:
        raise IdempotencyKeyReused(key)
    return stored.contact, False


def _stored_key(user, key: str) -> IdempotencyKey | None:
    return (IdempotencyKey.objects.select_related("contact").filter(user=user, key=key).first())


# --- NI14 sampling periods ---------------------------------------------------------------------


@transaction.atomic
def sampling_period_save(*, period: SamplingPeriod, actor, ip_address=None) -> SamplingPeriod:
    """Save a sampling period an admin defined (DOMAIN.md: "a contact records the sampling period
    it belongs to when one is running") and stamp the contacts received on its days with it,
    including contacts logged before it was defined or before its dates changed; contacts
    outside its days lose the stamp. Periods may not overlap, so every contact belongs to at
    most one and the NI14 figures of a period are those of its days."""
    errors = sampling_period_errors(period)
    if errors:
        raise ValidationError(errors)
    created = period.pk is None
    period.save()
    in_period = Q(received_date__gte=period.start_date, received_date__lte=period.end_date)
    unstamped = Contact.objects.filter(sampling_period=period).exclude(in_period).update(
        sampling_period=None)
    stamped = Contact.objects.filter(in_period).exclude(sampling_period=period).update(
        sampling_period=period)
    audit_record(actor=actor, action="created" if created else "changed", target=period,
                 changes={"start_date": period.start_date.isoformat(),
                          "end_date": period.end_date.isoformat(),
                          "contacts_stamped": stamped, "contacts_unstamped": unstamped},
                 ip_address=ip_address)
    return period


def sampling_period_errors(period: SamplingPeriod) -> dict[str, str]:
    """What is wrong with a sampling period's dates: {field: message}, empty when nothing."""
    if period.start_date is None or period.end_date is None:
        return {}
    if period.end_date < period.start_date:
        return {"end_date": "The last day must be on or after the first day."}
    overlapping = (SamplingPeriod.objects.exclude(pk=period.pk)
                   .filter(start_date__lte=period.end_date, end_date__gte=period.start_date)
                   .order_by("start_date", "pk").first())
    if overlapping is not None:
        return {"start_date": f"It overlaps {overlapping.name} ({overlapping.start_date:%d %B %Y} to "
                              f"{overlapping.end_date:%d %B %Y}): sampling periods may not overlap."}
    return {}


@transaction.atomic
def sampling_period_delete(*, period: SamplingPeriod, actor, ip_address=None) -> None:
    """Remove a sampling period: its contacts lose the stamp, and stay counted as contacts."""
    unstamped = Contact.objects.filter(sampling_period=period).update(sampling_period=None)
    audit_record(actor=actor, action="deleted", target=period,
                 changes={"was": str(period), "contacts_unstamped": unstamped},
                 ip_address=ip_address)
    period.delete()


# --- Messages to customers (issue 19) ----------------------------------------------------------

_CHANNEL_ORDER = (MessageChannel.EMAIL, MessageChannel.SMS, MessageChannel.LETTER)
_FAILED_FIELD = {MessageChannel.EMAIL: "email_failed_at", MessageChannel.SMS: "phone_failed_at",
                 MessageChannel.LETTER: "address_failed_at"}
_CONSENT_FIELD = {MessageChannel.EMAIL: "consent_email", MessageChannel.SMS: "consent_sms",
                  MessageChannel.LETTER: "consent_letter"}
# A correction of these fields makes the channel worth trying again.
_CONTACT_POINT_FIELDS = {"email_failed_at": {"email"}, "phone_failed_at": {"phone"},
                         "address_failed_at": {"address_line_1", "address_line_2", "town", "postcode"}}
OPT_OUT_SALT = "contacts.customer-opt-out"


def customer_letter_address(customer: Customer) -> list[str]:
    """The lines Notify prints on a letter: name, address, postcode last; none without both
    a first line and a postcode."""
    if not (customer.address_line_1 and customer.postcode):
        return []
    return [line for line in (customer.full_name, customer.address_line_1, customer.address_line_2,
                              customer.town, customer.postcode) if line]


def _reachable(customer: Customer, channel: str) -> bool:
    address = {MessageChannel.EMAIL: customer.email, MessageChannel.SMS: customer.phone,
               MessageChannel.LETTER: customer_letter_address(customer)}[channel]
    return bool(address) and getattr(customer, _CONSENT_FIELD[channel]) and \
        getattr(customer, _FAILED_FIELD[channel]) is None


def customer_message_channel(customer: Customer) -> str | None:
    """The channel an update to the customer goes on (issue 19, "on their preferred channel and
    only with their consent"): their preferred one when they agreed to it and it works; with no
    preference, the first that does of email, text message, letter; otherwise none."""
    if customer.anonymised_at is not None:
        return None
    if customer.message_channel:
        return customer.message_channel if _reachable(customer, customer.message_channel) else None
    return next((channel for channel in _CHANNEL_ORDER if _reachable(customer, channel)), None)


def opt_out_token(customer: Customer, channel: str) -> str:
    return signing.dumps({"customer": customer.pk, "channel": channel}, salt=OPT_OUT_SALT)


def _opt_out_prefix() -> str:
    path = reverse("contacts:stop-messages", args=["TOKEN"])
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}{path}".removesuffix("TOKEN/")


def opt_out_link(customer: Customer, channel: str, *, prefix: str = "") -> str:
    """The link in an update that stops updates on its channel (signed: it names the customer)."""
    return f"{prefix or _opt_out_prefix()}{opt_out_token(customer, channel)}/"


def opt_out_read(token: str) -> tuple[Customer, str] | None:
    """The customer and channel an opt-out link names; None for a link that is not ours."""
    try:
        data = signing.loads(token, salt=OPT_OUT_SALT)
        customer = Customer.objects.active().get(pk=data["customer"])
    except (signing.BadSignature, KeyError, TypeError, Customer.DoesNotExist):
        return None
    if data.get("channel") not in MessageChannel.values:
        return None
    return customer, data["channel"]


@transaction.atomic
def customer_opt_out(*, customer: Customer, channel: str, at=None) -> Customer:
    """The customer followed the link in a message: no more updates on that channel (their
    consent is withdrawn, audited as done by the customer). Following it twice changes nothing."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    field = _CONSENT_FIELD[channel]
    if getattr(customer, field):
        setattr(customer, field, False)
        customer.updated_at = at or timezone.now()
        customer.save(update_fields=[field, "updated_at"])
        audit_record(actor=None, action="customer_opted_out", target=customer,
                     changes={"channel": channel, "by": "customer, from the link in a message"})
    return customer


@transaction.atomic
def customer_contact_point_failed(*, customer_id: int, channel: str, at, reason: str = "") -> bool:
    """A delivery receipt said the customer's address or number does not work (a permanent
    failure): it is marked, so nothing more is sent there and the adviser sees it on the 360
    page. Returns True when this marked it (a repeated receipt changes nothing)."""
    field = _FAILED_FIELD[channel]
    marked = Customer.objects.filter(pk=customer_id, **{f"{field}__isnull": True}).update(
        **{field: at})
    if marked:
        audit_record(actor=None, action="contact_point_failed", target=Customer(pk=customer_id),
                     changes={"channel": channel, "reason": reason[:200]})
    return bool(marked)


@dataclass(frozen=True)
class CustomerUpdate:
    """One proactive update for `customer_updates_send`: what happened (`event`, a MessageType),
    to whose enquiry, and the fields of its message besides the customer's name."""

    customer: Customer
    event: str
    dedupe_key: str
    about: object
    enquiry_type_id: int | None
    fields: dict


def proactive_rules(event: str) -> dict[int | None, ProactiveRule]:
    """The rules for one event by enquiry type id (None: the rule for every type)."""
    return {rule.enquiry_type_id: rule for rule in ProactiveRule.objects.filter(event=event)}


def proactive_rule_for(rules: dict, enquiry_type_id) -> ProactiveRule | None:
    rule = rules.get(enquiry_type_id) if enquiry_type_id is not None else None
    return rule or rules.get(None)


def customer_updates_send(updates: list[CustomerUpdate]) -> list[OutboundMessage]:
    """Tell customers what happened to their enquiry or complaint, unasked (issue 19, "Proactive
    updates"). Each goes to the outbox (sent once, from Celery) when the event's rule is on for
    the enquiry type, the customer agreed to a channel that works (`customer_message_channel`) and
    a template exists for it, in Welsh for a Welsh speaker when written (`message_template_for`).
    One message per event: the dedupe key. Text messages wait out the quiet hours (core.messages).
    Returns the messages stored now."""
    rules_by_event: dict[str, dict] = {}
    templates: dict[tuple, object] = {}
    outgoing = []
    link_prefix = _opt_out_prefix()
    for update in updates:
        if update.event not in rules_by_event:
            rules_by_event[update.event] = proactive_rules(update.event)
        rules = rules_by_event[update.event]
        rule = proactive_rule_for(rules, update.enquiry_type_id)
        channel = customer_message_channel(update.customer)
        if rule is None or not rule.enabled or channel is None:
            continue
        key = (update.event, channel, update.customer.language)
        if key not in templates:
            templates[key] = message_template_for(message_type=update.event, channel=channel,
                                                  language=update.customer.language)
        template = templates[key]
        if template is None:
            continue
        customer = update.customer
        personalisation = {"name": customer.full_name, **update.fields,
                           "opt_out_link": opt_out_link(customer, channel, prefix=link_prefix)}
        allowed = MESSAGE_FIELDS[update.event]
        personalisation = {name: str(value) for name, value in personalisation.items() if name in allowed}
        outgoing.append(Outgoing(
            dedupe_key=update.dedupe_key,
            message=Message(subject=render(template.subject, personalisation)[:300],
                            body=render(template.body, personalisation)),
            about=update.about, recipient=customer, channel=channel,
            to_email=customer.email if channel == MessageChannel.EMAIL else "",
            to_phone=customer.phone if channel == MessageChannel.SMS else "",
            to_address=tuple(customer_letter_address(customer)) if channel == MessageChannel.LETTER else (),
            message_type=update.event, language=template.language, personalisation=personalisation,
        ))
    return outbox_send_many(outgoing)


def customer_update_send(**update) -> OutboundMessage | None:
    """`customer_updates_send` for one update; the message stored, or None."""
    stored = customer_updates_send([CustomerUpdate(**update)])
    return stored[0] if stored else None

# --- One record per person: merge and undo (issue 20, item 3) ------------------------------------

# The details a merge lets the user choose field by field (the rest are the survivor's own).
MERGE_FIELDS = ("first_name", "last_name", "date_of_birth", "address_line_1", "address_line_2",
                "town", "postcode", "uprn", "phone", "email", "preferred_channel",
                "accessibility_needs", "is_vulnerable", "vulnerability_notes", "consent_notes",
                # How they want to hear from us (issue 19): each consent is the person's own
                # choice, so it is picked like any detail, never combined behind their back.
                "message_channel", "consent_email", "consent_sms", "consent_letter", "language")

# The outbox names its customer by reference, not by a foreign key (core knows no customer model):
# a merge moves these too, under these labels in CustomerMerge.moved.
OUTBOX_CUSTOMER_REFS = {
    "core.outboundmessage.recipient": ("recipient_type", "recipient_id"),
    "core.outboundmessage.about": ("object_type", "object_id"),
}


def _outbox_rows(label: str, customer: Customer):
    type_field, id_field = OUTBOX_CUSTOMER_REFS[label]
    return OutboundMessage.objects.filter(**{type_field: "contacts.customer", id_field: str(customer.pk)})


def _field_value(value):
    return value.isoformat() if isinstance(value, date) else value


@transaction.atomic
def customer_merge(*, survivor: Customer, merged: Customer, actor, take_from_merged=()) -> CustomerMerge:
    """Make two records of one person one (issue 20, "One record per person"): the survivor takes
    the fields named in `take_from_merged` from the merged record, every row of every app that
    points at the merged record (each foreign key to Customer, found through the app registry, so
    a new app's rows move too) moves to the survivor, the merged record leads to the survivor
    from then on (`merged_into`), and an audit row is written: all in one transaction. Undone
    with `customer_merge_undo` within CUSTOMER_MERGE_UNDO_DAYS."""
    if survivor.pk == merged.pk:
        raise ValidationError({"merged": "Choose two different customers."})
    locked = {c.pk: c for c in Customer.objects.select_for_update().filter(pk__in=[survivor.pk, merged.pk])
              .order_by("pk")}
    survivor, merged = locked.get(survivor.pk), locked.get(merged.pk)
    for customer in (survivor, merged):
        if customer is None or customer.anonymised_at is not None or customer.merged_into_id is not None:
            raise StateConflict("One of these records has been merged or anonymised already.")
    unknown = set(take_from_merged) - set(MERGE_FIELDS)
    if unknown:
        raise ValidationError({"fields": f"These details cannot be chosen: {', '.join(sorted(unknown))}."})
    before = {name: _field_value(getattr(survivor, name)) for name in MERGE_FIELDS}
    for name in take_from_merged:
        setattr(survivor, name, getattr(merged, name))
    now = timezone.now()
    survivor.updated_at = now
    survivor.save()
    moved = {}
    for relation in customer_relations():
        model, field = relation.related_model, relation.field
        rows = model._base_manager.filter(**{field.name: merged})
        ids = list(rows.values_list("pk", flat=True))
        if ids:
            try:
                with transaction.atomic():
                    model._base_manager.filter(pk__in=ids).update(**{field.name: survivor})
            except IntegrityError as error:
                raise StateConflict(f"The {model._meta.verbose_name_plural} of these records cannot "
                                    f"be combined: {error}") from error
            moved[f"{model._meta.label_lower}.{field.name}"] = ids
    for label, (_, id_field) in OUTBOX_CUSTOMER_REFS.items():
        ids = list(_outbox_rows(label, merged).values_list("pk", flat=True))
        if ids:
            OutboundMessage.objects.filter(pk__in=ids).update(**{id_field: str(survivor.pk)})
            moved[label] = ids
    merged.merged_into = survivor
    merged.updated_at = now
    merged.save(update_fields=["merged_into", "updated_at"])
    merge = CustomerMerge.objects.create(survivor=survivor, merged=merged, merged_at=now,
                                         merged_by=actor if getattr(actor, "pk", None) else None,
                                         survivor_before=before, moved=moved)
    changes = {"merged": merged.pk, "survivor": survivor.pk, "merge": merge.pk,
               "fields_taken": sorted(take_from_merged),
               "moved": {label: len(ids) for label, ids in moved.items()}}
    audit_record(actor=actor, action="merged", target=survivor, changes=changes)
    audit_record(actor=actor, action="merged_into", target=merged, changes=changes)
    return merge


@transaction.atomic
def customer_merge_undo(*, merge: CustomerMerge, actor, now=None) -> CustomerMerge:
    """Undo a merge within CUSTOMER_MERGE_UNDO_DAYS: the rows that moved go back to the merged
    record, the survivor's details are as they were, the merged record is in use again. Rows
    added to the survivor since the merge stay with it. Audited."""
    now = now or timezone.now()
    merge = CustomerMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise StateConflict("This merge has already been undone.")
    if now - merge.merged_at > timedelta(days=settings.CUSTOMER_MERGE_UNDO_DAYS):
        raise StateConflict(f"A merge can be undone for {settings.CUSTOMER_MERGE_UNDO_DAYS} days; "
                            f"this one was made on {timezone.localtime(merge.merged_at):%d %B %Y}.")
    locked = {c.pk: c for c in Customer.objects.select_for_update()
              .filter(pk__in=[merge.survivor_id, merge.merged_id]).order_by("pk")}
    survivor, merged = locked[merge.survivor_id], locked[merge.merged_id]
    relations = {f"{r.related_model._meta.label_lower}.{r.field.name}": r for r in customer_relations()}
    for label, ids in merge.moved.items():
        if label in OUTBOX_CUSTOMER_REFS:
            _outbox_rows(label, survivor).filter(pk__in=ids).update(
                **{OUTBOX_CUSTOMER_REFS[label][1]: str(merged.pk)})
            continue
        relation = relations.get(label)
        if relation is not None:
            relation.related_model._base_manager.filter(pk__in=ids, **{relation.field.name: survivor}).update(
                **{relation.field.name: merged})
    for name, value in merge.survivor_before.items():
        field = Customer._meta.get_field(name)
        setattr(survivor, name, field.to_python(value))
    survivor.updated_at = now
    survivor.save()
    merged.merged_into = None
    merged.updated_at = now
    merged.save(update_fields=["merged_into", "updated_at"])
    merge.undone_at = now
    merge.undone_by = actor if getattr(actor, "pk", None) else None
    merge.save(update_fields=["undone_at", "undone_by"])
    changes = {"merge": merge.pk, "merged": merged.pk, "survivor": survivor.pk}
    audit_record(actor=actor, action="merge_undone", target=survivor, changes=changes)
    audit_record(actor=actor, action="merge_undone", target=merged, changes=changes)
    return merge
