"""Bulk import of contact history from a legacy CRM (issue 3, "Bulk import"): the import door.

The file is streamed and handled in batches: each row is decided by the rules every door uses
(`intake.rules.contact_decide`, with the catalogue, reasons, sites and sampling periods read
once and each batch's customers looked up in one query, so no row costs a query), bad rows are
reported and skipped, and the good rows of a batch are loaded in one transaction with
PostgreSQL's COPY (bulk_create on SQLite), together with one audit row for the batch. Memory
stays flat whatever the file size.

History is history (a rule of `contact_decide` for source=import): imported contacts open no
hand-offs and their enquiries count as closed when received, so they never show as open
enquiries nor trigger repeat-contact warnings. A row that changes the enquiry type's hand-off
method without a reason is recorded as "set by import of <file>".
"""

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from contacts import normalise
from contacts.models import Contact, Customer, SamplingPeriod
from core.models import AuditEvent, AvoidableReason, EnquiryType, Service, Site
from intake import rules

REQUIRED_COLUMNS = ("received_at", "channel", "service", "summary")
OPTIONAL_COLUMNS = ("enquiry_type", "avoidable", "avoidable_reason", "resolved_at_first_contact",
                    "handoff_method", "handoff_override_reason", "customer", "customer_email",
                    "site", "direction", "external_ref", "handling_time_seconds")
COLUMNS_HELP = """\
Columns (a header row names them, in any order; codes as in API.md):
  received_at                required  ISO 8601, e.g. 2025-03-04T10:15:00+00:00; without an
                                       offset it is Europe/London time; not in the future
  channel                    required  face_to_face, telephone, web, email, letter, social_media, partner
  service                    required  service code, e.g. waste
  summary                    required  up to 2000 characters
  enquiry_type               optional  enquiry type code of that service, e.g. missed-bin
  avoidable                  optional  true/false, yes/no, 1/0 (default false)
  avoidable_reason           optional  NI14 reason code; required when avoidable, else empty
  resolved_at_first_contact  optional  true/false (default: true for One & Done; a contact
                                       handed off is never resolved at first contact)
  handoff_method             optional  one_and_done, fire_and_forget, customer_advocate
                                       (default: the enquiry type's); recorded only: no hand-off is opened
  handoff_override_reason    optional  why the method differs from the enquiry type's (default:
                                       "set by import of FILE")
  customer                   optional  customer id
  customer_email             optional  email of exactly one known customer (if no id)
  site                       optional  site code, e.g. call-centre
  direction                  optional  inbound (default) or outbound
  external_ref               optional  the legacy system's reference, up to 100 characters
  handling_time_seconds      optional  seconds spent on the contact (telephone, face to face),
                                       a whole number from 0 to 28800
"""
BATCH_SIZE = 5000
_TRUE = {"true", "yes", "y", "1", "t"}
_FALSE = {"false", "no", "n", "0", "f", ""}
_LONDON = ZoneInfo(settings.TIME_ZONE)

COPY_COLUMNS = (
    "channel", "direction", "service_id", "enquiry_type_id", "customer_id", "received_at",
    "received_date", "site_id", "handled_by_id", "summary", "resolved_at_first_contact", "avoidable",
    "avoidable_reason_id", "handoff_method", "handoff_override_reason", "source", "external_ref",
    "sampling_period_id", "repeat_of_id", "enquiry_closed_at", "created_at", "created_by_id",
    "handling_time_seconds",
)


class ImportFileError(Exception):
    """The file cannot be imported at all (unreadable, or its header lacks columns)."""


@dataclass
class RowError:
    row: int
    field: str
    message: str


@dataclass
class ImportResult:
    imported: int = 0
    rejected: int = 0
    first_errors: list[RowError] = field(default_factory=list)


class _Catalogue:
    """Everything a row is checked against, loaded once per import."""

    def __init__(self):
        self.services = {s.code: s for s in Service.objects.all()}
        self.enquiry_types = {(et.service_id, et.code): et for et in EnquiryType.objects.all()}
        self.reasons = {r.code: r for r in AvoidableReason.objects.all()}
        self.sites = {s.code: s for s in Site.objects.all()}
        self.periods = list(SamplingPeriod.objects.order_by("start_date", "pk"))
        self._period_by_day = {}

    def period_on(self, day):
        """The sampling period running on `day` (`contacts.selectors.sampling_period_on`, from
        the periods read once)."""
        if day not in self._period_by_day:
            self._period_by_day[day] = next(
                (p for p in self.periods if p.start_date <= day <= p.end_date), None)
        return self._period_by_day[day]


