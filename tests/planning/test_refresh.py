"""The nightly forecast against the real database (issue 22, item 2): made from generated contacts
with a known weekly pattern, stored by day and by half hour, backtested against "same day last
week", remade when new contacts arrive, and run by the Celery task."""

from datetime import date, timedelta
from io import StringIO

import numpy as np
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db.models import Sum

from config.celery import app
from contacts.models import Contact
from core.models import AuditEvent, ChannelCode, Service
from planning import selectors, staffing
from planning.models import ChannelBacktest, DailyForecast, ForecastRun, ForecastSeries, IntervalForecast
from planning.services import forecasts_refresh
from planning.tasks import refresh_forecasts

pytestmark = pytest.mark.django_db

TELEPHONE, WEB = ChannelCode.TELEPHONE, ChannelCode.WEB


def _daily(channel, day, service=None) -> float:
    rows = DailyForecast.objects.filter(series__channel=channel, forecast_date=day)
    if service is not None:
        rows = rows.filter(series__service=service)
    return rows.aggregate(total=Sum("contacts"))["total"] or 0.0


def test_the_backtest_on_generated_data_with_a_known_weekly_pattern_beats_same_day_last_week(generated_busy):
    result = forecasts_refresh()
    assert result["made"] and result["series"] == ForecastSeries.objects.count()
    run = ForecastRun.objects.get()
    # The last 8 weeks of history were held back and forecast from the weeks before them.
    assert (run.backtest_from_date, run.backtest_to_date) == (date(2025, 10, 6), date(2025, 11, 30))
    scored = {row.channel: row for row in ChannelBacktest.objects.filter(run=run)}
    assert set(scored) == set(ChannelCode.values)
    for channel in (TELEPHONE, ChannelCode.FACE_TO_FACE, WEB, ChannelCode.EMAIL):
        row = scored[channel]
        assert row.mase < row.naive_mase, (channel, row.mase, row.naive_mase)
        assert row.mape < row.naive_mape, (channel, row.mape, row.naive_mape)
    # The contacts it was scored on are the contacts received on those days.
    held_back = Contact.objects.filter(channel=TELEPHONE, received_date__gte=run.backtest_from_date,
                                       received_date__lte=run.backtest_to_date).count()
    assert scored[TELEPHONE].contacts == held_back
    # The known weekly pattern (contacts.demo_arrivals: telephone Monday 1.35, Friday 0.85) is
    # forecast: Mondays busier than Fridays by about that ratio, nothing at weekends.
    monday, friday, saturday = date(2025, 12, 8), date(2025, 12, 12), date(2025, 12, 13)
    assert 1.3 < _daily(TELEPHONE, monday) / _daily(TELEPHONE, friday) < 1.9
    assert _daily(TELEPHONE, saturday) == 0 and _daily(WEB, saturday) > 0


def test_the_forecast_is_stored_by_day_for_8_weeks_and_by_half_hour_for_2(generated):
    forecasts_refresh()
    run = ForecastRun.objects.get()
    assert (run.first_date, run.daily_to_date, run.interval_to_date) == (
        date(2025, 12, 1), date(2026, 1, 25), date(2025, 12, 14))
    series = ForecastSeries.objects.filter(run=run)
    # Every service and channel with contacts in the history, each with 56 days.
    with_contacts = set(Contact.objects.values_list("service_id", "channel").distinct())
    assert set(series.values_list("service_id", "channel")) == with_contacts
    assert DailyForecast.objects.filter(series__run=run).count() == 56 * series.count()
    # Bank holidays: no calls forecast on Christmas Day, Boxing Day or New Year's Day 2026,
    # and more than an ordinary Friday on Friday 2 January, the first working day after.
    for closed in (date(2025, 12, 25), date(2025, 12, 26), date(2026, 1, 1)):
        assert _daily(TELEPHONE, closed) == 0
    assert _daily(TELEPHONE, date(2026, 1, 2)) > _daily(TELEPHONE, date(2026, 1, 16))
    # By half hour: the first 2 weeks, each day's half hours adding up to its daily figure, the
    # telephone only in its opening hours (08:30 to 17:00 in the history).
    intervals = IntervalForecast.objects.filter(series__run=run).select_related("series")
    assert {i.forecast_date for i in intervals} <= {date(2025, 12, 1) + timedelta(days=d) for d in range(14)}
    daily = {(d.series_id, d.forecast_date): d.contacts
             for d in DailyForecast.objects.filter(series__run=run)}
    for interval in intervals:
        assert len(interval.contacts) == 48
        that_day = daily[interval.series_id, interval.forecast_date]
        assert sum(interval.contacts) == pytest.approx(that_day, abs=0.01)
        if interval.series.channel == TELEPHONE:
            open_slots = [slot for slot, contacts in enumerate(interval.contacts) if contacts]
            assert open_slots and min(open_slots) >= 17 and max(open_slots) <= 33
    # The Monday-morning peak: 09:00-09:30 a larger share of Monday's calls than of Wednesday's.
    def share_at_nine(day):
        rows = [i.contacts for i in intervals if i.series.channel == TELEPHONE and i.forecast_date == day]
        return sum(r[18] for r in rows) / sum(sum(r) for r in rows)
    assert share_at_nine(date(2025, 12, 8)) > 1.15 * share_at_nine(date(2025, 12, 10))  # 1.39 in the pattern
    # Handling times: the average of the recorded ones since the profile window opened.
    waste = Service.objects.get(code="waste")
    recorded = Contact.objects.filter(service=waste, channel=TELEPHONE, handling_time_seconds__isnull=False,
                                      received_date__gte=run.profile_from_date)
    expected = sum(recorded.values_list("handling_time_seconds", flat=True)) / recorded.count()
    stored = ForecastSeries.objects.get(run=run, service=waste, channel=TELEPHONE)
    assert stored.handling_time_seconds == pytest.approx(expected)
    assert stored.handling_time_contacts == recorded.count()
    assert AuditEvent.objects.filter(action="forecast_made", object_id=str(run.pk)).exists()


