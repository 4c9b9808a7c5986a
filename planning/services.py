"""The nightly forecast (issue 22, item 2): every service and channel, by day for 8 weeks and by
half hour for 2, with its backtest, stored for the planning page and the APIs."""

import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock

import numpy as np
from django.db import connection, transaction
from django.utils import timezone
from threadpoolctl import threadpool_limits

from core.models import ChannelCode
from core.services import audit_record
from core.working_days import calendar
from planning import forecasting, selectors
from planning.models import ChannelBacktest, DailyForecast, ForecastRun, ForecastSeries, IntervalForecast

HISTORY_DAYS = 3 * 365  # the history a forecast is made from
DAILY_DAYS = 56  # forecast by day: 8 weeks
INTERVAL_DAYS = 14  # forecast by half hour: 2 weeks
BACKTEST_DAYS = 56  # the weeks held back to score the forecast
PROFILE_DAYS = 56  # the weeks the half-hour patterns and handling times come from
REASON_DAYS = 365  # the year the NI14 reason shares (for the what-if) come from
KEEP_DAYS = 14  # runs older than this are deleted
PROFILE_PRIOR_CONTACTS = 20  # a kind of day's pattern leans this hard on its channel's every-day one
OFFICE_HOURS = np.array([1.0 if 18 <= slot < 34 else 0.0 for slot in range(48)])  # 09:00-17:00


def forecasts_refresh(*, today: date | None = None, force: bool = False) -> dict:
    """Forecast every service and channel with contacts in the last three years from the contact
    history up to yesterday, and store it (DOMAIN.md, "Contacts and NI14"; issue 22).

    Idempotent: when the history is what the stored forecast for the same day was made from,
    nothing is done (so a run every few minutes, as `run_periodic` does, costs one read of the
    summary rows); new or back-dated contacts change the history, and the forecast is made again
    and replaces that day's. `force` makes it again regardless.
    """
    started = time.perf_counter()
    today = today or timezone.localdate()
    history_to = today - timedelta(days=1)
    history_from = history_to - timedelta(days=HISTORY_DAYS - 1)
    last_day = today + timedelta(days=DAILY_DAYS - 1)
    length = (last_day - history_from).days + 1
    history = selectors.daily_history(history_from, history_to, length)
    fingerprint = selectors.history_fingerprint(history)
    stored = ForecastRun.objects.filter(history_to_date=history_to).first()
    if stored is not None and stored.history_fingerprint == fingerprint and not force:
        return {"made": False, "series": stored.series.count()}

    days = forecasting.calendar_days(calendar().is_working_day, history_from, last_day)
    end = days.index(today)
    firsts = {key: int(np.flatnonzero(counts[:end])[0]) for key, counts in history.items()}
    longest = end - min(firsts.values(), default=end)
    held_back = forecasting.backtest_days(longest, BACKTEST_DAYS)
    forecasts, backtests = {}, {}
    with threadpool_limits(1):  # one BLAS thread: a series' fit is small, threads only contend
        for key, counts in history.items():
            forecasts[key] = forecasting.forecast(counts, firsts[key], end, DAILY_DAYS, days)
            backtests[key] = forecasting.backtest(counts, firsts[key], end, held_back, days)
    profile_from = today - timedelta(days=PROFILE_DAYS)
    profiles = _profiles(selectors.half_hour_counts(profile_from, history_to), days)
    handling = _handling_times(selectors.handling_times(profile_from, history_to))
    shares = selectors.reason_shares(today - timedelta(days=REASON_DAYS), history_to)
    run = _store(
        history=history, forecasts=forecasts, backtests=backtests, profiles=profiles, handling=handling,
        shares=shares, days=days, fields={
            "made_at": timezone.now(), "history_from_date": history_from, "history_to_date": history_to,
            "history_fingerprint": fingerprint, "first_date": today, "daily_to_date": last_day,
            "interval_to_date": today + timedelta(days=INTERVAL_DAYS - 1),
            "backtest_from_date": today - timedelta(days=held_back) if held_back else None,
            "backtest_to_date": history_to if held_back else None, "profile_from_date": profile_from,
        }, started=started)
    return {"made": True, "series": len(forecasts), "seconds": round(run.seconds, 1)}


def _profiles(counts: dict[tuple[str, date], np.ndarray], days: forecasting.Days) -> dict:
    """{(channel, kind): shares of a day's contacts per half hour}, kind being 0 an ordinary
    working day, 1 a Monday or the first working day after a bank holiday, 2 a weekend day or
    bank holiday. Each is its own contacts plus PROFILE_PRIOR_CONTACTS spread as the channel's
    pattern over every day, so that a kind with few contacts leans on the channel's pattern."""
    by_kind: dict[tuple[str, int], np.ndarray] = {}
    by_channel: dict[str, np.ndarray] = {}
    for (channel, day), slots in counts.items():
        kind = _kind(days, days.index(day))
        by_kind[channel, kind] = by_kind.get((channel, kind), np.zeros(48)) + slots
        by_channel[channel] = by_channel.get(channel, np.zeros(48)) + slots
    everything = sum(by_channel.values(), np.zeros(48))
    profiles = {}
    for channel in ChannelCode.values:
        prior = by_channel.get(channel, everything if everything.sum() else OFFICE_HOURS)
        prior = PROFILE_PRIOR_CONTACTS * prior / prior.sum()
        for kind in range(3):
            slots = by_kind.get((channel, kind), np.zeros(48)) + prior
            profiles[channel, kind] = slots / slots.sum()
    return profiles


