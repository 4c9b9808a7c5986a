"""Personal data under UK GDPR (issue 17): what every app holds about people, how long it is
kept, how it is erased and how it appears in a subject access export.

Each app's AppConfig may define two hooks (like the page-shell hooks in core/navigation.py):
- `retention_schedules() -> list[Schedule]`: lines of the council's retention schedule this app
  owns, with their default length. An admin changes a length with a `RetentionRule` row.
- `personal_data() -> list[RecordType]`: every model of the app holding personal data, which of
  its fields hold it, how each is erased, when a row is past retention, how it reaches the
  customer (for the export and for erasure requests) and why it is kept when law says so.

`core` drives the hooks and knows none of the apps: retention (`retention_apply`), the subject
access export (`subject_records`) and erasure (`erase_rows`) all go through the declarations.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.apps import apps
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import SHA256, Concat, Lower


class _Sha256Hex(SHA256):
    """SHA-256 in hex; on PostgreSQL with the built-in sha256() (Django's needs pgcrypto)."""

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection,
                              template="encode(sha256(convert_to(%(expressions)s, 'UTF8')), 'hex')",
                              **extra_context)


# What a field erased by MARKER holds afterwards.
REDACTED = "[removed under the retention policy]"
HASH_PREFIX = "sha256:"


class Erase:
    """How a personal field is erased."""

    BLANK = "blank"  # emptied: "" for text, {} or [] for JSON, None where the column allows it
    MARKER = "marker"  # replaced by a marker (REDACTED, or the field's own `value`)
    HASH = "hash"  # replaced by "sha256:" and the hash of its lower-case value, for matching

    LABELS = {BLANK: "blanked", MARKER: "replaced by a marker", HASH: "hashed for matching"}


@dataclass(frozen=True)
class PersonalField:
    name: str
    erase: str = Erase.BLANK
    # For MARKER: what replaces the value (default REDACTED).
    value: object = None
    # Why this field is kept by law after its record's retention runs out (the retention task
    # leaves it alone). Empty: it is erased.
    kept_by_law: str = ""
    # The customer field this one was copied from ("email"): a rectification corrects the copy
    # too, where it still holds the old value.
    copy_of: str = ""


@dataclass(frozen=True)
class Schedule:
    """One line of the council's retention schedule: how long records are kept, from when."""

    key: str
    label: str
    default_days: int
    starts: str  # "after the enquiry is closed"
    order: int = 50


@dataclass(frozen=True)
class RecordType:
    """A model holding personal data, as its app declares it."""

    model: type[models.Model]
    label: str
    fields: tuple[PersonalField, ...]
    # The schedule lines this record's retention depends on (keys of Schedule).
    schedules: tuple[str, ...]
    # Rows past retention, given the cutoff of each schedule line (now minus its length).
    aged: Callable[[Mapping[str, datetime]], Q]
    # Words for the retention table: "6 years after the enquiry is closed".
    retention_rule: str = ""
    # Lookup from the row to its customer ("customer", "contact__customer"); empty when the
    # record reaches the customer another way (`for_subject`) or not at all.
    customer: str = ""
    # Rows about the subject that the lookup cannot express: (subject, found) -> queryset, where
    # found maps record-type keys to the primary keys already found for the subject.
    for_subject: Callable | None = None
    # The whole row goes when erased (after its retention); otherwise its fields are erased.
    delete_row: bool = False
    # A timestamp field set when the row is erased; rows with it set count as erased.
    stamp: str = ""
    # Other fields set on erasure: (now) -> {field: value}.
    also_set: Callable[[datetime], dict] | None = None
    # Why an erasure request may not erase rows still within retention (they are restricted).
    restricted_while_retained: str = ""
    # Fields left out of the subject access export (internal hashes, keys).
    export_exclude: tuple[str, ...] = ()
    # This is the data subject itself (the customer): erased last, once nothing keeps them.
    is_subject: bool = False
    # In the subject access export.
    exported: bool = True

    @property
    def key(self) -> str:
        return f"{self.model._meta.app_label}.{self.model._meta.model_name}"

    @property
    def erasure(self) -> str:
        if self.delete_row:
            return "row deleted"
        methods = [f"{f.name} {Erase.LABELS[f.erase]}" for f in self.fields if not f.kept_by_law]
        kept = [f"{f.name} kept ({f.kept_by_law})" for f in self.fields if f.kept_by_law]
        return "; ".join(methods + kept)

    def personal_fields(self) -> list[PersonalField]:
        return [f for f in self.fields if not f.kept_by_law]

    def erased_values(self, now: datetime) -> dict:
        """The UPDATE that erases a row (all in the database: hashes included)."""
        values = {}
        for personal in self.personal_fields():
            model_field = self.model._meta.get_field(personal.name)
            if personal.erase == Erase.MARKER:
                values[personal.name] = REDACTED if personal.value is None else personal.value
            elif personal.erase == Erase.HASH:
                values[personal.name] = models.Case(
                    models.When(Q(**{personal.name: ""}) | Q(**{f"{personal.name}__startswith": HASH_PREFIX}),
                                then=models.F(personal.name)),
                    default=Concat(Value(HASH_PREFIX), _Sha256Hex(Lower(personal.name))),
                    output_field=model_field,
                )
            else:
                values[personal.name] = _empty(model_field)
        if self.stamp:
            values[self.stamp] = now
        if self.also_set:
            values.update(self.also_set(now))
        return values

    def pending(self) -> Q:
        """Rows not yet erased: a rerun after a crash finds only these, so nothing is erased
        twice."""
        if self.delete_row:
            return Q()
        if self.stamp:
            return Q(**{f"{self.stamp}__isnull": True})
        pending = Q(pk__in=[])
        for personal in self.personal_fields():
            model_field = self.model._meta.get_field(personal.name)
            if personal.erase == Erase.MARKER:
                value = REDACTED if personal.value is None else personal.value
                pending |= ~Q(**{personal.name: value})
            elif personal.erase == Erase.HASH:
                pending |= ~Q(**{personal.name: ""}) & ~Q(**{f"{personal.name}__startswith": HASH_PREFIX})
            else:
                empty = _empty(model_field)
                if empty is None:
                    pending |= Q(**{f"{personal.name}__isnull": False})
                else:
                    pending |= ~Q(**{personal.name: empty})
        return pending

    def rows_for(self, subject) -> models.QuerySet:
        if not self.customer:
            return self.model._default_manager.none()
        return self.model._default_manager.filter(**{self.customer: subject})