def _bool(value: str, name: str, errors: list, row: int, default=None):
    value = (value or "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return default if value == "" else False
    errors.append(RowError(row, name, "Must be true or false."))
    return default


def _received_at(value: str, errors: list, row: int):
    value = (value or "").strip()
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        errors.append(RowError(row, "received_at", "Enter a date and time like 2025-03-04T10:15:00."))
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_LONDON)
    return moment


def _parse(row_number: int, row: dict, catalogue: _Catalogue, now: datetime, set_by: str):
    """One CSV row -> (a dict of the contact's columns, with the customer still to resolve)
    or a list of RowErrors. Here the row's text becomes values (codes looked up in the catalogue
    read once); whether those values make a contact is `intake.rules.contact_decide`'s to say,
    as at every other door."""
    errors: list[RowError] = []
    get = lambda name: (row.get(name) or "").strip()  # noqa: E731
    received_at = _received_at(get("received_at"), errors, row_number)
    service = catalogue.services.get(get("service"))
    if service is None:
        errors.append(RowError(row_number, "service", f"Unknown service {get('service')!r}."))
    enquiry_type = None
    if get("enquiry_type") and service is not None:
        enquiry_type = catalogue.enquiry_types.get((service.pk, get("enquiry_type")))
        if enquiry_type is None:
            errors.append(RowError(row_number, "enquiry_type",
                                   f"Unknown enquiry type {get('enquiry_type')!r} for {service.code}."))
    avoidable = _bool(get("avoidable"), "avoidable", errors, row_number, default=False)
    reason = None
    if get("avoidable_reason"):
        reason = catalogue.reasons.get(get("avoidable_reason"))
        if reason is None:
            errors.append(RowError(row_number, "avoidable_reason",
                                   f"Unknown reason {get('avoidable_reason')!r}."))
    resolved = _bool(get("resolved_at_first_contact"), "resolved_at_first_contact", errors,
                     row_number, default=None)
    site = None
    if get("site"):
        site = catalogue.sites.get(get("site"))
        if site is None:
            errors.append(RowError(row_number, "site", f"Unknown site {get('site')!r}."))
    handling_time = None
    if get("handling_time_seconds"):
        try:
            handling_time = int(get("handling_time_seconds"))
        except ValueError:
            handling_time = get("handling_time_seconds")  # not a number: the rule says so
    customer_id = None
    if get("customer"):
        try:
            customer_id = int(get("customer"))
            if not 0 < customer_id < 2 ** 63:
                raise ValueError
        except ValueError:
            errors.append(RowError(row_number, "customer", "Must be a customer id (a number)."))
    try:
        decided = rules.contact_decide(
            source=Contact.Source.IMPORT, channel=get("channel"), service=service,
            summary=get("summary"), now=now, enquiry_type=enquiry_type, received_at=received_at,
            direction=get("direction") or Contact.Direction.INBOUND, avoidable=avoidable,
            avoidable_reason=reason, resolved_at_first_contact=resolved,
            handoff_method=get("handoff_method") or None,
            handoff_override_reason=get("handoff_override_reason"),
            external_ref=get("external_ref"), handling_time_seconds=handling_time, set_by=set_by,
            sampling_period_for=catalogue.period_on,
        ).contact
    except ValidationError as error:
        # Every problem of the row at once: what could not be read, then what the rules refuse.
        reported = {e.field for e in errors}
        return errors + [RowError(row_number, name, message)
                         for name, messages in error.message_dict.items() if name not in reported
                         for message in messages]
    if errors:
        return errors
    period = decided["sampling_period"]
    reason = decided["avoidable_reason"]
    return {
        "channel": decided["channel"], "direction": decided["direction"], "service_id": service.pk,
        "enquiry_type_id": enquiry_type.pk if enquiry_type else None, "customer_id": customer_id,
        "customer_email": normalise.email(get("customer_email")),
        "received_at": decided["received_at"], "received_date": decided["received_date"],
        "site_id": site.pk if site else None, "handled_by_id": None, "summary": decided["summary"],
        "resolved_at_first_contact": decided["resolved_at_first_contact"],
        "avoidable": decided["avoidable"], "avoidable_reason_id": reason.pk if reason else None,
        "handoff_method": decided["handoff_method"],
        "handoff_override_reason": decided["handoff_override_reason"],
        "source": Contact.Source.IMPORT, "external_ref": decided["external_ref"],
        "sampling_period_id": period.pk if period else None, "repeat_of_id": None,
        "enquiry_closed_at": decided["enquiry_closed_at"],
        "handling_time_seconds": decided["handling_time_seconds"],
    }


