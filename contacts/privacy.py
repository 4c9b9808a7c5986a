"""Personal data under UK GDPR (issue 8, "Personal data"): what is held about a customer (the
subject access export), the audit of every look at a customer's record, and the retention policy.

- `customer_viewed` records that someone opened a customer's record (page or API).
- `subject_access_export` gathers everything held about one customer: their details, and every
  record that points at them, followed through the foreign keys of any installed app (contacts,
  the hand-offs and their updates, complaints and their stages and events...), the messages sent
  to them and the audit trail of all of those. It walks the model graph rather than naming the
  apps above this one, so a new app's records are included without a change here.
Retention is the shared app's (core/retention.py), driven by every app's declarations
(contacts/personal_data.py for this one).
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.serializers.python import Serializer
from django.db import models
from django.db.models import Q
from django.utils import timezone

from contacts.models import Customer
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