def _empty(model_field):
    if model_field.null:
        return None
    if isinstance(model_field, models.JSONField):
        return model_field.get_default()
    if isinstance(model_field, models.BooleanField):
        return False
    return ""


def record_types() -> list[RecordType]:
    """Every app's declarations, in INSTALLED_APPS order (the subject last)."""
    found = []
    for config in apps.get_app_configs():
        hook = getattr(config, "personal_data", None)
        if hook is not None:
            found.extend(hook())
    return sorted(found, key=lambda record: record.is_subject)


def record_type(key: str) -> RecordType:
    return next(record for record in record_types() if record.key == key)


def schedules() -> list[Schedule]:
    found = []
    for config in apps.get_app_configs():
        hook = getattr(config, "retention_schedules", None)
        if hook is not None:
            found.extend(hook())
    return sorted(found, key=lambda schedule: (schedule.order, schedule.label))


def subject_type() -> RecordType:
    return next(record for record in record_types() if record.is_subject)


def retention_days() -> dict[str, int]:
    """The schedule as it stands: each line's default unless an admin has set it."""
    from core.models import RetentionRule

    days = {schedule.key: schedule.default_days for schedule in schedules()}
    for rule in RetentionRule.objects.filter(schedule__in=days):
        days[rule.schedule] = rule.days
    return days


def cutoffs(now: datetime, days: Mapping[str, int] | None = None) -> dict[str, datetime]:
    days = retention_days() if days is None else days
    return {key: now - timedelta(days=length) for key, length in days.items()}


def describe_days(days: int) -> str:
    if days % 365 == 0 or days % 365 <= 2 and days >= 365:
        years = round(days / 365)
        return f"{years} year{'s' if years != 1 else ''}"
    return f"{days} days"


@dataclass
class PersonalDataTableRow:
    app: str
    record: str
    fields: str
    retention: str
    erasure: str


def personal_data_table() -> list[PersonalDataTableRow]:
    """The table of personal fields per app with their retention rule and erasure method, from
    the declarations (README, and the admin's retention page)."""
    rows = []
    for record in record_types():
        rows.append(PersonalDataTableRow(
            app=record.model._meta.app_config.verbose_name, record=record.label,
            fields=", ".join(f.name for f in record.fields), retention=record.retention_rule,
            erasure=record.erasure))
    return rows


