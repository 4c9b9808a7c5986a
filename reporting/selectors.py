"""Reads for the reports. Contact figures come from the summary rows (reporting_contact_daily),
which the database keeps exact; drill-downs and recounts read contacts_contact itself."""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import BooleanField, Case, Count, ExpressionWrapper, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone

from complaints.models import Complaint, ComplaintStage, Outcome, Process, Stage
from contacts.models import Contact, SamplingPeriod
from core.models import (
    AvoidableReason,
    Channel,
    ChannelCode,
    EnquiryType,
    HandoffMethod,
    Service,
    Site,
    Team,
    TransactionCost,
)
from handoffs.models import Handoff
from reporting.models import (
    DIMENSIONS,
    HANDOFF_DIMENSIONS,
    ContactDailySummary,
    ContactMonthlySummary,
    HandoffDailySummary,
)

FCR_TARGET_PERCENT = 80
GROUP_BYS = ("service", "channel", "reason", "month", "enquiry_type", "site")
SHIFTABLE_CHANNELS = (ChannelCode.FACE_TO_FACE, ChannelCode.TELEPHONE)


@dataclass(frozen=True)
class Filters:
    date_from: date
    date_to: date
    service: Service | None = None
    channel: str | None = None
    site: Site | None = None
    # Shown with the figures; its days are date_from to date_to (the forms set them).
    sampling_period: SamplingPeriod | None = None


def default_period(today: date | None = None) -> tuple[date, date]:
    """The last 90 days up to today (the Europe/London day)."""
    today = today or timezone.localdate()
    return today - timedelta(days=89), today


def percent(part: int, whole: int) -> float | None:
    return None if not whole else round(100 * part / whole, 1)


def summary_parts(filters: Filters) -> list[tuple[type, date, date]]:
    """Which summary rows cover the period: [(model, first day, last day)].

    The whole calendar months inside the period come from the monthly rows (one row per key
    per month) and only the days before and after them from the daily rows, so a year's report
    reads twelve months of rows and at most two part-months of days, not 365 days of rows.
    """
    start, end = filters.date_from, filters.date_to
    first_whole = start if start.day == 1 else (start.replace(day=1) + timedelta(days=32)).replace(day=1)
    after_whole = (end + timedelta(days=1)).replace(day=1)  # the first day after the whole months
    if first_whole >= after_whole:
        return [(ContactDailySummary, start, end)]
    parts = [(ContactMonthlySummary, first_whole, after_whole - timedelta(days=1))]
    if start < first_whole:
        parts.insert(0, (ContactDailySummary, start, first_whole - timedelta(days=1)))
    if after_whole <= end:
        parts.append((ContactDailySummary, after_whole, end))
    return parts


def summary_rows(filters: Filters, model=ContactDailySummary, start=None, end=None):
    rows = model.objects.filter(day__gte=start or filters.date_from, day__lte=end or filters.date_to)
    if filters.service is not None:
        rows = rows.filter(service_id=filters.service.pk)
    if filters.channel:
        rows = rows.filter(channel=filters.channel)
    if filters.site is not None:
        rows = rows.filter(site_id=filters.site.pk)
    return rows


def _totals():
    return {
        "total": Coalesce(Sum("count"), 0),
        "avoidable": Coalesce(Sum("count", filter=Q(avoidable=True)), 0),
        "fcr": Coalesce(Sum("count", filter=Q(resolved_at_first_contact=True)), 0),
    }


def summed(filters: Filters, fields: tuple = (), by_month: bool = False) -> list[dict]:
    """Totals (total, avoidable, fcr) grouped by `fields` (and the month), over the period's
    monthly and daily summary rows (summary_parts), added up in Python: one query per part."""
    keys = ("month", *fields) if by_month else tuple(fields)
    out: dict = {}
    for model, start, end in summary_parts(filters):
        rows = summary_rows(filters, model, start, end)
        if by_month:
            rows = rows.annotate(month=TruncMonth("day"))
        grouped = (rows.values(*keys).annotate(**_totals()).order_by() if keys
                   else [rows.aggregate(**_totals())])
        for r in grouped:
            key = tuple(r[k] for k in keys)
            row = out.setdefault(key, {**{k: r[k] for k in keys}, "total": 0, "avoidable": 0, "fcr": 0})
            for total in ("total", "avoidable", "fcr"):
                row[total] += r[total]
    return [out[key] for key in sorted(out, key=lambda k: tuple((v is None, str(v)) for v in k))]


def headline(filters: Filters) -> dict:
    return _headline(summed(filters))


