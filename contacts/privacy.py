"""Personal data under UK GDPR (issues 8 and 17): the audit of every look at a customer's record,
and the subject access export.

- `customer_viewed` records that someone opened a customer's record (page or API).
- `subject_access_export` gathers everything held about one customer across every app, through
  the apps' `personal_data` declarations (core/personal_data.py): their details, contacts,
  hand-offs and notes, complaints with stages and timeline, Open311 and self-service submissions,
  surveys, life events, messages sent to them and the audit trail about all of it (views of
  their record included).
- `subject_access_request` records a manager's or admin's request and queues the Celery task
  that builds the ZIP (`subject_access_build`: JSON and a readable HTML page); the requester
  downloads it once (`subject_access_download`) before it expires, and the file is then emptied.
  Each step is in the audit trail.

Retention is the shared app's (core/retention.py), driven by every app's declarations
(contacts/personal_data.py for this one).
"""

import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.python import Serializer
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from contacts import services
from contacts.models import ContactPhoto, Customer, PersonalDataRequest, SubjectAccessExport
from contacts.photos import photo_content
from core import personal_data
from core.client_address import client_ip
from core.services import audit_record


class ExportUnavailable(Exception):
    """The export cannot be downloaded: not ready, already downloaded or expired. The message
    says which, for the page."""


class ExportNotFound(ExportUnavailable):
    """No export with this number was asked for by this user."""


def _ip(request) -> str | None:
    if request is None:
        return None
    return client_ip(request)


def customer_viewed(*, actor, customer: Customer, request=None, via: str = "page") -> None:
    """Viewing a customer's record is audited (who, when, from where, page or API)."""
    audit_record(actor=actor, action="viewed", target=customer, changes={"via": via},
                 ip_address=_ip(request))


# --- Subject access ----------------------------------------------------------------------------


def _records(record: personal_data.RecordType, rows) -> list[dict]:
    records = []
    for item in Serializer().serialize(rows):
        fields = {name: value for name, value in item["fields"].items() if name not in record.export_exclude}
        records.append({"id": item["pk"], **fields})
    return records


def _labels(record: personal_data.RecordType) -> dict[str, str]:
    return {f.name: str(f.verbose_name).capitalize() for f in record.model._meta.concrete_fields}


def subject_access_export(customer: Customer) -> dict:
    """Everything held about the customer, as plain data, one section per record type."""
    sections = []
    found = personal_data.subject_records(customer)
    # Their own details first, then what each app holds.
    for record, rows in sorted(found, key=lambda item: not item[0].is_subject):
        if not record.exported:
            continue
        sections.append({"label": record.label, "model": record.key, "count": len(rows),
                         "labels": _labels(record), "records": _records(record, rows)})
    return {
        "customer_id": customer.pk,
        "exported_at": timezone.now(),
        "controller": settings.COUNCIL_NAME,
        "sections": sections,
    }


def subject_access_request(*, actor, customer: Customer, request=None) -> SubjectAccessExport:
    """A manager or admin asks for a customer's export: recorded (and audited) now, built by the
    Celery task once the transaction commits."""
    from contacts.tasks import build_subject_access_export

    with transaction.atomic():
        export = SubjectAccessExport.objects.create(customer=customer, requested_by=actor,
                                                    requested_at=timezone.now())
        audit_record(actor=actor, action="subject_access_export_requested", target=customer,
                     changes={"export": export.pk}, ip_address=_ip(request))
        transaction.on_commit(lambda: build_subject_access_export.delay(export.pk), robust=True)
    return export


def _archive(customer: Customer, export: SubjectAccessExport) -> bytes:
    data = subject_access_export(customer)
    as_json = json.dumps({key: value for key, value in data.items()}, cls=DjangoJSONEncoder, indent=2,
                         default=str)
    sections = [{**section, "rows": [[(section["labels"].get(name, name), value)
                                      for name, value in row.items()] for row in section["records"]]}
                for section in data["sections"]]
    page = render_to_string("contacts/subject_access_archive.html", {
        "customer": customer, "export": export, "data": data, "sections": sections})
    buffer = io.BytesIO()
    name = f"subject-access-customer-{customer.pk}"
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{name}/{name}.json", as_json)
        archive.writestr(f"{name}/{name}.html", page)
        # The photos they sent are theirs too: the images, not only the rows that name them.
        for photo in (ContactPhoto.objects.filter(contact__customer=customer).exclude(file_name="")
                      .order_by("contact_id", "position", "pk")):
            content = photo_content(photo)
            if content is not None:
                extension = photo.file_name.rsplit(".", 1)[-1]
                archive.writestr(f"{name}/photos/contact-{photo.contact_id}-photo-{photo.position}.{extension}",
                                 content)
    return buffer.getvalue()