def aged_subjects(cuts: Mapping[str, datetime]) -> Q:
    """Customers whose every record is past retention, whenever their own record was made: for
    each record type that points at a customer, no row of theirs still within retention. A
    customer with no records at all goes once their record is as old as a contact would be."""
    subject = subject_type()
    kept = Q()
    any_record = Q()
    for record in record_types():
        if record.is_subject or not record.customer:
            continue
        rows = record.model._default_manager.filter(**{record.customer: models.OuterRef("pk")})
        kept |= models.Exists(rows.exclude(record.aged(cuts)))
        any_record |= models.Exists(rows)
    return ~kept & (any_record | subject.aged(cuts))


def field_flags() -> dict[tuple[str, str], PersonalField]:
    """(db_table, column) -> declaration, for the cross-check against the database."""
    flags = {}
    for record in record_types():
        for personal in record.fields:
            column = record.model._meta.get_field(personal.name).column
            flags[(record.model._meta.db_table, column)] = personal
    return flags


def subject_records(subject) -> list[tuple[RecordType, list[models.Model]]]:
    """Every row about the subject, by record type, in declaration order. Types that reach the
    subject through other records (`for_subject`) are asked once the others are found."""
    declared = record_types()
    found: dict[str, list[models.Model]] = {}
    keys: dict[str, list] = {}
    for record in declared:
        if record.for_subject is None:
            rows = [subject] if record.is_subject else list(record.rows_for(subject).order_by("pk"))
            found[record.key] = rows
            keys[record.key] = [row.pk for row in rows]
    for record in declared:
        if record.for_subject is not None:
            rows = list(record.for_subject(subject, keys).order_by("pk"))
            found[record.key] = rows
            keys[record.key] = [row.pk for row in rows]
    return [(record, found[record.key]) for record in declared]


def years(count: int) -> int:
    """Days in `count` years, leap days included (a schedule is kept in days)."""
    return count * 365 + (count + 3) // 4


# --- Erasure and rectification requests (contacts/privacy.py records and confirms them) --------


@dataclass
class ErasurePlan:
    """What an erasure request does to one record type of the subject's: rows erased now, and
    rows restricted (kept, because the law says so while they are within retention)."""

    record: RecordType
    erase: list
    restricted: list


def erasure_plan(subject, now: datetime) -> list[ErasurePlan]:
    """Every record about the subject that holds personal data, split into erased and restricted
    (`restricted_while_retained`, for rows still within retention). Rows already erased and
    fields kept by law are left out. The subject itself comes last: restricted when anything of
    theirs is, erased otherwise."""
    cuts = cutoffs(now)
    plans = []
    restricted_any = False
    for record, rows in subject_records(subject):
        if not record.personal_fields() or not rows:
            continue
        ids = [row.pk for row in rows]
        manager = record.model._default_manager
        pending = set(manager.filter(pk__in=ids).filter(record.pending()).values_list("pk", flat=True))
        if record.is_subject:
            plans.append(ErasurePlan(record, [] if restricted_any else sorted(pending),
                                     sorted(pending) if restricted_any else []))
            continue
        kept = set()
        if record.restricted_while_retained:
            kept = set(manager.filter(pk__in=ids).exclude(record.aged(cuts)).values_list("pk", flat=True))
        restricted_any |= bool(kept)
        plans.append(ErasurePlan(record, sorted(pending - kept), sorted(kept)))
    return plans


def erase_rows(record: RecordType, ids, now: datetime) -> int:
    """Erase these rows as the declaration says (the retention task's erasure, for a request)."""
    rows = record.model._default_manager.filter(pk__in=ids)
    if record.delete_row:
        return rows.delete()[1].get(record.model._meta.label, 0)
    return rows.filter(record.pending()).update(**record.erased_values(now))


@dataclass
class Copy:
    """Rows of a record type whose field still holds a copy of the subject's old value."""

    record: RecordType
    field: str
    copy_of: str
    ids: list


def _same(left, right) -> bool:
    return str(left or "").strip().casefold() == str(right or "").strip().casefold()


def copies_to_correct(subject, corrections: Mapping[str, object]) -> list[Copy]:
    """Where the subject's details were copied (declared with `copy_of`) and still hold the value
    being corrected."""
    found = []
    for record, rows in subject_records(subject):
        for personal in record.fields:
            if personal.copy_of not in corrections or record.is_subject:
                continue
            old = getattr(subject, personal.copy_of)
            if _same(old, corrections[personal.copy_of]) or not old:
                continue
            ids = [row.pk for row in rows if _same(getattr(row, personal.name), old)]
            if ids:
                found.append(Copy(record, personal.name, personal.copy_of, ids))
    return found
