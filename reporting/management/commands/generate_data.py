"""`manage.py generate_data`: realistic volumes, fast, for the benchmarks (issue 6 item 7, issue 9).

    python manage.py generate_data --contacts 10000000 --customers 1000000 \\
        --handoffs 1000000 --complaints 200000 --due 1000 --days 1826 --seed 1

Everything is drawn from the catalogue that `seed_demo` loads (services, enquiry types with
their hand-off methods and teams, sites, NI14 reasons, complaint rules and officers), with the
proportions of the demo data (contacts.demo): channel mix, service weights, avoidable share and
reasons, anonymous callers, first-contact resolution. The same seed gives the same data.

- Customers: names, addresses, postcodes of the borough; unique phone numbers, emails and UPRNs.
- Contacts: spread over the last `--days` days (today excluded), in chronological order, shaped
  like a council's demand (contacts.demo_arrivals, issue 22): the telephone, counters, letters and
  partner systems on working days only, the web, email and social media every day; Mondays, the
  first working day after a bank holiday and the weeks after bills and letters go out busier;
  each channel at its busy times of day (Monday mornings on the telephone); handling times for
  the telephone and counters.
- `--services N`: first adds services (MORE_SERVICES) until N are active, each with two One &
  Done enquiry types (contact-centre planning is measured on 30 services).
- Hand-offs: `--handoffs` unresolved hand-offs of the newest contacts whose enquiry type calls for
  one (those contacts' enquiries stay open; every other enquiry counts as closed). Not due for
  the sweep: those past due were already reminded and marked overdue, the others are due after
  the sweep's horizon.
- Complaints: `--complaints` open complaints at stage 1 (corporate, or statutory for social care),
  allocated to a complaints officer, with a running clock and their stage row.
- `--due N`: N of those hand-offs and complaints are due for the deadline sweeps, about half for
  a reminder and half to be marked overdue (split between hand-offs and complaints by volume).

Speed: ids are reserved from the sequences and rows streamed with COPY on PostgreSQL (bulk_create
on SQLite), all in one transaction. The contact summary triggers are switched off for the COPY
(with the per-row foreign-key checks, for a superuser) and the new contacts' summary keys, counted
while the rows are made, are added with one ordered upsert, so the summary stays exact
(`reporting_check`); `--summary triggers` lets the triggers count each COPY batch instead.
When the new contacts outnumber the existing ones the contacts'
secondary indexes are dropped for the load and rebuilt afterwards (faster than maintaining them
row by row), inside the same transaction.
"""

from __future__ import annotations

import random
import time as clock
from array import array
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from complaints import demo as demo_complaints
from complaints.models import Complaint, ComplaintRuleSet, ComplaintStage, Process, Stage, Status
from contacts import demo, demo_arrivals
from contacts.models import Contact, Customer
from core.models import AvoidableReason, ChannelCode, EnquiryType, HandoffMethod, Service, Site
from core.roles import Role
from core.working_days import calendar
from handoffs.models import Handoff, HandoffUpdate
from reporting.models import DIMENSIONS
from reporting.services import rebuild_handoff_summary

LONDON = ZoneInfo(settings.TIME_ZONE)
BATCH = 50_000
TRIGGERS = ("reporting_contact_ins", "reporting_contact_del", "reporting_contact_upd")
CONTACT_COLUMNS = (
    "id", "channel", "direction", "service_id", "enquiry_type_id", "customer_id", "received_at",
    "received_date", "site_id", "handled_by_id", "summary", "resolved_at_first_contact", "avoidable",
    "avoidable_reason_id", "handoff_method", "handoff_override_reason", "source", "external_ref",
    "sampling_period_id", "repeat_of_id", "enquiry_closed_at", "created_at", "created_by_id",
    "handling_time_seconds",
)
CUSTOMER_COLUMNS = (
    "id", "first_name", "last_name", "date_of_birth", "address_line_1", "address_line_2", "town",
    "postcode", "uprn", "phone", "email", "preferred_channel", "accessibility_needs", "is_vulnerable",
    "vulnerability_notes", "consent_notes", "created_at", "updated_at", "anonymised_at",
)
HANDOFF_COLUMNS = ("id", "contact_id", "method", "team_id", "status", "assigned_to_id", "advocate_id",
                   "opened_at", "due_date", "accepted_at", "resolved_at", "outcome", "overdue_at",
                   "reminded_at", "contact_customer_id", "triage_alerted_at")
UPDATE_COLUMNS = ("handoff_id", "kind", "at", "author_id", "note", "customer_informed", "informed_via",
                  "informed_at")