def _kind(days: forecasting.Days, index: int) -> int:
    if not days.working[index]:
        return 2
    after_closure = days.design[index, -2] > 0
    return 1 if days.weekday[index] == 0 or after_closure else 0


def _handling_times(recorded: dict) -> dict:
    """{(service, channel): (seconds, contacts)}, a series with none recorded taking its
    channel's average (with 0 contacts of its own)."""
    by_channel: dict[str, list[float]] = {}
    for (_, channel), (seconds, contacts) in recorded.items():
        totals = by_channel.setdefault(channel, [0.0, 0])
        totals[0] += seconds * contacts
        totals[1] += contacts
    averages = {channel: seconds / contacts
                for channel, (seconds, contacts) in by_channel.items() if contacts}
    return {"recorded": recorded, "channel": averages}


def _half_hours(day: date, daily: float, profile: np.ndarray) -> list[float]:
    """A day's forecast spread over its half hours; a half hour the clocks skip gets none."""
    shares = profile.copy()
    for slot in (2, 3):  # 01:00 and 01:30, the only hour the UK clocks skip (last Sunday in March)
        wall = clock(slot // 2, 30 * (slot % 2))
        moment = timezone.make_aware(datetime.combine(day, wall))
        if timezone.localtime(moment.astimezone(UTC)).time() != wall:  # the clock never shows it
            shares[slot] = 0
    total = shares.sum()
    return [round(float(daily * share / total), 4) if total else 0.0 for share in shares]


@transaction.atomic
def _store(*, history, forecasts, backtests, profiles, handling, shares, days, fields,
           started) -> ForecastRun:
    if connection.vendor == "postgresql":  # two refreshes at once: one after the other
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('planning.forecasts_refresh'))")
    today = fields["first_date"]
    ForecastRun.objects.filter(history_to_date=fields["history_to_date"]).delete()
    ForecastRun.objects.filter(history_to_date__lt=today - timedelta(days=KEEP_DAYS)).delete()
    run = ForecastRun.objects.create(**fields, seconds=0)
    end = days.index(today)
    series = []
    for (service_id, channel), made in forecasts.items():
        seconds, contacts = handling["recorded"].get((service_id, channel), (None, 0))
        if seconds is None:
            seconds = handling["channel"].get(channel)
        tested = backtests[service_id, channel]
        scores = tested.scores() if tested is not None else {}
        series.append(ForecastSeries(
            run=run, service_id=service_id, channel=channel, method=made.method,
            working_days_only=made.working_days_only,
            history_contacts=int(history[service_id, channel][:end].sum()),
            handling_time_seconds=seconds, handling_time_contacts=contacts,
            reason_shares=shares.get((service_id, channel), {}),
            backtest_contacts=scores.get("contacts"), mape=scores.get("mape"), mase=scores.get("mase"),
            naive_mape=scores.get("naive_mape"), naive_mase=scores.get("naive_mase")))
    ForecastSeries.objects.bulk_create(series, batch_size=500)
    daily, intervals = [], []
    for row in series:
        values = forecasts[row.service_id, row.channel].values
        for offset, contacts in enumerate(values):
            day = today + timedelta(days=offset)
            daily.append(DailyForecast(series=row, forecast_date=day, contacts=round(float(contacts), 4)))
            if offset < (fields["interval_to_date"] - today).days + 1 and contacts > 0:
                profile = profiles[row.channel, _kind(days, end + offset)]
                intervals.append(IntervalForecast(series=row, forecast_date=day,
                                                  contacts=_half_hours(day, contacts, profile)))
    DailyForecast.objects.bulk_create(daily, batch_size=2000)
    IntervalForecast.objects.bulk_create(intervals, batch_size=1000)
    by_channel: dict[str, forecasting.Backtest] = {}
    for (_, channel), tested in backtests.items():
        if tested is not None:
            by_channel[channel] = by_channel[channel] + tested if channel in by_channel else tested
    ChannelBacktest.objects.bulk_create([
        ChannelBacktest(run=run, channel=channel, **tested.scores())
        for channel, tested in sorted(by_channel.items())])
    run.seconds = time.perf_counter() - started
    run.save(update_fields=["seconds"])
    audit_record(actor=None, action="forecast_made", target=run,
                 changes={"series": len(series), "history_to": str(run.history_to_date),
                          "seconds": round(run.seconds, 1)})
    return run
