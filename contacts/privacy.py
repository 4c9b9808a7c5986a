"""Personal data under UK GDPR (issue 8, "Personal data"): what is held about a customer (the
subject access export), the audit of every look at a customer's record, and the retention policy.

- `customer_viewed` records that someone opened a customer's record (page or API).
- `subject_access_export` gathers everything held about one customer: their details, and every
  record that points at them, followed through the foreign keys of any installed app (contacts,
  the hand-offs and their updates, complaints and their stages and events...), the messages sent
  to them and the audit trail of all of those. It walks the model graph rather than naming the
  apps above this one, so a new app's records are included without a change here.
- `apply_retention` anonymises customers and contacts older than `RETENTION_YEARS` (default 6).
  Only the personal data goes: every contact row stays with its channel, service, enquiry type,
  date and NI14 tag, so the reports and their summary rows (kept by database triggers on the
  contacts table) keep exactly the same figures.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.serializers.python import Serializer
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from contacts.models import Contact, Customer
from core.client_address import client_ip
from core.models import AuditEvent, OutboundMessage
from core.services import audit_record

# How far the export follows reverse foreign keys from the customer: customer -> contact ->
# hand-off -> hand-off update is three steps.
EXPORT_DEPTH = 4
# Records about the customer that are not theirs to see or that hold no personal data.
EXPORT_EXCLUDED = {"contacts.idempotencykey"}
REDACTED = "[removed under the retention policy]"
ANONYMISED_NAME = "Anonymised"
RETENTION_CHUNK = 500

# Customer fields cleared by anonymisation, with their empty value.
_CUSTOMER_BLANKS = {
    "first_name": ANONYMISED_NAME, "last_name": "", "date_of_birth": None, "address_line_1": "",
    "address_line_2": "", "town": "", "postcode": "", "uprn": "", "phone": "", "email": "",
    "preferred_channel": "", "accessibility_needs": "", "is_vulnerable": False,
    "vulnerability_notes": "", "consent_notes": "",
}
# Contact fields that may hold personal data (free text); the rest are the report's dimensions.
_CONTACT_BLANKS = {"summary": REDACTED, "external_ref": "", "handoff_override_reason": ""}


def _ip(request) -> str | None:
    if request is None:
        return None
    return client_ip(request)


def customer_viewed(*, actor, customer: Customer, request=None, via: str = "page") -> None:
    """Viewing a customer's record is audited (who, when, from where, page or API)."""
    audit_record(actor=actor, action="viewed", target=customer, changes={"via": via},
                 ip_address=_ip(request))


# --- Subject access ----------------------------------------------------------------------------


@dataclass
class Section:
    label: str
    model: str
    records: list = field(default_factory=list)


def _label(model) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def _reverse_relations(model):
    for relation in model._meta.related_objects:
        if relation.one_to_many or relation.one_to_one:
            yield relation


def _collect(customer: Customer) -> dict[type, dict[int, models.Model]]:
    """Every row reachable from the customer through reverse foreign keys, by model."""
    found: dict[type, dict[int, models.Model]] = {Customer: {customer.pk: customer}}
    frontier = {Customer: [customer.pk]}
    for _ in range(EXPORT_DEPTH):
        following: dict[type, list] = {}
        for model, pks in frontier.items():
            for relation in _reverse_relations(model):
                related = relation.related_model
                if _label(related) in EXPORT_EXCLUDED or related is AuditEvent:
                    continue
                rows = related._default_manager.filter(**{f"{relation.field.name}__in": pks})
                for row in rows.order_by("pk"):
                    bucket = found.setdefault(related, {})
                    if row.pk not in bucket:
                        bucket[row.pk] = row
                        following.setdefault(related, []).append(row.pk)
        frontier = following
        if not frontier:
            break
    return found


def _records(rows) -> list[dict]:
    return [{"id": item["pk"], **item["fields"]} for item in Serializer().serialize(rows)]