def _headline(rows: list[dict]) -> dict:
    t = (rows or [{"total": 0, "avoidable": 0, "fcr": 0}])[0]
    return {
        "total_contacts": t["total"],
        "avoidable_contacts": t["avoidable"],
        "ni14_percent": percent(t["avoidable"], t["total"]),
        "fcr_contacts": t["fcr"],
        "first_contact_resolution_percent": percent(t["fcr"], t["total"]),
        "fcr_target_percent": FCR_TARGET_PERCENT,
    }


_GROUP_FIELD = {
    "service": "service_id", "channel": "channel", "reason": "avoidable_reason_id",
    "enquiry_type": "enquiry_type_id", "site": "site_id",
}
_GROUP_MODEL = {
    "service": Service, "reason": AvoidableReason, "enquiry_type": EnquiryType, "site": Site,
}


def _labels(group_by: str, ids) -> dict:
    if group_by == "channel":
        return {code: (code, label) for code, label in ChannelCode.choices}
    model = _GROUP_MODEL[group_by]
    objects = model.objects.filter(pk__in=[i for i in ids if i])
    if group_by == "enquiry_type":
        objects = objects.select_related("service")
        return {o.pk: (f"{o.service.code}/{o.code}", str(o)) for o in objects}
    if group_by == "site":
        # Which kind of site: a back-office team's public contact shows as its office's.
        return {o.pk: (o.code, f"{o.name} ({o.get_kind_display().lower()})") for o in objects}
    return {o.pk: (o.code, o.name) for o in objects}


def breakdown(filters: Filters, group_by: str, rows: list[dict] | None = None) -> list[dict]:
    """Rows {key, label, id, total, avoidable, ni14_percent, fcr, fcr_percent}, ordered by key.

    For group_by=reason there is one row per NI14 reason: `avoidable` counts that reason's
    contacts and `total` is every contact in the period, so ni14_percent is the reason's share
    of all contacts and the rows add up to the headline NI14 percentage.

    `rows`: the period's totals already grouped by month and every field (see `breakdowns`),
    added up here instead of asking the database again.
    """
    if group_by == "month":
        monthly = summed(filters, by_month=True) if rows is None else _regroup(rows, ("month",))
        return [_row(r["month"].strftime("%Y-%m"), r["month"].strftime("%B %Y"), r["month"], r)
                for r in monthly]
    field = _GROUP_FIELD[group_by]
    if group_by == "reason":
        # One pass: every contact counts in the total, the avoidable ones under their reason.
        rows = summed(filters, (field,)) if rows is None else _regroup(rows, (field,))
        total = sum(r["total"] for r in rows)
        grouped = [{field: r[field], "avoidable": r["avoidable"], "total": total, "fcr": None}
                   for r in rows if r["avoidable"]]
    else:
        grouped = summed(filters, (field,)) if rows is None else _regroup(rows, (field,))
    labels = _labels(group_by, [r[field] for r in grouped])
    out = []
    for r in grouped:
        if not r["total"]:
            continue
        key, label = labels.get(r[field], (None, "Not recorded"))
        out.append(_row(key, label, r[field] or None, r))
    return sorted(out, key=lambda row: (row["key"] is None, row["key"] or ""))


def breakdowns(filters: Filters, group_bys: tuple[str, ...]) -> tuple[dict, dict[str, list[dict]]]:
    """The headline and several breakdowns at once.

    One query per part of the period: on PostgreSQL it computes every grouping in a single scan
    of the summary rows (GROUP BY GROUPING SETS, 54 ms for a year at 10 million contacts against
    140 ms for a query per table); elsewhere (SQLite, development volumes) it reads the rows
    grouped by all the keys and adds them up here.
    """
    if connection.vendor != "postgresql":
        fields = tuple(dict.fromkeys(_GROUP_FIELD[g] for g in group_bys if g != "month"))
        rows = summed(filters, fields, by_month=True)
        return (_headline(_regroup(rows, ())),
                {group_by: breakdown(filters, group_by, rows) for group_by in group_bys})
    keys = tuple(dict.fromkeys("month" if g == "month" else _GROUP_FIELD[g] for g in group_bys))
    sets = _grouping_sets(filters, keys)
    return (_headline(sets[None]),
            {group_by: breakdown(filters, group_by,
                                 sets["month" if group_by == "month" else _GROUP_FIELD[group_by]])
             for group_by in group_bys})