def subject_access_build(export_id: int) -> str:
    """Build the ZIP of a requested export (the Celery task). Idempotent: an export already
    built, downloaded or expired is left as it is."""
    with transaction.atomic():
        export = (SubjectAccessExport.objects.select_for_update().select_related("customer")
                  .get(pk=export_id))
        if export.status != SubjectAccessExport.Status.PREPARING:
            return export.status
        archive = _archive(export.customer, export)
        now = timezone.now()
        days = personal_data.retention_days()["subject_access_exports"]
        export.archive = archive
        export.archive_bytes = len(archive)
        export.status = SubjectAccessExport.Status.READY
        export.ready_at = now
        export.expires_at = export.requested_at + timedelta(days=days)
        export.save(update_fields=["archive", "archive_bytes", "status", "ready_at", "expires_at"])
        audit_record(actor=None, action="subject_access_export_ready", target=export.customer,
                     changes={"export": export.pk, "bytes": len(archive)})
    return export.status


def subject_access_download(*, actor, export_id: int, request=None) -> tuple[str, bytes]:
    """The requester takes the ZIP, once, before it expires; the stored file is emptied in the
    same transaction. Anyone else, or a second try, gets ExportUnavailable."""
    with transaction.atomic():
        try:
            export = SubjectAccessExport.objects.select_for_update().get(pk=export_id, requested_by=actor)
        except SubjectAccessExport.DoesNotExist:
            raise ExportNotFound("There is no export of yours with this number.") from None
        status = SubjectAccessExport.Status
        if export.status == status.PREPARING:
            raise ExportUnavailable("The export is still being prepared. Try again in a minute.")
        if export.status == status.DOWNLOADED:
            raise ExportUnavailable("The export has already been downloaded: it can be downloaded "
                                    "only once. Ask for a new one.")
        if export.status == status.EXPIRED or export.expires_at <= timezone.now():
            raise ExportUnavailable("The export has expired. Ask for a new one.")
        archive = bytes(export.archive)
        export.archive = None
        export.status = status.DOWNLOADED
        export.downloaded_at = timezone.now()
        export.save(update_fields=["archive", "status", "downloaded_at"])
        audit_record(actor=actor, action="subject_access_export_downloaded", target=export.customer,
                     changes={"export": export.pk}, ip_address=_ip(request))
    return f"subject-access-customer-{export.customer_id}.zip", archive


def subject_access_exports_for(customer: Customer, user):
    """The user's own exports of this customer, newest first."""
    return (SubjectAccessExport.objects.filter(customer=customer, requested_by=user)
            .order_by("-requested_at", "-pk"))


def download_window() -> str:
    """How long the requester has to download an export, in words ("7 days")."""
    return personal_data.describe_days(personal_data.retention_days()["subject_access_exports"])


# --- Erasure and rectification requests (UK GDPR articles 17 and 16) ---------------------------

# The details a rectification request corrects (those copied into other records).
RECTIFIABLE = ("first_name", "last_name", "email", "phone", "address_line_1", "postcode")


class RequestClosed(Exception):
    """The request was already confirmed or cancelled."""


@dataclass
class PreviewLine:
    label: str
    where: str
    count: int
    detail: str = ""


@dataclass
class Preview:
    erase: list = field(default_factory=list)
    restricted: list = field(default_factory=list)
    correct: list = field(default_factory=list)
    reasons: list = field(default_factory=list)


def personal_data_request_record(*, actor, customer: Customer, kind: str,
                                 corrections: dict | None = None, request=None) -> PersonalDataRequest:
    """An admin records a customer's request; nothing changes until it is confirmed. For a
    rectification, the corrected values are normalised as the customer form's are, and at least
    one must differ (ValidationError otherwise)."""
    corrections = {key: value for key, value in (corrections or {}).items() if key in RECTIFIABLE}
    if kind == PersonalDataRequest.Kind.RECTIFICATION:
        cleaned = services.customer_details_clean(corrections)
        corrections = {key: value for key, value in cleaned.items() if getattr(customer, key) != value}
        if not corrections:
            raise ValidationError({"first_name": "Change at least one detail to correct."})
    else:
        corrections = {}
    with transaction.atomic():
        data_request = PersonalDataRequest.objects.create(
            customer=customer, kind=kind, corrections=corrections, recorded_by=actor,
            recorded_at=timezone.now())
        audit_record(actor=actor, action=f"{kind}_request_recorded", target=customer,
                     changes={"request": data_request.pk, "fields": sorted(corrections)},
                     ip_address=_ip(request))
    return data_request


def _where(record) -> str:
    return ", ".join(f.name.replace("_", " ") for f in record.personal_fields())