def subject_access_export(customer: Customer) -> dict:
    """Everything held about the customer, as plain data (see the module docstring)."""
    found = _collect(customer)
    sections = []
    for model, rows in found.items():
        sections.append(Section(label=str(model._meta.verbose_name_plural).capitalize(),
                                model=_label(model), records=_records(rows.values())))
    refs = Q()
    for model, rows in found.items():
        refs |= Q(object_type=_label(model), object_id__in=[str(pk) for pk in rows])
    messages = OutboundMessage.objects.filter(refs)
    if customer.email:
        messages = messages | OutboundMessage.objects.filter(to_email__iexact=customer.email)
    sections.append(Section(label="Messages sent", model=_label(OutboundMessage),
                            records=_records(messages.distinct().order_by("created_at", "pk"))))
    events = AuditEvent.objects.filter(refs).select_related("actor").order_by("at", "pk")
    sections.append(Section(label="Audit trail", model=_label(AuditEvent), records=[
        {"at": e.at, "who": str(e.actor) if e.actor else "System", "action": e.action,
         "record": f"{e.object_type} {e.object_id}", "changes": e.changes,
         "from": e.ip_address or ""} for e in events]))
    return {
        "customer_id": customer.pk,
        "exported_at": timezone.now(),
        "controller": settings.COUNCIL_NAME,
        "sections": [
            {"label": s.label, "model": s.model, "count": len(s.records), "records": s.records}
            for s in sections
        ],
    }


def subject_access_audit(*, actor, customer: Customer, export_format: str, request=None) -> None:
    """Every export is audited, in the export's own transaction."""
    audit_record(actor=actor, action="subject_access_export", target=customer,
                 changes={"format": export_format}, ip_address=_ip(request))


# --- Retention ---------------------------------------------------------------------------------


def retention_cutoff(now: datetime | None = None, years: int | None = None) -> datetime:
    years = settings.RETENTION_YEARS if years is None else years
    now = now or timezone.now()
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)


def _recent_activity(cutoff: datetime) -> Q:
    """Customers with anything newer than the cutoff in any record that points at them."""
    recent = Q(created_at__gte=cutoff) | Q(updated_at__gte=cutoff)
    for relation in _reverse_relations(Customer):
        related = relation.related_model
        names = {f.name for f in related._meta.concrete_fields}
        # When it happened (received), else when it was recorded: an import records old history.
        stamp = next((name for name in ("received_at", "created_at") if name in names), None)
        if stamp is None:
            continue
        recent |= Q(Exists(related._default_manager.filter(
            **{f"{stamp}__gte": cutoff, relation.field.name: OuterRef("pk")})))
    return recent


def customers_due(cutoff: datetime):
    return Customer.objects.active().exclude(_recent_activity(cutoff)).order_by("pk")


def contacts_due(cutoff: datetime):
    return Contact.objects.filter(received_at__lt=cutoff).exclude(summary=REDACTED).order_by("pk")


def _chunks(queryset) -> list[list[int]]:
    ids = list(queryset.values_list("pk", flat=True))
    return [ids[start:start + RETENTION_CHUNK] for start in range(0, len(ids), RETENTION_CHUNK)]


def _audit_rows(model, ids, now, changes) -> list[AuditEvent]:
    return [AuditEvent(at=now, actor=None, action="anonymised", object_type=_label(model),
                       object_id=str(pk), changes=changes) for pk in ids]


def apply_retention(*, now: datetime | None = None, years: int | None = None) -> dict[str, int]:
    """Anonymise the contacts received, and the customers last active, before the cutoff.

    Idempotent and safe to stop at any point: each chunk is one transaction that rewrites the
    rows and appends their audit rows together, and a rerun finds only what is left. Rows are
    updated, never deleted, so every report figure stays the same.
    """
    now = now or timezone.now()
    years = settings.RETENTION_YEARS if years is None else years
    cutoff = retention_cutoff(now, years)
    changes = {"reason": "retention", "years": years, "cutoff": cutoff.isoformat()}
    counts = {"contacts": 0, "customers": 0}
    for ids in _chunks(contacts_due(cutoff)):
        with transaction.atomic():
            # Lock what is still due: a concurrent run waits here, then finds these done.
            done = _lock(contacts_due(cutoff), ids)
            Contact.objects.filter(pk__in=done).update(**_CONTACT_BLANKS)
            AuditEvent.objects.bulk_create(_audit_rows(Contact, done, now, changes))
            counts["contacts"] += len(done)
    for ids in _chunks(customers_due(cutoff)):
        with transaction.atomic():
            done = _lock(customers_due(cutoff), ids)
            Customer.objects.filter(pk__in=done).update(**_CUSTOMER_BLANKS, anonymised_at=now,
                                                       updated_at=now)
            AuditEvent.objects.bulk_create(_audit_rows(Customer, done, now, changes))
            counts["customers"] += len(done)
    return counts


def _lock(queryset, ids: list[int]) -> list[int]:
    return list(queryset.filter(pk__in=ids).select_for_update(of=("self",)).values_list("pk", flat=True))


def retention_summary(counts: dict[str, int], years: int) -> str:
    return (f"Retention ({years} years): {counts['contacts']} contacts and "
            f"{counts['customers']} customers anonymised.")

