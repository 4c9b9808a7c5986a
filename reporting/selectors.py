"""Reads for the reports. Contact figures come from the summary rows (reporting_contact_daily),
which the database keeps exact; drill-downs and recounts read contacts_contact itself."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from contacts.models import Contact
from core.models import AvoidableReason, Channel, ChannelCode, EnquiryType, Service, Site
from reporting.models import DIMENSIONS, ContactDailySummary

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


def default_period(today: date | None = None) -> tuple[date, date]:
    """The last 90 days up to today (the Europe/London day)."""
    today = today or timezone.localdate()
    return today - timedelta(days=89), today


def percent(part: int, whole: int) -> float | None:
    return None if not whole else round(100 * part / whole, 1)


def summary_rows(filters: Filters):
    rows = ContactDailySummary.objects.filter(day__gte=filters.date_from, day__lte=filters.date_to)
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


def headline(filters: Filters) -> dict:
    t = summary_rows(filters).aggregate(**_totals())
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
    return {o.pk: (o.code, o.name) for o in objects}


def breakdown(filters: Filters, group_by: str) -> list[dict]:
    """Rows {key, label, id, total, avoidable, ni14_percent, fcr, fcr_percent}, ordered by key.

    For group_by=reason there is one row per NI14 reason: `avoidable` counts that reason's
    contacts and `total` is every contact in the period, so ni14_percent is the reason's share
    of all contacts and the rows add up to the headline NI14 percentage.
    """
    rows = summary_rows(filters)
    if group_by == "month":
        grouped = (rows.annotate(month=TruncMonth("day")).values("month")
                   .annotate(**_totals()).order_by("month"))
        return [_row(r["month"].strftime("%Y-%m"), r["month"].strftime("%B %Y"), r["month"], r)
                for r in grouped]
    field = _GROUP_FIELD[group_by]
    if group_by == "reason":
        total = rows.aggregate(total=Coalesce(Sum("count"), 0))["total"]
        grouped = list(rows.filter(avoidable=True).values(field)
                       .annotate(avoidable=Sum("count")).order_by(field))
        for r in grouped:
            r.update(total=total, fcr=None)
    else:
        grouped = list(rows.values(field).annotate(**_totals()).order_by(field))
    labels = _labels(group_by, [r[field] for r in grouped])
    out = []
    for r in grouped:
        if not r["total"]:
            continue
        key, label = labels.get(r[field], (None, "Not recorded"))
        out.append(_row(key, label, r[field] or None, r))
    return sorted(out, key=lambda row: (row["key"] is None, row["key"] or ""))


def _row(key, label, ident, r) -> dict:
    return {
        "key": key, "label": label, "id": ident,
        "total": r["total"], "avoidable": r["avoidable"],
        "ni14_percent": percent(r["avoidable"], r["total"]),
        "fcr": r.get("fcr"), "fcr_percent": percent(r["fcr"], r["total"]) if r.get("fcr") is not None
        else None,
    }


def channel_mix(filters: Filters) -> dict:
    """Contacts per month and channel: {"months": [...], "channels": [(code, label)],
    "rows": [{"month", "label", "counts": [...], "total", "shares": [...]}]}."""
    grouped = (summary_rows(filters).annotate(month=TruncMonth("day")).values("month", "channel")
               .annotate(n=Sum("count")).order_by("month", "channel"))
    by_month: dict = {}
    for r in grouped:
        by_month.setdefault(r["month"], {})[r["channel"]] = r["n"]
    channels = [(c, label) for c, label in ChannelCode.choices
                if any(c in counts for counts in by_month.values())]
    rows = []
    for month, counts in sorted(by_month.items()):
        total = sum(counts.values())
        values = [counts.get(c, 0) for c, _ in channels]
        rows.append({"month": month.strftime("%Y-%m"), "label": month.strftime("%b %Y"),
                     "counts": values, "total": total,
                     "shares": [percent(v, total) for v in values]})
    return {"channels": channels, "rows": rows}


def channel_costs(filters: Filters, shift_percent: int = 0) -> dict:
    """Contacts x unit cost per channel, and the saving if shift_percent of face-to-face and
    telephone contacts went to web instead."""
    counts = dict(summary_rows(filters).values("channel").annotate(n=Sum("count"))
                  .order_by("channel").values_list("channel", "n"))
    costs = dict(Channel.objects.order_by("code").values_list("code", "unit_cost"))
    web_cost = costs.get(ChannelCode.WEB, Decimal("0"))
    rows, total, saving = [], Decimal("0"), Decimal("0")
    for code, label in ChannelCode.choices:
        n = counts.get(code, 0)
        if not n:
            continue
        unit = costs.get(code, Decimal("0"))
        cost = unit * n
        total += cost
        moved = n * shift_percent // 100 if code in SHIFTABLE_CHANNELS else 0
        saving += moved * (unit - web_cost)
        rows.append({"channel": code, "label": label, "contacts": n, "unit_cost": unit,
                     "cost": cost, "moved": moved})
    return {"rows": rows, "total": total, "shift_percent": shift_percent, "saving": saving,
            "after": total - saving}


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


def summary_mismatches() -> list[tuple]:
    """[(key, summary count, raw count)] wherever the summary differs from a raw recount."""
    raw, summary = raw_counts(), summary_counts()
    return sorted(((key, summary.get(key, 0), raw.get(key, 0))
                   for key in raw.keys() | summary.keys() if summary.get(key, 0) != raw.get(key, 0)),
                  key=str)