def personal_data_request_preview(data_request: PersonalDataRequest, now=None) -> Preview:
    """What confirming the request would do, and where (from the apps' declarations)."""
    now = now or timezone.now()
    preview = Preview()
    customer = data_request.customer
    if data_request.kind == PersonalDataRequest.Kind.ERASURE:
        for plan in personal_data.erasure_plan(customer, now):
            method = "deleted" if plan.record.delete_row else _where(plan.record)
            if plan.erase:
                preview.erase.append(PreviewLine(plan.record.label, method, len(plan.erase)))
            if plan.restricted:
                reason = plan.record.restricted_while_retained
                preview.restricted.append(PreviewLine(plan.record.label, method, len(plan.restricted),
                                                      reason))
                if reason not in preview.reasons:
                    preview.reasons.append(reason)
        return preview
    labels = {f.name: str(f.verbose_name).capitalize() for f in Customer._meta.concrete_fields}
    for name, value in data_request.corrections.items():
        preview.correct.append(PreviewLine("Customer details", labels[name], 1,
                                           f"{getattr(customer, name) or '(none)'} → {value or '(none)'}"))
    for copy in personal_data.copies_to_correct(customer, data_request.corrections):
        preview.correct.append(PreviewLine(copy.record.label, labels[copy.copy_of], len(copy.ids),
                                           f"copy in {copy.field.replace('_', ' ')}"))
    return preview


def personal_data_request_confirm(*, actor, data_request: PersonalDataRequest,
                                  request=None) -> PersonalDataRequest:
    """Apply the request through the apps' declarations, in one transaction: erasure erases what
    may go and restricts what the law keeps (the customer's details stay, restricted, while any
    of their records is); rectification corrects the customer (customer_update) and every copy
    of the old value. The request keeps counts of what was done; the audit row too."""
    with transaction.atomic():
        data_request = (PersonalDataRequest.objects.select_for_update().select_related("customer")
                        .get(pk=data_request.pk))
        if data_request.status != PersonalDataRequest.Status.AWAITING_CONFIRMATION:
            raise RequestClosed("This request has already been dealt with.")
        customer = Customer.objects.select_for_update().get(pk=data_request.customer_id)
        now = timezone.now()
        outcome: dict[str, dict] = {}
        if data_request.kind == PersonalDataRequest.Kind.ERASURE:
            outcome = {"erased": {}, "restricted": {}}
            for plan in personal_data.erasure_plan(customer, now):
                if plan.erase:
                    erased = personal_data.erase_rows(plan.record, plan.erase, now)
                    outcome["erased"][plan.record.key] = erased
                if plan.restricted:
                    outcome["restricted"][plan.record.key] = len(plan.restricted)
            if outcome["restricted"]:
                Customer.objects.filter(pk=customer.pk).update(restricted_at=now, updated_at=now)
        else:
            outcome = {"corrected": {}}
            copies = personal_data.copies_to_correct(customer, data_request.corrections)
            services.customer_update(customer=customer, actor=actor, **data_request.corrections)
            outcome["corrected"]["contacts.customer"] = 1
            for copy in copies:
                copy.record.model._default_manager.filter(pk__in=copy.ids).update(
                    **{copy.field: data_request.corrections[copy.copy_of]})
                key = copy.record.key
                outcome["corrected"][key] = outcome["corrected"].get(key, 0) + len(copy.ids)
        data_request.status = PersonalDataRequest.Status.DONE
        data_request.completed_by = actor
        data_request.completed_at = now
        data_request.outcome = outcome
        data_request.save(update_fields=["status", "completed_by", "completed_at", "outcome"])
        audit_record(actor=actor, action=f"{data_request.kind}_request_confirmed", target=customer,
                     changes={"request": data_request.pk, **outcome}, ip_address=_ip(request))
    return data_request


def personal_data_request_cancel(*, actor, data_request: PersonalDataRequest, request=None) -> None:
    with transaction.atomic():
        data_request = PersonalDataRequest.objects.select_for_update().get(pk=data_request.pk)
        if data_request.status != PersonalDataRequest.Status.AWAITING_CONFIRMATION:
            raise RequestClosed("This request has already been dealt with.")
        data_request.status = PersonalDataRequest.Status.CANCELLED
        data_request.completed_by = actor
        data_request.completed_at = timezone.now()
        data_request.save(update_fields=["status", "completed_by", "completed_at"])
        audit_record(actor=actor, action=f"{data_request.kind}_request_cancelled",
                     target=data_request.customer, changes={"request": data_request.pk},
                     ip_address=_ip(request))


def outcome_lines(data_request: PersonalDataRequest) -> list[PreviewLine]:
    """What a confirmed request did, in the declarations' words."""
    labels = {record.key: record.label for record in personal_data.record_types()}
    lines = []
    for verb, counts in (data_request.outcome or {}).items():
        for key, count in counts.items():
            lines.append(PreviewLine(labels.get(key, key), verb, count))
    return lines