def _resolve_customers(parsed: list[tuple[int, dict]]) -> Iterator[tuple[int, dict | RowError]]:
    """Check the batch's customer ids and look its customer emails up, one query each."""
    ids = {fields["customer_id"] for _, fields in parsed if fields["customer_id"]}
    emails = {fields["customer_email"] for _, fields in parsed
              if fields["customer_email"] and not fields["customer_id"]}
    known_ids = set(Customer.objects.active().filter(pk__in=ids).values_list("pk", flat=True))
    by_email: dict[str, list[int]] = {}
    if emails:
        for pk, email in Customer.objects.active().filter(email__in=emails).values_list("pk", "email"):
            by_email.setdefault(email.lower(), []).append(pk)
    for row_number, fields in parsed:
        email = fields.pop("customer_email")
        if fields["customer_id"] and fields["customer_id"] not in known_ids:
            yield row_number, RowError(row_number, "customer", f"No customer {fields['customer_id']}.")
        elif email and not fields["customer_id"]:
            matches = by_email.get(email, [])
            if len(matches) != 1:
                yield row_number, RowError(
                    row_number, "customer_email",
                    "No customer has this email." if not matches else
                    f"{len(matches)} customers have this email: give the customer id.")
            else:
                fields["customer_id"] = matches[0]
                yield row_number, fields
        else:
            yield row_number, fields


def _load(rows: list[dict]) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            with cursor.connection.cursor() as raw, raw.copy(
                    f"COPY contacts_contact ({', '.join(COPY_COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([row[column] for column in COPY_COLUMNS])
    else:
        Contact.objects.bulk_create([Contact(**row) for row in rows], batch_size=1000)


def _batches(rows: Iterable, size: int) -> Iterator[list]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def import_contacts(path: Path, *, actor=None, errors_path: Path | None = None,
                    batch_size: int = BATCH_SIZE, progress=None, keep_errors: int = 20) -> ImportResult:
    """Import the contacts in the CSV at `path`; see COLUMNS_HELP. Bad rows go to `errors_path`
    (row number as a spreadsheet shows it, the header being row 1; field; message)."""
    errors_path = errors_path or path.with_name(path.name + ".errors.csv")
    result = ImportResult()
    catalogue = _Catalogue()
    now = timezone.now()
    set_by = f"import of {path.name}"
    actor_id = getattr(actor, "pk", None)
    try:
        source = path.open(newline="", encoding="utf-8-sig")
    except OSError as error:
        raise ImportFileError(f"Cannot read {path}: {error.strerror}.") from None
    with source, errors_path.open("w", newline="", encoding="utf-8") as errors_file:
        reader = csv.DictReader(source)
        header = [name.strip() for name in reader.fieldnames or []]
        reader.fieldnames = header
        missing = [name for name in REQUIRED_COLUMNS if name not in header]
        unknown = [name for name in header if name not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
        if missing or unknown:
            raise ImportFileError(
                (f"Missing columns: {', '.join(missing)}. " if missing else "")
                + (f"Unknown columns: {', '.join(unknown)}." if unknown else ""))
        error_writer = csv.writer(errors_file)
        error_writer.writerow(["row", "field", "message"])

        def reject(error: RowError) -> None:
            error_writer.writerow([error.row, error.field, error.message])
            if len(result.first_errors) < keep_errors:
                result.first_errors.append(error)

        numbered = ((reader.line_num, row) for row in reader)
        for batch_number, batch in enumerate(_batches(numbered, batch_size), start=1):
            parsed, bad_rows = [], set()
            for row_number, row in batch:
                outcome = _parse(row_number, row, catalogue, now, set_by)
                if isinstance(outcome, list):
                    for error in outcome:
                        reject(error)
                    bad_rows.add(row_number)
                else:
                    parsed.append((row_number, outcome))
            good = []
            for row_number, outcome in _resolve_customers(parsed):
                if isinstance(outcome, RowError):
                    reject(outcome)
                    bad_rows.add(row_number)
                else:
                    outcome.update(created_at=now, created_by_id=actor_id)
                    good.append(outcome)
            with transaction.atomic():
                if good:
                    _load(good)
                AuditEvent.objects.create(
                    at=now, actor_id=actor_id, action="imported", object_type="contacts.import",
                    object_id=path.name[:64],
                    changes={"file": str(path), "batch": batch_number,
                             "rows": [batch[0][0], batch[-1][0]], "imported": len(good),
                             "rejected": len(bad_rows), "source": Contact.Source.IMPORT},
                )
            result.imported += len(good)
            result.rejected += len(bad_rows)
            if progress is not None:
                progress.update(len(batch))
    return result


def count_rows(path: Path) -> int:
    """Data rows in the file, roughly (line breaks less the header), for the progress bar."""
    lines = 0
    with path.open("rb") as source:
        while chunk := source.read(1 << 20):
            lines += chunk.count(b"\n")
    return max(lines - 1, 0)
