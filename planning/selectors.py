"""Reads for contact-centre planning (issue 22): the contact history the forecast is made from,
and the stored forecasts the planning page and APIs show.

History by day comes from the reporting summary rows, which the database keeps exact, never
from a scan of the contacts; the half-hour patterns and handling times of the last weeks are one
grouped query over those weeks' contacts (the received-date index)."""

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import numpy as np
from django.db.models import Avg, Count, Sum
from django.db.models.functions import ExtractHour, ExtractMinute, Floor

from contacts.models import Contact
from core.models import AvoidableReason, ChannelCode
from core.roles import Role, has_role
from planning.models import ChannelBacktest, DailyForecast, ForecastRun, ForecastSeries, IntervalForecast
from reporting import selectors as reports
from reporting.models import ContactDailySummary

PLANNING_ROLES = (Role.MANAGER, Role.ADMIN)

SeriesKey = tuple[int, str]  # (service id, channel)


def can_plan(user) -> bool:
    return has_role(user, *PLANNING_ROLES)


# --- the history the forecast is made from --------------------------------------------------


def daily_history(start: date, end: date, length: int) -> dict[SeriesKey, np.ndarray]:
    """Contacts a day per service and channel from `start` to `end`: {key: counts}, each an array
    of `length` days from `start` (days after `end` left at 0)."""
    rows = (ContactDailySummary.objects.filter(day__gte=start, day__lte=end)
            .values_list("service_id", "channel", "day").annotate(contacts=Sum("count")).order_by())
    history: dict[SeriesKey, np.ndarray] = {}
    for service_id, channel, day, contacts in rows:
        if contacts:
            counts = history.setdefault((service_id, channel), np.zeros(length))
            counts[(day - start).days] = contacts
    return {key: history[key] for key in sorted(history)}


def history_fingerprint(history: dict[SeriesKey, np.ndarray]) -> str:
    """A hash of the history: the same contacts a day, the same fingerprint."""
    digest = hashlib.sha256()
    for (service_id, channel), counts in history.items():
        digest.update(f"{service_id}:{channel}:".encode())
        digest.update(counts.astype(np.int64).tobytes())
    return digest.hexdigest()


def half_hour_counts(start: date, end: date) -> dict[tuple[str, date], np.ndarray]:
    """Contacts per channel, day and half hour (Europe/London) from `start` to `end`."""
    rows = (Contact.objects.filter(received_date__gte=start, received_date__lte=end)
            .annotate(slot=ExtractHour("received_at") * 2 + Floor(ExtractMinute("received_at") / 30))
            .values_list("channel", "received_date", "slot").annotate(contacts=Count("pk")).order_by())
    counts: dict[tuple[str, date], np.ndarray] = {}
    for channel, day, slot, contacts in rows:
        counts.setdefault((channel, day), np.zeros(48))[int(slot)] += contacts
    return counts


def handling_times(start: date, end: date) -> dict[SeriesKey, tuple[float, int]]:
    """{(service, channel): (average recorded handling time in seconds, contacts it is from)}."""
    rows = (Contact.objects.filter(received_date__gte=start, received_date__lte=end,
                                   handling_time_seconds__isnull=False)
            .values_list("service_id", "channel")
            .annotate(average=Avg("handling_time_seconds"), contacts=Count("pk")).order_by())
    return {(service_id, channel): (float(average), contacts)
            for service_id, channel, average, contacts in rows}


def reason_shares(start: date, end: date) -> dict[SeriesKey, dict[str, float]]:
    """{(service, channel): {NI14 reason code: share of all the series' contacts}} from the
    summary rows (monthly where whole months allow)."""
    codes = dict(AvoidableReason.objects.values_list("pk", "code"))
    rows = reports.summed(reports.Filters(date_from=start, date_to=end),
                          ("service_id", "channel", "avoidable_reason_id"))
    totals: dict[SeriesKey, int] = defaultdict(int)
    avoidable: dict[SeriesKey, dict[str, int]] = defaultdict(dict)
    for row in rows:
        key = (row["service_id"], row["channel"])
        totals[key] += row["total"]
        if row["avoidable"] and row["avoidable_reason_id"] in codes:
            avoidable[key][codes[row["avoidable_reason_id"]]] = row["avoidable"]
    return {key: {code: n / totals[key] for code, n in sorted(avoidable[key].items())}
            for key in totals if totals[key]}


# --- the stored forecast ----------------------------------------------------------------------