def _grouping_sets(filters: Filters, keys: tuple[str, ...]) -> dict:
    """{key: rows summed by that key alone, None: the total}, over the period's summary parts."""
    columns = ["date_trunc('month', day)::date" if key == "month" else key for key in keys]
    where, params = ["day BETWEEN %s AND %s"], []
    for column, value in (("service_id", filters.service and filters.service.pk),
                          ("channel", filters.channel or None),
                          ("site_id", filters.site and filters.site.pk)):
        if value is not None:
            where.append(f"{column} = %s")
            params.append(value)
    totals = {key: {} for key in keys}
    totals[None] = {}
    for model, start, end in summary_parts(filters):
        sql = (f"SELECT {', '.join(columns)}, GROUPING({', '.join(columns)}), SUM(count)::bigint, "
               "(SUM(count) FILTER (WHERE avoidable))::bigint, "
               "(SUM(count) FILTER (WHERE resolved_at_first_contact))::bigint "
               f"FROM {model._meta.db_table} WHERE {' AND '.join(where)} "
               f"GROUP BY GROUPING SETS ({', '.join(f'({c})' for c in columns)}, ())")  # nosec B608 - identifiers from code, values as parameters
        with connection.cursor() as cursor:
            cursor.execute(sql, [start, end, *params])
            rows = cursor.fetchall()
        for row in rows:
            values, grouping, (total, avoidable, fcr) = row[:len(keys)], row[len(keys)], row[len(keys) + 1:]
            # GROUPING(): a bit set for each column left out of the row's grouping set, the first
            # column the highest bit; one set per key, so exactly one bit is clear, or none (total).
            held = [i for i in range(len(keys)) if not grouping >> (len(keys) - 1 - i) & 1]
            key = keys[held[0]] if held else None
            value = values[held[0]] if held else None
            into = totals[key].setdefault(value, {**({key: value} if key else {}),
                                                  "total": 0, "avoidable": 0, "fcr": 0})
            into["total"] += total or 0
            into["avoidable"] += avoidable or 0
            into["fcr"] += fcr or 0
    out = {key: [rows[value] for value in sorted(rows, key=lambda v: (v is None, str(v)))]
           for key, rows in totals.items() if key is not None}
    out[None] = list(totals[None].values())
    return out


def _regroup(rows: list[dict], keys: tuple) -> list[dict]:
    """`rows` added up by `keys` only, in the order `summed` gives."""
    out: dict = {}
    for r in rows:
        key = tuple(r[k] for k in keys)
        row = out.get(key)
        if row is None:
            row = out[key] = {**{k: r[k] for k in keys}, "total": 0, "avoidable": 0, "fcr": 0}
        row["total"] += r["total"]
        row["avoidable"] += r["avoidable"]
        row["fcr"] += r["fcr"]
    return [out[key] for key in sorted(out, key=lambda k: tuple((v is None, str(v)) for v in k))]


def _row(key, label, ident, r) -> dict:
    return {
        "key": key, "label": label, "id": ident,
        "total": r["total"], "avoidable": r["avoidable"],
        "ni14_percent": percent(r["avoidable"], r["total"]),
        "fcr": r.get("fcr"), "fcr_percent": percent(r["fcr"], r["total"]) if r.get("fcr") is not None
        else None,
    }


def channel_rows(filters: Filters) -> list[dict]:
    """The period's contacts by month, channel and enquiry type: what the channel mix and the
    cost figures are both added up from (one read per part of the period)."""
    return summed(filters, ("channel", "enquiry_type_id"), by_month=True)


def channel_mix(filters: Filters, rows: list[dict] | None = None) -> dict:
    """Contacts per month and channel: {"months": [...], "channels": [(code, label)],
    "rows": [{"month", "label", "counts": [...], "total", "shares": [...]}]}. `rows`: the
    period's `channel_rows`, if read already."""
    by_month: dict = {}
    grouped = (summed(filters, ("channel",), by_month=True) if rows is None
               else _regroup(rows, ("month", "channel")))
    for r in grouped:
        by_month.setdefault(r["month"], {})[r["channel"]] = r["total"]
    channels = [(c, label) for c, label in ChannelCode.choices
                if any(c in counts for counts in by_month.values())]
    rows_out = []
    for month, counts in sorted(by_month.items()):
        total = sum(counts.values())
        values = [counts.get(c, 0) for c, _ in channels]
        rows_out.append({"month": month.strftime("%Y-%m"), "label": month.strftime("%b %Y"),
                         "counts": values, "total": total,
                         "shares": [percent(v, total) for v in values]})
    return {"channels": channels, "rows": rows_out}


def unit_costs() -> tuple[dict, dict]:
    """({channel: unit cost}, {(enquiry type id, channel): cost per transaction}): what one
    contact costs, and where an enquiry type costs something else through a channel (DOMAIN.md:
    a free-school-meals application costs £25 on paper and 6p online)."""
    channels = dict(Channel.objects.order_by("code").values_list("code", "unit_cost"))
    transactions = {(enquiry_type_id, channel): cost for enquiry_type_id, channel, cost in
                    TransactionCost.objects.order_by("pk")
                    .values_list("enquiry_type_id", "channel", "unit_cost")}
    return channels, transactions