COMPLAINT_COLUMNS = (
    "id", "customer_id", "service_id", "summary", "received_at", "contact_id", "process", "stage",
    "status", "assigned_to_id", "created_by_id", "created_at", "allocated_at", "due_date", "overdue_at",
    "via_ombudsman", "ombudsman_reference", "ombudsman_referred_at", "ombudsman_follow_up_date",
    "rule_set_id", "rule_set_version",
)
STAGE_COLUMNS = (
    "complaint_id", "stage", "started_at", "clock_started_at", "due_date", "interim_response_at",
    "revised_target_date", "responded_at", "outcome", "response", "remedy", "lessons_learned", "owner_id",
    "overdue_at", "rule_set_version", "rule_working_days", "rule_reminder_working_days",
    "rule_extension_working_days",
)
NULL = r"\N"
DUE_AFTER_DAYS = 14  # not-yet-due items are due at least this far ahead: past every sweep horizon
# Services a larger council also runs, for `--services` (contact-centre planning is measured on
# 30 services, issue 22): each gets two One & Done enquiry types and a smaller share of contacts.
MORE_SERVICES = [
    ("libraries", "Libraries"), ("leisure", "Leisure centres"), ("school-admissions", "School admissions"),
    ("licensing", "Licensing"), ("building-control", "Building control"),
    ("bereavement", "Bereavement services"), ("trading-standards", "Trading standards"),
    ("electoral-registration", "Electoral registration"), ("business-rates", "Business rates"),
    ("housing-repairs", "Council housing repairs"), ("street-cleansing", "Street cleansing"),
    ("parks", "Parks and open spaces"), ("childrens-services", "Children's services"),
    ("school-transport", "School transport"), ("community-safety", "Community safety"),
    ("markets", "Markets"), ("allotments", "Allotments"), ("land-charges", "Land charges"),
    ("public-health", "Public health"), ("welfare-rights", "Welfare rights"),
    ("travel-passes", "Concessionary travel"), ("adult-learning", "Adult learning"),
    ("tenancy", "Tenancy services"), ("arts-culture", "Arts and culture"),
]
MORE_SERVICE_WEIGHT = 0.3  # of a demo service's (contacts.demo.SERVICE_WEIGHTS default)


def _text(value) -> str:
    """One COPY text-format field."""
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


class _Writer:
    """Rows to a table: COPY on PostgreSQL (in chunks of text lines), bulk_create elsewhere.

    On PostgreSQL a chunk is COPied by one background thread while the next chunk is made, so
    Python making rows and the server storing them overlap (two cores busy instead of one). The
    thread uses the transaction's own connection, one COPY at a time in the order the chunks
    were made; `flush()` waits for every chunk to be stored, so call it before any other query.
    """

    _copier: ThreadPoolExecutor | None = None
    _pending: list[Future] = []

    def __init__(self, model, columns):
        self.model, self.columns = model, columns
        self.rows: list = []
        self.count = 0

    def add(self, row: tuple) -> None:
        self.add_line("\t".join(map(_text, row)) + "\n")

    def add_line(self, line: str) -> None:
        """One row in COPY text format (tab-separated, \\N for NULL, ending in a newline)."""
        self.rows.append(line)
        if len(self.rows) >= BATCH:
            self._send()

    def flush(self) -> None:
        """Store what is left and wait until every chunk so far is stored."""
        self._send()
        _Writer._wait(0)

    def _send(self) -> None:
        if not self.rows:
            return
        rows, self.rows = self.rows, []
        self.count += len(rows)
        if connection.vendor != "postgresql":  # the model fields parse the text values back
            objects = []
            for line in rows:
                values = [None if v == r"\N" else v for v in line[:-1].split("\t")]
                objects.append(self.model(**dict(zip(self.columns, values, strict=True))))
            self.model.objects.bulk_create(objects, batch_size=500)
            return
        connection.ensure_connection()
        raw = connection.connection  # the psycopg connection of this transaction
        sql = f"COPY {self.model._meta.db_table} ({', '.join(self.columns)}) FROM STDIN"
        _Writer._wait(1)  # at most one chunk waiting behind the one being stored
        if _Writer._copier is None:
            _Writer._copier = ThreadPoolExecutor(max_workers=1, thread_name_prefix="copy")
        _Writer._pending.append(_Writer._copier.submit(_copy, raw, sql, "".join(rows)))

    @staticmethod
    def _wait(keep: int) -> None:
        while len(_Writer._pending) > keep:
            _Writer._pending.pop(0).result()  # re-raises a failed COPY here