def latest_run() -> ForecastRun | None:
    return ForecastRun.objects.order_by("-history_to_date", "-pk").first()


def daily_forecast(run: ForecastRun, *, service=None, channel: str | None = None,
                   date_from: date | None = None,
                   date_to: date | None = None) -> list[tuple[date, str, float]]:
    """(day, channel, contacts) of the run, every service added up unless `service` is given."""
    rows = DailyForecast.objects.filter(series__run=run)
    if service is not None:
        rows = rows.filter(series__service=service)
    if channel:
        rows = rows.filter(series__channel=channel)
    if date_from:
        rows = rows.filter(forecast_date__gte=date_from)
    if date_to:
        rows = rows.filter(forecast_date__lte=date_to)
    return list(rows.values_list("forecast_date", "series__channel").annotate(contacts=Sum("contacts"))
                .order_by("forecast_date", "series__channel"))


@dataclass(frozen=True)
class SeriesInfo:
    """What the staffing and the what-if need of a forecast series."""

    service_id: int
    channel: str
    handling_time_seconds: float | None
    reason_shares: dict[str, float]


def series_info(run: ForecastRun, *, service=None) -> dict[int, SeriesInfo]:
    rows = ForecastSeries.objects.filter(run=run)
    if service is not None:
        rows = rows.filter(service=service)
    return {pk: SeriesInfo(*fields) for pk, *fields in rows.values_list(
        "pk", "service_id", "channel", "handling_time_seconds", "reason_shares").order_by("pk")}


@dataclass(frozen=True)
class SeriesDay:
    """One service's forecast of one channel for a day, by half hour."""

    series: SeriesInfo
    forecast_date: date
    contacts: list[float]  # 48 half hours from 00:00

    @property
    def channel(self) -> str:
        return self.series.channel


def interval_forecast(run: ForecastRun, *, channels, service=None, date_from: date | None = None,
                      date_to: date | None = None) -> list[SeriesDay]:
    info = series_info(run, service=service)
    rows = IntervalForecast.objects.filter(series__run=run, series__channel__in=list(channels))
    if service is not None:
        rows = rows.filter(series__service=service)
    if date_from:
        rows = rows.filter(forecast_date__gte=date_from)
    if date_to:
        rows = rows.filter(forecast_date__lte=date_to)
    return [SeriesDay(info[series_id], day, contacts) for series_id, day, contacts in rows.values_list(
        "series_id", "forecast_date", "contacts").order_by("forecast_date", "series_id")]


def series_totals(run: ForecastRun, *, service=None, date_from: date,
                  date_to: date) -> list[tuple[SeriesInfo, float]]:
    """Each series' contacts forecast from `date_from` to `date_to`."""
    info = series_info(run, service=service)
    rows = (DailyForecast.objects.filter(series__run=run, forecast_date__gte=date_from,
                                         forecast_date__lte=date_to, series_id__in=list(info))
            .values_list("series_id").annotate(contacts=Sum("contacts")).order_by("series_id"))
    return [(info[series_id], contacts) for series_id, contacts in rows]


def backtests(run: ForecastRun, *, service=None) -> list[dict]:
    """The backtest per channel: every service added up, or the one service's series."""
    fields = ("channel", "contacts", "mape", "mase", "naive_mape", "naive_mase")
    if service is None:
        rows = ChannelBacktest.objects.filter(run=run).values_list(*fields)
    else:
        rows = (ForecastSeries.objects.filter(run=run, service=service, backtest_contacts__isnull=False)
                .values_list("channel", "backtest_contacts", *fields[2:]))
    order = {code: index for index, code in enumerate(ChannelCode.values)}
    return sorted((dict(zip(fields, row, strict=True)) for row in rows.order_by("pk")),
                  key=lambda row: order.get(row["channel"], len(order)))


def handling_summary(run: ForecastRun, channel: str, service=None) -> tuple[float | None, int]:
    """The average handling time of a channel's forecast series (weighted by the contacts it is
    from) and how many recorded contacts it rests on."""
    rows = ForecastSeries.objects.filter(run=run, channel=channel, handling_time_contacts__gt=0)
    if service is not None:
        rows = rows.filter(service=service)
    contacts = seconds = 0.0
    for average, n in rows.values_list("handling_time_seconds", "handling_time_contacts"):
        contacts += n
        seconds += average * n
    return (seconds / contacts if contacts else None), int(contacts)