def channel_costs(filters: Filters, shift_percent: int = 0, rows: list[dict] | None = None) -> dict:
    """What the period's contacts cost by channel, and the saving if shift_percent of the
    face-to-face and telephone contacts had been made on the web instead.

    Each contact costs its enquiry type's cost per transaction through its channel where one is
    set (TransactionCost), else the channel's unit cost; a row's `unit_cost` is the channel's
    average cost per contact. The what-if moves the same share of each channel's contacts, of
    every enquiry type alike, and prices them at the web cost of their enquiry type. Each row also
    has its contacts and cost in the what-if (web gains what the others lose). `rows`: the
    period's `channel_rows`, if read already."""
    rows = _regroup(channel_rows(filters) if rows is None else rows, ("channel", "enquiry_type_id"))
    channel_unit, transaction_unit = unit_costs()

    def unit(enquiry_type_id, channel) -> Decimal:
        cost = transaction_unit.get((enquiry_type_id, channel))
        return cost if cost is not None else channel_unit.get(channel, Decimal("0"))

    counts: dict = {}
    cost: dict = {}
    cost_on_web: dict = {}  # what the same contacts would have cost on the web
    for r in rows:
        code, enquiry_type_id, n = r["channel"], r["enquiry_type_id"] or None, r["total"]
        counts[code] = counts.get(code, 0) + n
        cost[code] = cost.get(code, Decimal("0")) + n * unit(enquiry_type_id, code)
        cost_on_web[code] = cost_on_web.get(code, Decimal("0")) + n * unit(enquiry_type_id,
                                                                           ChannelCode.WEB)
    moved = {code: counts.get(code, 0) * shift_percent // 100 for code in SHIFTABLE_CHANNELS}
    moved_total = sum(moved.values())
    moved_out = {code: (moved[code] * cost[code] / counts[code]) if moved[code] else Decimal("0")
                 for code in SHIFTABLE_CHANNELS}
    moved_in = sum((moved[code] * cost_on_web[code] / counts[code]) if moved[code] else Decimal("0")
                   for code in SHIFTABLE_CHANNELS)
    out, total = [], Decimal("0")
    for code, label in ChannelCode.choices:
        n = counts.get(code, 0)
        if not n and not (code == ChannelCode.WEB and moved_total):
            continue
        now = cost.get(code, Decimal("0"))
        total += now
        gone = moved.get(code, 0)
        after_n = n - gone + (moved_total if code == ChannelCode.WEB else 0)
        after_cost = now - moved_out.get(code, Decimal("0")) + (
            moved_in if code == ChannelCode.WEB else Decimal("0"))
        out.append({"channel": code, "label": label, "contacts": n,
                    "unit_cost": now / n if n else channel_unit.get(code, Decimal("0")),
                    "cost": now, "moved": gone, "after_contacts": after_n, "after_cost": after_cost})
    saving = sum(moved_out.values()) - moved_in
    return {"rows": out, "total": total, "shift_percent": shift_percent, "saving": saving,
            "after": total - saving, "moved": moved_total}


# Drill-down and recounts from the raw rows

def contacts_behind(filters: Filters, *, enquiry_type=None, reason=None, avoidable=None,
                    fcr=None, month: date | None = None):
    contacts = Contact.objects.filter(received_date__gte=filters.date_from,
                                      received_date__lte=filters.date_to)
    if filters.service is not None:
        contacts = contacts.filter(service=filters.service)
    if filters.channel:
        contacts = contacts.filter(channel=filters.channel)
    if filters.site is not None:
        contacts = contacts.filter(site=filters.site)
    if enquiry_type is not None:
        contacts = contacts.filter(enquiry_type=enquiry_type)
    if reason is not None:
        contacts = contacts.filter(avoidable_reason=reason)
    if avoidable is not None:
        contacts = contacts.filter(avoidable=avoidable)
    if fcr is not None:
        contacts = contacts.filter(resolved_at_first_contact=fcr)
    if month is not None:
        start = month.replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1)
        contacts = contacts.filter(received_date__gte=start, received_date__lt=end)
    return (contacts.select_related("service", "enquiry_type", "customer", "avoidable_reason", "site")
            .order_by("-received_at", "-pk"))


def raw_counts() -> dict:
    """{dimension tuple: count} recounted with a GROUP BY over contacts_contact."""
    rows = (Contact.objects
            .annotate(day=F("received_date"), e=Coalesce("enquiry_type_id", 0),
                      s=Coalesce("site_id", 0), r=Coalesce("avoidable_reason_id", 0))
            .values_list("day", "service_id", "e", "channel", "s", "avoidable", "r",
                         "resolved_at_first_contact")
            .annotate(n=Count("pk")).order_by())
    return {tuple(row[:-1]): row[-1] for row in rows}