def test_forecasts_and_staffing_recompute_after_new_contacts_arrive(generated):
    waste = Service.objects.get(code="waste")
    forecasts_refresh()
    monday = date(2025, 12, 8)
    before = _daily(TELEPHONE, monday, waste)
    run = ForecastRun.objects.get()
    targets = staffing.Targets(0.8, 20, 0.85, 0.3)
    hours_before = staffing.plan(selectors.interval_forecast(run, channels=[TELEPHONE], service=waste),
                                 TELEPHONE, targets).staff_hours
    assert forecasts_refresh() == {"made": False, "series": ForecastSeries.objects.count()}  # nothing new

    # The telephony system posts a late batch: 60 more waste calls on each Monday since June.
    template = Contact.objects.filter(service=waste, channel=TELEPHONE).first()
    added = []
    day = date(2025, 6, 2)
    while day < date(2025, 12, 1):
        for minute in range(60):
            received = template.received_at.replace(year=day.year, month=day.month, day=day.day,
                                                    hour=9, minute=minute)
            added.append(Contact(channel=TELEPHONE, service=waste, enquiry_type=template.enquiry_type,
                                 received_at=received, received_date=day, summary="Late batch",
                                 handling_time_seconds=200, created_at=received, source="import",
                                 enquiry_closed_at=received))
        day += timedelta(days=7)
    Contact.objects.bulk_create(added)

    result = forecasts_refresh()
    assert result["made"]
    assert ForecastRun.objects.count() == 1  # the day's forecast replaced, not doubled
    after = _daily(TELEPHONE, monday, waste)
    assert after > 2 * before, (before, after)
    run = ForecastRun.objects.get()
    hours_after = staffing.plan(selectors.interval_forecast(run, channels=[TELEPHONE], service=waste),
                                TELEPHONE, targets).staff_hours
    assert hours_after > hours_before


def test_the_nightly_task_is_scheduled_and_runs_against_the_database(generated):
    entry = settings.CELERY_BEAT_SCHEDULE["planning-refresh-forecasts"]
    assert entry["task"] == "planning.refresh_forecasts"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({1}, {30})
    assert app.tasks["planning.refresh_forecasts"].name == refresh_forecasts.name
    first = app.tasks["planning.refresh_forecasts"].apply().get()
    again = refresh_forecasts.apply().get()
    assert first["made"] and not again["made"]
    assert ForecastRun.objects.count() == 1 and DailyForecast.objects.exists()


def test_runs_older_than_two_weeks_are_deleted(generated):
    forecasts_refresh(today=date(2025, 11, 10))
    forecasts_refresh(today=date(2025, 11, 20))
    forecasts_refresh()
    kept = ForecastRun.objects.order_by("history_to_date").values_list("history_to_date", flat=True)
    assert list(kept) == [date(2025, 11, 19), date(2025, 11, 30)]
    assert selectors.latest_run().history_to_date == date(2025, 11, 30)


def test_no_contacts_make_an_empty_forecast_and_little_history_the_weekday_averages(db, on_1_december_2025):
    assert forecasts_refresh()["series"] == 0
    call_command("seed_demo", "--days", "10", stdout=StringIO())  # ten days of demo contacts
    forecasts_refresh()
    methods = set(ForecastSeries.objects.filter(run=selectors.latest_run()).values_list("method", flat=True))
    assert methods == {ForecastSeries.Method.WEEKDAY_AVERAGE}
    assert ChannelBacktest.objects.filter(run=selectors.latest_run()).count() == 0  # too little to test


def test_the_refresh_command_reports_what_it_did(generated):
    out = StringIO()
    call_command("refresh_forecasts", stdout=out)
    call_command("refresh_forecasts", stdout=out)
    call_command("refresh_forecasts", "--force", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith(f"Forecast made: {ForecastSeries.objects.count()} services and channels")
    assert lines[1].startswith("Forecast already made from this history")
    assert lines[2].startswith("Forecast made")
    assert np.isfinite(ForecastRun.objects.get().seconds)


def test_the_half_hour_the_clocks_skip_gets_no_contacts():
    from planning.services import _half_hours

    flat = np.full(48, 1 / 48)
    spring = _half_hours(date(2026, 3, 29), 96.0, flat)  # 01:00 to 02:00 does not happen
    assert spring[2] == spring[3] == 0 and sum(spring) == pytest.approx(96.0, abs=0.01)
    assert _half_hours(date(2026, 3, 30), 96.0, flat) == [2.0] * 48