def _copy(raw, sql: str, data: str) -> None:
    with raw.cursor() as cursor, cursor.copy(sql) as copy:
        copy.write(data)


def _utc_clock(day: date):
    """seconds after midnight on `day` in Europe/London -> (UTC date, "HH:MM:SS+00"): the
    offset is the same all day except on the two days the clocks change."""
    midnight = datetime.combine(day, time(0), tzinfo=LONDON)
    offset = int(midnight.utcoffset().total_seconds())
    fixed = offset == int(datetime.combine(day, time(23, 59), tzinfo=LONDON).utcoffset().total_seconds())
    before = day - timedelta(days=1)

    def clock(seconds: int) -> tuple[date, str]:
        if fixed:
            utc = seconds - offset
            utc_day = day if utc >= 0 else before
            utc %= 86400
        else:
            local = datetime.combine(day, time(seconds // 3600, seconds % 3600 // 60, seconds % 60),
                                     tzinfo=LONDON).astimezone(UTC)
            utc_day, utc = local.date(), local.hour * 3600 + local.minute * 60 + local.second
        return utc_day, f"{utc // 3600:02d}:{utc % 3600 // 60:02d}:{utc % 60:02d}+00"
    return clock


def _reserve_ids(model, n: int) -> int:
    """The first of n consecutive ids reserved for `model` (its table is locked by the caller)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # nosec B608 - names from the models, no input
            highest = cursor.fetchone()[0]
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            sequence = cursor.fetchone()[0]
            cursor.execute(f"SELECT last_value, is_called FROM {sequence}")  # nosec B608 - names from the models, no input
            last, called = cursor.fetchone()
            start = max(highest, last if called else last - 1) + 1
            if n:
                cursor.execute("SELECT setval(%s, %s, true)", [sequence, start + n - 1])
            return start
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # nosec B608 - names from the models, no input
        return cursor.fetchone()[0] + 1


class Command(BaseCommand):
    help = "Generate realistic contacts, customers, hand-offs and complaints fast (for the benchmarks)."

    def add_arguments(self, parser):
        parser.add_argument("--contacts", type=int, default=0)
        parser.add_argument("--customers", type=int, default=0)
        parser.add_argument("--handoffs", type=int, default=0,
                            help="open hand-offs, on the newest generated contacts that call for one")
        parser.add_argument("--complaints", type=int, default=0, help="open complaints at stage 1")
        parser.add_argument("--due", type=int, default=0,
                            help="how many of the hand-offs and complaints the deadline sweeps find due")
        parser.add_argument("--days", type=int, default=730, help="history spread over this many days")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--services", type=int, default=0,
                            help="first add services (from a list of council services, each with two "
                                 "One & Done enquiry types) until this many are active")
        parser.add_argument("--summary", choices=("bulk", "triggers"), default="bulk",
                            help="PostgreSQL: add the summary rows in one grouped upsert after the "
                                 "COPY (bulk, default) or let the triggers count each COPY batch")

    def handle(self, *args, contacts, customers, handoffs, complaints, due, days, seed, summary,
               services, **options):
        if min(contacts, customers, handoffs, complaints, due, services) < 0 or days < 1:
            raise CommandError("Counts must not be negative and --days at least 1.")
        if services:
            self._more_services(services)
        self.seed = seed
        self.rng = random.Random(seed)  # nosec B311 - reproducible test data, not security
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.cal = calendar()
        self._catalogue(complaints)
        non_od = sum(1 for et in self.types if et.handoff_method != HandoffMethod.ONE_AND_DONE)
        if handoffs and (not contacts or not non_od):
            raise CommandError("Hand-offs need new contacts (--contacts) and enquiry types that hand off.")
        if handoffs > contacts:
            raise CommandError("--handoffs cannot exceed --contacts.")
        due_handoffs = min(handoffs, round(due * handoffs / max(handoffs + complaints, 1)))
        due_complaints = min(complaints, due - due_handoffs)
        started = clock.perf_counter()
        with transaction.atomic():
            self._lock()
            customer_ids = self._customers(customers)
            if contacts:
                made = self._contacts(contacts, days, handoffs, customer_ids, summary)
            # The hand-offs' and complaints' references are the rows just made and the catalogue:
            # a superuser skips the per-row foreign-key checks (and triggers) here too, and the
            # hand-off summary rows are then recomputed once.
            replica = connection.vendor == "postgresql" and (handoffs or complaints) and self._replica(True)
            if contacts and handoffs:
                self._handoffs(made, due_handoffs)
            self._complaints(complaints, due_complaints, customer_ids)
            if replica:
                self._replica(False)
                if handoffs:
                    rebuild_handoff_summary()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for model in (Customer, Contact, Handoff, Complaint, ComplaintStage):
                    cursor.execute(f"ANALYZE {model._meta.db_table}")
        self.stdout.write(
            f"Generated {customers} customers, {contacts} contacts, {handoffs} hand-offs and "
            f"{complaints} complaints ({due_handoffs + due_complaints} due) in "
            f"{clock.perf_counter() - started:.1f} s.")

    # --- catalogue ------------------------------------------------------------------------------

    def _catalogue(self, complaints: int) -> None:
        self.types = list(EnquiryType.objects.filter(is_active=True, service__is_active=True)
                          .select_related("service").order_by("service__code", "code"))
        if not self.types:
            raise CommandError("No service catalogue: run `manage.py seed_demo --days 0` first.")
        more = {code for code, _ in MORE_SERVICES}
        self.type_weights = [demo.SERVICE_WEIGHTS.get(et.service.code,
                                                      MORE_SERVICE_WEIGHT if et.service.code in more else 1)
                             * (6 if et.handoff_method == HandoffMethod.ONE_AND_DONE else 1)
                             for et in self.types]
        reasons = {r.code: r.pk for r in AvoidableReason.objects.all()}
        self.reasons = [(reasons[code], w) for code, w in demo.AVOIDABLE_REASONS if code in reasons]
        self.sites = {s.code: s.pk for s in Site.objects.all()}
        User = get_user_model()
        self.adviser = User.objects.filter(groups__name=Role.ADVISER).order_by("pk").first()
        self.services = list(Service.objects.filter(is_active=True).order_by("code"))
        self.officers = {
            process: list(User.objects.filter(groups__name=role, is_active=True).order_by("pk"))
            for process, role in ((Process.CORPORATE, Role.COMPLAINTS_OFFICER),
                                  (Process.STATUTORY, Role.SOCIAL_CARE_COMPLAINTS))
        }
        self.rule_set = ComplaintRuleSet.objects.active().first()
        if complaints and (self.rule_set is None or not self.officers[Process.CORPORATE]):
            raise CommandError("Complaints need an active rule set and a complaints officer: "
                               "run `manage.py seed_demo --days 0` first.")
        if complaints and not self.officers[Process.STATUTORY]:
            self.officers[Process.STATUTORY] = self.officers[Process.CORPORATE]
        if self.rule_set is not None:
            self.stage_rules = {(r.process, r.stage): r for r in self.rule_set.stage_rules.all()}

    @transaction.atomic
    def _more_services(self, wanted: int) -> None:
        """Add services from MORE_SERVICES until `wanted` are active (each with two One & Done
        enquiry types); existing ones are left as they are."""
        active = Service.objects.filter(is_active=True).count()
        if not Service.objects.exists():
            raise CommandError("No service catalogue: run `manage.py seed_demo --days 0` first.")
        known = set(Service.objects.values_list("code", flat=True))
        missing = [(code, name) for code, name in MORE_SERVICES if code not in known]
        missing = missing[:max(wanted - active, 0)]
        if active + len(missing) < wanted:
            raise CommandError(f"--services: at most {active + len(missing)} services can be made active.")
        for code, name in missing:
            service = Service.objects.create(code=code, name=name)
            EnquiryType.objects.bulk_create([
                EnquiryType(service=service, code="general-enquiry", name=f"{name}: general enquiry"),
                EnquiryType(service=service, code="booking", name=f"{name}: booking or application"),
            ])
        if missing:
            self.stdout.write(f"Services: {len(missing)} added, {active + len(missing)} active.")

    def _lock(self) -> None:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for model in (Customer, Contact, Handoff, Complaint):
                    cursor.execute(f"LOCK TABLE {model._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")

    # --- customers ------------------------------------------------------------------------------

    def _customers(self, n: int) -> array:
        rng, now = self.rng, self.now
        first = _reserve_ids(Customer, n)
        writer = _Writer(Customer, CUSTOMER_COLUMNS)
        channels = [c for c, _ in demo.CHANNELS[:4]]
        for i in range(n):
            pk = first + i
            first_name, last_name = rng.choice(demo.FIRST_NAMES), rng.choice(demo.LAST_NAMES)
            town, outwards = rng.choice(demo.TOWNS)
            vulnerable = rng.random() < 0.06
            writer.add((
                pk, first_name, last_name,
                date(rng.randint(1938, 2006), rng.randint(1, 12), rng.randint(1, 28))
                if rng.random() < 0.6 else None,
                f"{rng.randint(1, 180)} {rng.choice(demo.STREETS)}", "", town,
                f"{rng.choice(outwards)} {rng.randint(1, 9)}{rng.choice(demo.INWARD_LETTERS)}"
                f"{rng.choice(demo.INWARD_LETTERS)}",
                str(200000000000 + pk),
                f"0770{pk % 10_000_000:07d}" if rng.random() < 0.75 else f"0161{pk % 10_000_000:07d}",
                f"{first_name}.{last_name}{pk}@example.com".lower().replace("'", "")
                if rng.random() < 0.7 else "",
                rng.choice(channels) if rng.random() < 0.5 else "",
                rng.choice(demo.ACCESSIBILITY) if rng.random() < 0.08 else "",
                vulnerable, rng.choice(demo.VULNERABILITY) if vulnerable else "",
                "Happy to be contacted by text message." if rng.random() < 0.3 else "",
                now - timedelta(days=rng.randint(100, 2000)), now, None,
            ))
        writer.flush()
        ids = array("q", range(first, first + n))
        if len(ids) < 1000:  # few new ones: pick from everyone (those made earlier too)
            ids = array("q", Customer.objects.active().values_list("pk", flat=True).order_by("pk"))
        return ids

    # --- contacts -------------------------------------------------------------------------------

    def _days(self, days: int) -> list[date]:
        """The days of the period, oldest first, today excluded."""
        return [self.today - timedelta(days=offset) for offset in range(days, 0, -1)]

    def _day_counts(self, days: list[date], n: int) -> list[list[tuple[str, int]]]:
        """How many of the n contacts arrive on each day through each channel: the demo's channel
        mix shaped by day (contacts.demo_arrivals: the day of the week, bank holidays and the day
        after, the time of year, channel shift, bills and letters), with some day-to-day noise,
        rounded so that they add up to exactly n."""
        rng, shape = self.rng, self.shape
        shares = dict(demo.CHANNELS)
        total_type_weight = sum(self.type_weights)
        cells, expected = [], []
        for day in days:
            # A service busier after its bills makes the whole day busier by its share of demand.
            busy = sum(w * f for w, f in zip(self.type_weights, self._service_factors(day), strict=True))
            noise = rng.lognormvariate(0, 0.08) * busy / total_type_weight
            for channel in shares:
                weight = shares[channel] * shape.channel_weight(day, channel)
                if weight:
                    cells.append((day, channel))
                    expected.append(weight * noise * rng.lognormvariate(0, 0.05))
        scale = n / sum(expected) if expected else 0
        whole = [int(e * scale) for e in expected]
        short = n - sum(whole)
        by_remainder = sorted(range(len(expected)), key=lambda i: whole[i] - expected[i] * scale)
        for i in by_remainder[:short]:
            whole[i] += 1
        per_day: dict[date, list[tuple[str, int]]] = {day: [] for day in days}
        for (day, channel), count in zip(cells, whole, strict=True):
            if count:
                per_day[day].append((channel, count))
        return [per_day[day] for day in days]

    def _service_factors(self, day: date) -> tuple[float, ...]:
        """Per enquiry type, how much busier its service is on `day` after bills and letters."""
        return tuple(demo_arrivals.service_factor(et.service.code, day) for et in self.types)

    def _contacts(self, n: int, days: int, handoffs: int, customer_ids: array, summary: str) -> dict:
        rng, started = self.rng, clock.perf_counter()
        self.shape = demo_arrivals.DayShape(self.cal, self.today)
        all_days = self._days(days)
        cells = self._day_counts(all_days, n)
        first = _reserve_ids(Contact, n)
        pg = connection.vendor == "postgresql"
        dropped = self._drop_indexes(n) if pg else []
        replica = pg and self._replica(True)
        if pg and summary == "bulk" and not replica:
            self._triggers("DISABLE")
        summaries = {et.pk: self._summaries(et) for et in self.types}
        site_for = {
            ChannelCode.TELEPHONE: [self.sites.get("call-centre")],
            ChannelCode.WEB: [self.sites.get("online")],
            ChannelCode.FACE_TO_FACE: [self.sites.get("town-hall-csc"), self.sites.get("town-hall-csc"),
                                       self.sites.get("north-csc")],
        }
        channel_codes = [code for code, _ in demo.CHANNELS]
        reasons = [pk for pk, weight in self.reasons for _ in range(weight)]  # weighted, for a quick draw
        adviser = str(self.adviser.pk) if self.adviser else r"\N"
        counts = [sum(count for _, count in day_cells) for day_cells in cells]
        day_types = self._day_types(all_days, counts)
        open_from = self._open_from(day_types, counts, handoffs)
        # What each channel and enquiry type fixes in a row, as COPY text.
        by_channel = {}
        for channel in channel_codes:
            by_adviser = channel not in (ChannelCode.WEB, ChannelCode.PARTNER)
            source = {ChannelCode.WEB: "self_service", ChannelCode.PARTNER: "api"}.get(channel, "adviser")
            sites = [str(site) for site in site_for.get(channel, []) if site] or [r"\N"]
            anonymous = 0.35 if channel in (ChannelCode.WEB, ChannelCode.SOCIAL_MEDIA) else 0.12
            by_channel[channel] = (adviser if by_adviser else r"\N", source, sites, anonymous)
        by_type = {et.pk: (f"{et.service_id}\t{et.pk}", et.handoff_method == HandoffMethod.ONE_AND_DONE,
                           et.team_id is not None, summaries[et.pk]) for et in self.types}
        # Handling times (telephone and face to face only): a table of draws per service and
        # channel, picked from at random (a draw per row would cost a third of the time again).
        handling, draws = {}, min(1024, max(64, n // 50))
        for et in self.types:
            for channel in demo_arrivals.HANDLED_CHANNELS:
                handling.setdefault((et.service_id, channel), [
                    str(demo_arrivals.handling_time(rng, et.service.code, channel)) for _ in range(draws)])
        no_handling = [r"\N"]
        profiles = {(channel, kind): demo_arrivals.slot_cumulative(demo_arrivals._PROFILES[channel][kind])
                    for channel in channel_codes for kind in range(3)}
        slots = range(demo_arrivals.SLOTS)
        share, n_customers, n_reasons = demo.AVOIDABLE_SHARE, len(customer_ids), len(reasons)
        random_ = rng.random
        tally: Counter = Counter()  # the new contacts' summary keys, counted as they are made
        writer = _Writer(Contact, CONTACT_COLUMNS)
        candidates: list[tuple] = []  # (contact id, enquiry type id, received_at, customer id or None)
        pk = first
        for index, day in enumerate(all_days):
            if not counts[index]:
                continue
            types = day_types(index)
            kind = self.shape.kind(day)
            arrivals = []  # (seconds after local midnight, channel)
            for channel, count in cells[index]:
                for slot in rng.choices(slots, cum_weights=profiles[channel, kind], k=count):
                    arrivals.append((slot * 1800 + int(random_() * 1800), channel))
            arrivals.sort()
            clock_of = _utc_clock(day)
            today_text = day.isoformat()
            closes_later = day + timedelta(days=4) <= self.today  # three days later is in the past
            for et, (second, channel) in zip(types, arrivals, strict=True):
                utc_day, clock_text = clock_of(second)
                at = f"{utc_day.isoformat()} {clock_text}"
                ids, one_and_done, has_team, texts = by_type[et.pk]
                handled, source, sites, anonymous = by_channel[channel]
                avoidable = n_reasons and random_() < share
                customer = (r"\N" if not n_customers or random_() < anonymous
                            else customer_ids[int(random_() * n_customers)])
                if not one_and_done and has_team and pk - first >= open_from:
                    candidates.append((pk, et.pk, datetime.fromisoformat(at),
                                       None if customer == NULL else customer))
                    closed = r"\N"
                elif one_and_done or not closes_later:
                    closed = at
                else:
                    closed = f"{(utc_day + timedelta(days=3)).isoformat()} {clock_text}"
                site = sites[int(random_() * len(sites))]
                fcr = "t" if one_and_done and random_() < 0.94 else "f"
                reason = reasons[int(random_() * n_reasons)] if avoidable else NULL
                seconds = handling.get((et.service_id, channel), no_handling)
                tally[(today_text, ids, channel, site, avoidable, reason, fcr)] += 1
                writer.add_line(
                    f"{pk}\t{channel}\tinbound\t{ids}\t{customer}\t{at}\t{today_text}\t{site}\t{handled}\t"
                    f"{texts[int(random_() * len(texts))]}\t{fcr}\t{'t' if avoidable else 'f'}\t{reason}\t"
                    f"{et.handoff_method}\t\t{source}\t\t\\N\t\\N\t{closed}\t{at}\t{handled}\t"
                    f"{seconds[int(random_() * len(seconds))]}\n")
                pk += 1
        writer.flush()
        loaded = clock.perf_counter()
        if pg:
            if replica:
                self._replica(False)
            elif summary == "bulk":
                self._triggers("ENABLE")
            self._restore_indexes(dropped)
        indexed = clock.perf_counter()
        if pg and (summary == "bulk" or replica):
            self._add_to_summary(tally)
        self.stdout.write(
            f"Contacts: {n} in {clock.perf_counter() - started:.1f} s (COPY {loaded - started:.1f} s, "
            f"{len(dropped)} indexes rebuilt {indexed - loaded:.1f} s, summary by "
            f"{'bulk' if replica else summary} {clock.perf_counter() - indexed:.1f} s).")
        return {"candidates": candidates, "first": first}

    def _add_to_summary(self, tally: Counter) -> None:
        """Add the new contacts to the summary rows: their keys, counted while they were made,
        COPied to a temporary table and upserted in key order (as the triggers do)."""
        key = ", ".join(DIMENSIONS)
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMPORARY TABLE generated_summary ON COMMIT DROP AS "  # nosec B608 - names from the models, no input
                           f"SELECT {key}, count FROM reporting_contact_daily WITH NO DATA")
            with cursor.connection.cursor() as raw, raw.copy(
                    f"COPY generated_summary ({key}, count) FROM STDIN") as copy:
                lines = []
                for (day, ids, channel, site, avoidable, reason, fcr), count in tally.items():
                    lines.append(f"{day}\t{ids}\t{channel}\t{0 if site == NULL else site}\t"
                                 f"{'t' if avoidable else 'f'}\t{0 if reason == NULL else reason}\t{fcr}\t"
                                 f"{count}\n")
                    if len(lines) >= BATCH:
                        copy.write("".join(lines))
                        lines = []
                copy.write("".join(lines))
            cursor.execute(
                f"INSERT INTO reporting_contact_daily ({key}, count) SELECT {key}, count "  # nosec B608 - names from the models, no input
                f"FROM generated_summary ORDER BY {key} "
                f"ON CONFLICT ({key}) DO UPDATE SET count = reporting_contact_daily.count + EXCLUDED.count")
            cursor.execute("DROP TABLE generated_summary")

    def _day_types(self, days: list[date], counts: list[int]):
        """day index -> that day's enquiry types, drawn from the day's own generator so that
        they can be drawn twice (newest first to find the hand-offs, then in order); a service
        whose bills or letters just went out is drawn more often."""
        seed = self.seed

        def draw(index: int) -> list:
            rng = random.Random(f"{seed}:{days[index].isoformat()}")  # nosec B311
            factors = self._service_factors(days[index])
            weights = [w * f for w, f in zip(self.type_weights, factors, strict=True)]
            return rng.choices(self.types, weights=weights, k=counts[index])
        return draw

    def _open_from(self, day_types, counts, handoffs: int) -> int:
        """The index of the first contact whose enquiry stays open for a hand-off: from there on
        exactly `handoffs` contacts call for one (or all of them, if fewer do)."""
        if not handoffs:
            return sum(counts)
        end = sum(counts)
        needed = handoffs
        for index in range(len(counts) - 1, -1, -1):
            end -= counts[index]
            for position, et in reversed(list(enumerate(day_types(index)))):
                if et.handoff_method != HandoffMethod.ONE_AND_DONE and et.team_id is not None:
                    needed -= 1
                    if not needed:
                        return end + position
        return 0

    def _summaries(self, et) -> list[str]:
        options = list(demo.SUMMARIES.get(et.service.code, []))
        options += [s.format(about=et.name.lower()).capitalize() for s in demo.GENERIC_SUMMARIES]
        return [s.replace("\t", " ").replace("\\", "/") for s in options]

    def _replica(self, on: bool) -> bool:
        """Superusers: skip the per-row foreign-key checks (and triggers) for the contacts' COPY,
        whose references come from the catalogue and the ids reserved here. Otherwise the
        constraints are checked at the end of each COPY rather than queued until the commit."""
        with connection.cursor() as cursor:
            if not on:
                cursor.execute("SET LOCAL session_replication_role = origin")
                return False
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            if cursor.fetchone()[0]:
                cursor.execute("SET LOCAL session_replication_role = replica")
                return True
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            return False

    def _triggers(self, action: str) -> None:
        with connection.cursor() as cursor:
            for name in TRIGGERS:
                cursor.execute(f"ALTER TABLE contacts_contact {action} TRIGGER {name}")

    def _drop_indexes(self, n: int) -> list[tuple[str, str]]:
        """Drop the contacts' secondary indexes when the load more than doubles the table."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'contacts_contact'")
            existing = max(cursor.fetchone()[0], 0)
            if n < 200_000 or n < existing:
                return []
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = 'contacts_contact' "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)")
            indexes = cursor.fetchall()
            for name, _ in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
        return indexes

    def _restore_indexes(self, indexes: list[tuple[str, str]]) -> None:
        with connection.cursor() as cursor:
            if indexes:
                cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for _, definition in indexes:
                cursor.execute(definition)

    # --- hand-offs ------------------------------------------------------------------------------

    def _handoffs(self, made: dict, due: int) -> None:
        rng, today, now = self.rng, self.today, self.now
        teams = {et.pk: (et.team_id, et.handoff_method) for et in self.types}
        candidates = [c for c in made["candidates"] if teams[c[1]][0] is not None]
        first = _reserve_ids(Handoff, len(candidates))
        writer = _Writer(Handoff, HANDOFF_COLUMNS)
        updates = _Writer(HandoffUpdate, UPDATE_COLUMNS)
        reminders = (due + 1) // 2
        for i, (contact_id, type_id, at, customer_id) in enumerate(candidates):
            team_id, method = teams[type_id]
            pk = first + i
            reminded = overdue = None
            if i < reminders:  # due for a reminder: due today, not reminded yet
                due_date = today
            elif i < due:  # past due, reminded: to be marked overdue
                due_date = today - timedelta(days=rng.randint(1, 5))
                reminded = now - timedelta(days=6)
            else:
                due_date = max(at.date(), today) + timedelta(days=DUE_AFTER_DAYS + rng.randint(0, 30))
            # The contact's customer too: the trigger that copies it (handoffs migration 0006) is
            # off while a superuser COPies.
            # A council's backlog: its managers were told long ago that nobody had accepted the
            # older ones (the triage alert, issue 18), so only --due items are due for the sweeps.
            triaged = now if at.date() < today - timedelta(days=1) else None
            writer.add((pk, contact_id, method, team_id, "open", None, None, at, due_date, None, None, "",
                        overdue, reminded, customer_id, triaged))
            updates.add((pk, "opened", at, None, "", False, "", None))
        writer.flush()
        updates.flush()
        self.stdout.write(f"Hand-offs: {len(candidates)} open ({min(due, len(candidates))} due).")

    # --- complaints -----------------------------------------------------------------------------

    def _complaints(self, n: int, due: int, customer_ids: array) -> None:
        if not n:
            return
        rng, today, now = self.rng, self.today, self.now
        if not customer_ids:
            raise CommandError("Complaints need customers: add --customers.")
        first = _reserve_ids(Complaint, n)
        social = next((s for s in self.services if "social" in s.code), self.services[0])
        writer = _Writer(Complaint, COMPLAINT_COLUMNS)
        stages = _Writer(ComplaintStage, STAGE_COLUMNS)
        reminders = (due + 1) // 2
        for i in range(n):
            pk = first + i
            process = Process.STATUTORY if rng.random() < 0.15 else Process.CORPORATE
            rule = self.stage_rules.get((process, Stage.ONE))
            received_at = now - timedelta(days=rng.randint(1, 20), minutes=rng.randint(0, 600))
            allocated_at = received_at + timedelta(hours=rng.randint(1, 30))
            if i < reminders:  # within the reminder offset of its deadline
                due_date = today + timedelta(days=1)
            elif i < due:  # past its deadline, not marked yet
                due_date = today - timedelta(days=rng.randint(1, 3))
            else:
                due_date = today + timedelta(days=DUE_AFTER_DAYS + rng.randint(0, 30))
            officer = rng.choice(self.officers[process])
            service = social if process == Process.STATUTORY else rng.choice(self.services)
            writer.add((
                pk, customer_ids[rng.randrange(len(customer_ids))], service.pk,
                rng.choice(demo_complaints.SUMMARIES if process == Process.CORPORATE
                           else demo_complaints.CARE_SUMMARIES),
                received_at, None, process, Stage.ONE, Status.OPEN, officer.pk, officer.pk, received_at,
                allocated_at, due_date, None, False, "", None, None, self.rule_set.pk, self.rule_set.version,
            ))
            stages.add((
                pk, Stage.ONE, received_at, allocated_at, due_date, None, None, None, "", "", "", "",
                officer.pk, None, self.rule_set.version, rule.working_days if rule else 10,
                rule.reminder_working_days if rule else 2, rule.extension_working_days if rule else 0,
            ))
        writer.flush()
        stages.flush()
        self.stdout.write(f"Complaints: {n} open ({min(due, n)} due).")