def summary_counts() -> dict:
    rows = ContactDailySummary.objects.exclude(count=0).values_list(*DIMENSIONS, "count").order_by()
    return {tuple(row[:-1]): row[-1] for row in rows}


def monthly_mismatches() -> list[tuple]:
    """[(key, monthly count, daily rows' sum)] wherever a monthly row differs from its days."""
    daily = (ContactDailySummary.objects.annotate(month=TruncMonth("day"))
             .values_list("month", *DIMENSIONS[1:]).annotate(n=Sum("count")).order_by())
    rolled = {tuple(r[:-1]): r[-1] for r in daily if r[-1]}
    monthly = {tuple(r[:-1]): r[-1] for r in ContactMonthlySummary.objects.exclude(count=0)
               .values_list(*DIMENSIONS, "count").order_by()}
    return sorted(((key, monthly.get(key, 0), rolled.get(key, 0))
                   for key in rolled.keys() | monthly.keys() if monthly.get(key, 0) != rolled.get(key, 0)),
                  key=str)


def summary_mismatches() -> list[tuple]:
    """[(key, summary count, raw count)] wherever the summary differs from a raw recount."""
    raw, summary = raw_counts(), summary_counts()
    return sorted(((key, summary.get(key, 0), raw.get(key, 0))
                   for key in raw.keys() | summary.keys() if summary.get(key, 0) != raw.get(key, 0)),
                  key=str)


def channel_shift(mix: dict) -> list[dict]:
    """Each channel's share of contacts in the first and the last month of the period and the
    change in percentage points (channel shift: web up, face to face and telephone down)."""
    rows = mix["rows"]
    if not rows:
        return []
    first, last = rows[0], rows[-1]
    out = []
    for i, (code, label) in enumerate(mix["channels"]):
        a, b = first["shares"][i] or 0.0, last["shares"][i] or 0.0
        out.append({"channel": code, "label": label, "first": a, "last": b,
                    "change": round(b - a, 1)})
    return out


# Hand-off performance ---------------------------------------------------------------------------

def handoff_raw_counts() -> dict:
    """{(day opened, team, method, resolved, on_time): count} recounted from handoffs_handoff."""
    rows = (Handoff.objects
            .annotate(day=TruncDate("opened_at"), resolved_day=TruncDate("resolved_at"))
            .annotate(resolved=ExpressionWrapper(Q(resolved_at__isnull=False), BooleanField()),
                      on_time=Case(When(resolved_day__lte=F("due_date"), then=Value(True)),
                                   default=Value(False), output_field=BooleanField()))
            .values_list("day", "team_id", "method", "resolved", "on_time")
            .annotate(n=Count("pk")).order_by())
    return {(r[0], r[1], r[2], bool(r[3]), bool(r[4])): r[5] for r in rows}


def handoff_summary_counts() -> dict:
    rows = (HandoffDailySummary.objects.exclude(count=0)
            .values_list(*HANDOFF_DIMENSIONS, "count").order_by())
    return {tuple(row[:-1]): row[-1] for row in rows}


def handoff_summary_mismatches() -> list[tuple]:
    raw, summary = handoff_raw_counts(), handoff_summary_counts()
    return sorted(((key, summary.get(key, 0), raw.get(key, 0))
                   for key in raw.keys() | summary.keys() if summary.get(key, 0) != raw.get(key, 0)),
                  key=str)


def _handoff_row(label, key, r) -> dict:
    return {"label": label, "key": key, "opened": r["opened"], "resolved": r["resolved"],
            "on_time": r["on_time"], "open": r["opened"] - r["resolved"],
            "on_time_percent": percent(r["on_time"], r["resolved"])}


