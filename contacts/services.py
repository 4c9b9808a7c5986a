"""Writes of the contacts app: customers and contacts (DOMAIN.md, "Contacts and NI14")."""

import hashlib
import json
from collections.abc import Callable
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from contacts import normalise
from contacts.models import HANDLING_TIME_MAX_SECONDS, Contact, Customer, IdempotencyKey, SamplingPeriod
from core.models import ChannelCode, HandoffMethod
from core.services import audit_record
from core.working_days import local_date

SUMMARY_MAX_LENGTH = 2000

# --- Customers ---------------------------------------------------------------------------------

CUSTOMER_FIELDS = (
    "first_name", "last_name", "date_of_birth", "address_line_1", "address_line_2", "town",
    "postcode", "uprn", "phone", "email", "preferred_channel", "accessibility_needs",
    "is_vulnerable", "vulnerability_notes", "consent_notes",
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
    if "is_vulnerable" in cleaned:
        cleaned["is_vulnerable"] = bool(cleaned["is_vulnerable"])
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
    customer.updated_at = timezone.now()
    customer.save(update_fields=[*changed, "updated_at"])
    audit_record(actor=actor, action="changed", target=customer, changes={"fields": changed})
    return customer


# --- Contacts ----------------------------------------------------------------------------------


def sampling_period_for(day):
    """The NI14 sample period running on `day`, if the council measures by samples."""
    return (
        SamplingPeriod.objects.filter(start_date__lte=day, end_date__gte=day)
        .order_by("start_date", "pk")
        .first()
    )


# No savepoint of its own: it runs inside contact_log's transaction, which gives up as a whole.
@transaction.atomic(savepoint=False)
def contact_create(
    *,
    actor,
    channel: str,
    service,
    summary: str,
    source: str,
    enquiry_type=None,
    customer=None,
    received_at=None,
    site=None,
    direction: str = Contact.Direction.INBOUND,
    avoidable: bool = False,
    avoidable_reason=None,
    resolved_at_first_contact: bool | None = None,
    handoff_method: str | None = None,
    handoff_override_reason: str = "",
    external_ref: str = "",
    repeat_of=None,
    handled_by=None,
    handling_time_seconds: int | None = None,
) -> Contact:
    """Record one contact (DOMAIN.md, "Contacts and NI14").

    Rules: an avoidable contact carries exactly one NI14 reason and a non-avoidable one none; the
    enquiry type must belong to the service; the hand-off method defaults to the enquiry type's;
    a One & Done contact counts as resolved at first contact unless said otherwise; `received_at`
    may be back-dated (imports, off-line work) but not in the future; a handling time, where the
    channel records one, is a whole number of seconds from 0 to HANDLING_TIME_MAX_SECONDS. This
    does not open the hand-off: `handoffs.services.contact_log` does both in one transaction.
    """
    now = timezone.now()
    received_at = received_at or now
    errors = {}
    if received_at > now + timedelta(minutes=1):
        errors["received_at"] = "The time the contact was received cannot be in the future."
    if avoidable and avoidable_reason is None:
        errors["avoidable_reason"] = "Select why the contact was avoidable."
    if not avoidable and avoidable_reason is not None:
        errors["avoidable_reason"] = "Only an avoidable contact has an avoidable reason."
    if enquiry_type is not None and enquiry_type.service_id != service.pk:
        errors["enquiry_type"] = "The enquiry type does not belong to the service."
    if not summary or not summary.strip():
        errors["summary"] = "Enter a summary of the contact."
    elif len(summary.strip()) > SUMMARY_MAX_LENGTH:
        errors["summary"] = f"The summary must be {SUMMARY_MAX_LENGTH} characters or fewer."
    if channel not in ChannelCode.values:
        errors["channel"] = "Select a channel."
    if handoff_method is not None and handoff_method not in HandoffMethod.values:
        errors["handoff_method"] = "Select a hand-off method."
    if repeat_of is not None and (customer is None or repeat_of.customer_id != customer.pk
                                  or repeat_of.service_id != service.pk):
        errors["repeat_of"] = "A repeat contact chases an earlier one of the same customer and service."
    if problem := handling_time_error(handling_time_seconds):
        errors["handling_time_seconds"] = problem
    if handoff_method is None:
        handoff_method = enquiry_type.handoff_method if enquiry_type else HandoffMethod.ONE_AND_DONE
    if "handoff_method" not in errors and handoff_method != HandoffMethod.ONE_AND_DONE and (
            enquiry_type is None or enquiry_type.team_id is None):
        errors["handoff_method"] = "Hand-offs need an enquiry type with a receiving team."
    if errors:
        raise ValidationError(errors)
    if resolved_at_first_contact is None:
        resolved_at_first_contact = handoff_method == HandoffMethod.ONE_AND_DONE
    received_date = local_date(received_at)
    contact = Contact.objects.create(
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
        summary=summary.strip(),
        resolved_at_first_contact=resolved_at_first_contact,
        avoidable=avoidable,
        avoidable_reason=avoidable_reason if avoidable else None,
        handoff_method=handoff_method,
        handoff_override_reason=handoff_override_reason,
        source=source,
        external_ref=external_ref,
        handling_time_seconds=handling_time_seconds,
        sampling_period=sampling_period_for(received_date),
        repeat_of=repeat_of,
        enquiry_closed_at=received_at if handoff_method == HandoffMethod.ONE_AND_DONE else None,
        created_at=now,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor,
        action="created",
        target=contact,
        changes={"channel": channel, "service": service.code, "source": source,
                 "avoidable": avoidable},
    )
    return contact


def handling_time_error(seconds) -> str:
    """Why `seconds` is not a handling time a contact may record ("" when it is, or is None):
    the one rule for every door (the API, the import)."""
    if seconds is None:
        return ""
    if isinstance(seconds, bool) or not isinstance(seconds, int) or not (
            0 <= seconds <= HANDLING_TIME_MAX_SECONDS):
        return (f"Enter the handling time as a whole number of seconds from 0 to "
                f"{HANDLING_TIME_MAX_SECONDS:,} (8 hours).")
    return ""


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