def handoff_performance(filters: Filters, today: date | None = None) -> dict:
    """Hand-offs opened in the period, by team and method: how many were resolved and how many of
    those within the service standard (on or before the due date), and the open and overdue
    hand-offs now.

    Period figures read reporting_handoff_daily (kept by triggers, see models.py): a few hundred
    summary rows per month instead of up to a million hand-offs. The "now" figures read only the
    unresolved hand-offs, through the partial index handoff_open_due_idx (due_date WHERE status
    <> 'resolved'): the working set, not the history. Three queries plus the team names.
    """
    today = today or timezone.localdate()
    totals = {"opened": Coalesce(Sum("count"), 0),
              "resolved": Coalesce(Sum("count", filter=Q(resolved=True)), 0),
              "on_time": Coalesce(Sum("count", filter=Q(on_time=True)), 0)}
    grouped = list(HandoffDailySummary.objects
                   .filter(day__gte=filters.date_from, day__lte=filters.date_to)
                   .values("team_id", "method").annotate(**totals).order_by("team_id", "method"))
    open_now = list(Handoff.objects.unresolved().values("team_id", "method")
                    .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today)))
                    .order_by("team_id", "method"))
    team_ids = {r["team_id"] for r in grouped} | {r["team_id"] for r in open_now}
    teams = dict(Team.objects.filter(pk__in=team_ids).values_list("pk", "name"))
    methods = dict(HandoffMethod.choices)

    def add(into, key, label, r, fields):
        row = into.setdefault(key, {"label": label, "opened": 0, "resolved": 0, "on_time": 0,
                                    "open_now": 0, "overdue_now": 0})
        for f in fields:
            row[f] += r[f]

    by_team, by_method, by_team_method, total = {}, {}, {}, {}
    period_fields = ("opened", "resolved", "on_time")
    for r in grouped:
        team = teams.get(r["team_id"], "Unknown team")
        add(by_team, team, team, r, period_fields)
        add(by_method, r["method"], methods.get(r["method"], r["method"]), r, period_fields)
        add(by_team_method, (team, r["method"]), f"{team}: {methods.get(r['method'], r['method'])}",
            r, period_fields)
        add(total, "all", "All hand-offs", r, period_fields)
    for r in open_now:
        r = {**r, "open_now": r["open"], "overdue_now": r["overdue"]}
        team = teams.get(r["team_id"], "Unknown team")
        add(by_team, team, team, r, ("open_now", "overdue_now"))
        add(by_method, r["method"], methods.get(r["method"], r["method"]), r, ("open_now", "overdue_now"))
        add(by_team_method, (team, r["method"]), f"{team}: {methods.get(r['method'], r['method'])}",
            r, ("open_now", "overdue_now"))
        add(total, "all", "All hand-offs", r, ("open_now", "overdue_now"))

    def finish(rows: dict) -> list[dict]:
        out = []
        for key, row in sorted(rows.items(), key=lambda kv: kv[0]):
            out.append({**row, "key": key, "on_time_percent": percent(row["on_time"], row["resolved"])})
        return out

    advocate = by_method.get(HandoffMethod.CUSTOMER_ADVOCATE, {})
    return {
        "by_team": finish(by_team), "by_method": finish(by_method),
        "by_team_method": finish(by_team_method),
        "total": finish(total)[0] if total else None,
        "advocate_open": advocate.get("open_now", 0), "advocate_overdue": advocate.get("overdue_now", 0),
        "today": today,
    }


# Complaints performance -------------------------------------------------------------------------

def period_bounds(filters: Filters) -> tuple[datetime, datetime]:
    """The period as [start, end) moments: midnight Europe/London on the first day and on the day
    after the last."""
    tz = timezone.get_current_timezone()
    return (datetime.combine(filters.date_from, time.min, tzinfo=tz),
            datetime.combine(filters.date_to + timedelta(days=1), time.min, tzinfo=tz))


def complaints_in_period(filters: Filters):
    start, end = period_bounds(filters)
    qs = Complaint.objects.filter(received_at__gte=start, received_at__lt=end)
    if filters.service is not None:
        qs = qs.filter(service=filters.service)
    return qs


def stages_in_period(filters: Filters):
    start, end = period_bounds(filters)
    qs = ComplaintStage.objects.filter(complaint__received_at__gte=start, complaint__received_at__lt=end)
    if filters.service is not None:
        qs = qs.filter(complaint__service=filters.service)
    return qs


STAGE_ORDER = [s for s, _ in Stage.choices]


def complaints_performance(filters: Filters, today: date | None = None,
                           lessons_limit: int | None = 10) -> dict:
    """Complaints received in the period (and their stages), and the overdue and Ombudsman cases
    now.

    No summary table: there are about 200,000 complaints in ten years, so the period figures come
    from two GROUP BYs over the complaints received in the period, found through
    complaint_received_idx (received_at): one over the complaints (by service and whether made to
    the Ombudsman first) and one over their stages (by service, process, stage, outcome), from
    which the volumes, deadline, outcome, Ombudsman and lessons figures are all added up. The "now"
    figures use the partial indexes complaint_clock_due_idx (running clocks) and
    complaint_ombudsman_due_idx (open Ombudsman follow-ups). Six queries in all; about 0.3 s with
    all 200,000 complaints in the period.

    "Responded within the deadline": the stage's response was on or before its deadline (the
    revised target after an interim response) on the Europe/London calendar, as the complaints
    app decides "late". Stages without a deadline (an Ombudsman stage) are left out of that
    percentage.
    """
    today = today or timezone.localdate()
    complaints = complaints_in_period(filters)
    stages = stages_in_period(filters)
    services = dict(Service.objects.values_list("pk", "name"))
    processes = dict(Process.choices)
    stage_labels = dict(Stage.choices)

    received, premature = Counter(), 0
    for r in complaints.values("service_id", "via_ombudsman").annotate(n=Count("pk")).order_by():
        received[r["service_id"]] += r["n"]
        premature += r["n"] if r["via_ombudsman"] else 0

    grouped = (stages.annotate(responded_day=TruncDate("responded_at"),
                               deadline=Coalesce("revised_target_date", "due_date"))
               .values("complaint__service_id", "complaint__process", "complaint__via_ombudsman",
                       "stage", "outcome")
               .annotate(started=Count("pk"),
                         responded=Count("pk", filter=Q(responded_at__isnull=False)),
                         with_deadline=Count("pk", filter=Q(responded_at__isnull=False,
                                                            deadline__isnull=False)),
                         on_time=Count("pk", filter=Q(responded_day__lte=F("deadline"))),
                         lessons=Count("pk", filter=~Q(lessons_learned="")))
               .order_by())
    volumes: dict = {}
    timed: dict = {}
    outcomes: dict = {}
    referred = 0  # complaints referred to the Ombudsman after the final stage (not made there first)
    for r in grouped:
        stage = r["stage"]
        volumes.setdefault(r["complaint__service_id"], Counter())[stage] += r["started"]
        t = timed.setdefault((r["complaint__process"], stage), Counter())
        for k in ("started", "responded", "with_deadline", "on_time", "lessons"):
            t[k] += r[k]
        if r["outcome"]:
            outcomes.setdefault(stage, Counter())[r["outcome"]] += r["started"]
        if stage == Stage.OMBUDSMAN and not r["complaint__via_ombudsman"]:
            referred += r["started"]

    volume_rows = sorted(
        ({"service_id": sid, "label": services.get(sid, "Unknown service"), "received": received[sid],
          "stages": [counts[s] for s in STAGE_ORDER]} for sid, counts in volumes.items()),
        key=lambda r: r["label"])
    deadline_rows = [{
        "process": process, "stage": stage,
        "label": f"{processes.get(process)}, {stage_labels.get(stage)}",
        "started": t["started"], "responded": t["responded"], "with_deadline": t["with_deadline"],
        "on_time": t["on_time"], "late": t["with_deadline"] - t["on_time"],
        "waiting": t["started"] - t["responded"],
        "on_time_percent": percent(t["on_time"], t["with_deadline"]), "lessons": t["lessons"],
    } for (process, stage), t in timed.items()]
    deadline_rows.sort(key=lambda r: (r["process"], STAGE_ORDER.index(r["stage"])))
    outcome_rows = []
    for stage in STAGE_ORDER:
        if stage in outcomes:
            counts = [outcomes[stage][o] for o, _ in Outcome.choices]
            outcome_rows.append({"stage": stage, "label": stage_labels[stage], "counts": counts,
                                 "total": sum(counts),
                                 "percents": [percent(n, sum(counts)) for n in counts]})

    overdue = Complaint.objects.unresolved().filter(due_date__lt=today)
    if filters.service is not None:
        overdue = overdue.filter(service=filters.service)
    overdue_rows = [{"label": f"{processes.get(r['process'])}, {stage_labels.get(r['stage'])}",
                     "process": r["process"], "stage": r["stage"], "n": r["n"]}
                    for r in overdue.values("process", "stage").annotate(n=Count("pk"))
                    .order_by("process", "stage")]

    open_ombudsman = Complaint.objects.unresolved().filter(ombudsman_follow_up_date__isnull=False)
    if filters.service is not None:
        open_ombudsman = open_ombudsman.filter(service=filters.service)
    ombudsman_now = open_ombudsman.aggregate(
        open=Count("pk"), follow_up_passed=Count("pk", filter=Q(ombudsman_follow_up_date__lt=today)),
        follow_up_soon=Count("pk", filter=Q(ombudsman_follow_up_date__gte=today,
                                            ombudsman_follow_up_date__lte=today + timedelta(days=14))))

    lessons = (stages.exclude(lessons_learned="").select_related("complaint__service")
               .order_by("-responded_at", "-pk"))
    lessons = list(lessons[:lessons_limit] if lessons_limit else lessons)
    return {
        "received": sum(received.values()), "volumes": volume_rows, "deadlines": deadline_rows,
        "outcomes": outcome_rows, "overdue": overdue_rows,
        "overdue_total": sum(r["n"] for r in overdue_rows),
        "ombudsman_period": premature + referred, "ombudsman_premature": premature,
        "ombudsman_open": ombudsman_now["open"],
        "ombudsman_follow_up_passed": ombudsman_now["follow_up_passed"],
        "ombudsman_follow_up_soon": ombudsman_now["follow_up_soon"],
        "lessons": lessons, "lessons_total": sum(r["lessons"] for r in deadline_rows),
        "today": today,
    }


# The joined-up view ------------------------------------------------------------------------------

def joined_up(filters: Filters) -> dict:
    """Per service: avoidable contact (from the contact summary) beside complaints received (an
    indexed GROUP BY, as complaints_performance), so that the services generating both failure
    demand and complaints stand out. A service is flagged when its NI14 percentage and its
    complaints per 1,000 contacts are both at or above the council-wide figures (and it has
    complaints)."""
    contacts = {r["id"]: r for r in breakdown(filters, "service")}
    complaints = dict(complaints_in_period(filters).values("service_id").annotate(n=Count("pk"))
                      .order_by("service_id").values_list("service_id", "n"))
    upheld = dict(stages_in_period(filters).filter(outcome__in=[Outcome.UPHELD, Outcome.PARTLY_UPHELD])
                  .values("complaint__service_id").annotate(n=Count("complaint_id", distinct=True))
                  .order_by("complaint__service_id").values_list("complaint__service_id", "n"))
    names = dict(Service.objects.filter(pk__in=set(contacts) | set(complaints))
                 .values_list("pk", "name"))
    total_contacts = sum(r["total"] for r in contacts.values())
    total_avoidable = sum(r["avoidable"] for r in contacts.values())
    total_complaints = sum(complaints.values())
    ni14_all = percent(total_avoidable, total_contacts)
    rate_all = None if not total_contacts else round(1000 * total_complaints / total_contacts, 1)
    rows = []
    for sid in set(contacts) | set(complaints):
        c = contacts.get(sid, {"total": 0, "avoidable": 0, "ni14_percent": None, "key": None})
        n = complaints.get(sid, 0)
        rate = None if not c["total"] else round(1000 * n / c["total"], 1)
        high = (n > 0 and c["ni14_percent"] is not None and ni14_all is not None
                and c["ni14_percent"] >= ni14_all and (rate is None or rate >= (rate_all or 0)))
        rows.append({"id": sid, "key": c.get("key"), "label": names.get(sid, "Unknown service"),
                     "contacts": c["total"], "avoidable": c["avoidable"], "ni14_percent": c["ni14_percent"],
                     "complaints": n, "upheld": upheld.get(sid, 0), "per_thousand": rate, "high": high})
    rows.sort(key=lambda r: (not r["high"], -r["avoidable"], -r["complaints"], r["label"]))
    return {"rows": rows, "ni14_percent": ni14_all, "per_thousand": rate_all,
            "contacts": total_contacts, "avoidable": total_avoidable, "complaints": total_complaints}


# The cases behind a headline figure (issue 20, item 6) -------------------------------------------

COMPLAINT_FIGURES = {"received": "Complaints received", "overdue": "Complaints overdue now",
                     "ombudsman_first": "Complaints made to the Ombudsman first",
                     "ombudsman_open": "Ombudsman cases open now"}
HANDOFF_FIGURES = {"opened": "Hand-offs opened", "overdue": "Hand-offs overdue now",
                   "advocate_open": "Customer Advocate cases open now",
                   "advocate_overdue": "Customer Advocate cases overdue now"}


def complaints_behind(filters: Filters, figure: str, today: date | None = None):
    """The complaints a headline figure of complaints_performance counts, by the same rule."""
    today = today or timezone.localdate()
    if figure == "received":
        complaints = complaints_in_period(filters)
    elif figure == "ombudsman_first":
        complaints = complaints_in_period(filters).filter(via_ombudsman=True)
    elif figure == "overdue":
        complaints = Complaint.objects.unresolved().filter(due_date__lt=today)
    elif figure == "ombudsman_open":
        complaints = Complaint.objects.unresolved().filter(ombudsman_follow_up_date__isnull=False)
    else:
        raise KeyError(figure)
    if filters.service is not None and figure in ("overdue", "ombudsman_open"):
        complaints = complaints.filter(service=filters.service)
    return complaints.select_related("service").order_by("-received_at", "-pk")


def handoffs_behind(filters: Filters, figure: str, today: date | None = None):
    """The hand-offs a headline figure of handoff_performance counts, by the same rule: opened in
    the period on the Europe/London calendar, or unresolved (and overdue) now."""
    today = today or timezone.localdate()
    if figure == "opened":
        start, end = period_bounds(filters)
        handoffs = Handoff.objects.filter(opened_at__gte=start, opened_at__lt=end)
    elif figure in ("overdue", "advocate_open", "advocate_overdue"):
        handoffs = Handoff.objects.unresolved()
        if figure != "advocate_open":
            handoffs = handoffs.filter(due_date__lt=today)
        if figure.startswith("advocate"):
            handoffs = handoffs.filter(method=HandoffMethod.CUSTOMER_ADVOCATE)
    else:
        raise KeyError(figure)
    return (handoffs.select_related("team", "contact__service", "contact__enquiry_type")
            .order_by("-opened_at", "-pk"))
