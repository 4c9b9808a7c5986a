"""The daily forecast and its backtest on series with a known pattern (issue 22, item 2): it must
beat "same day last week", follow the working-day calendar's bank holidays and fall back to
averages when there is little history."""

from datetime import date

import numpy as np
import pytest

from core.working_days import WorkingCalendar
from planning import forecasting

CALENDAR = WorkingCalendar()  # England and Wales bank holidays, no closure days
START, END = date(2023, 1, 2), date(2026, 2, 28)  # END: the last day of history


@pytest.fixture(scope="module")
def days():
    return forecasting.calendar_days(CALENDAR.is_working_day, START, END + np.timedelta64(56, "D").item())


def _telephone(days, level=120.0, seed=1):
    """Calls a day with a known weekly pattern (Monday 1.35 .. Friday 0.85, closed at weekends and
    on bank holidays), a catch-up after bank holidays, a time of year, and Poisson noise."""
    rng = np.random.default_rng(seed)
    weekly = np.array([1.35, 1.08, 1.0, 0.97, 0.85, 0, 0])
    out = np.zeros(len(days))
    for i in range(len(days)):
        day = days.date(i)
        if not days.working[i]:
            continue
        season = 1 + 0.1 * np.cos(2 * np.pi * day.timetuple().tm_yday / 365.25)
        mean = level * weekly[day.weekday()] * season
        if days.design[i, -2]:  # the first working day after a bank holiday
            mean *= 1.4
        out[i] = rng.poisson(mean)
    return out


def test_the_backtest_on_a_known_weekly_pattern_beats_same_day_last_week(days):
    counts = _telephone(days)
    end = days.index(END) + 1
    result = forecasting.backtest(counts, 0, end, 56, days)
    scores = result.scores()
    assert scores["mase"] < 0.8 * scores["naive_mase"], scores
    assert scores["mape"] < scores["naive_mape"], scores
    assert scores["contacts"] == int(counts[end - 56:end].sum())


def test_the_telephone_is_forecast_closed_at_weekends_and_on_bank_holidays(days):
    counts = _telephone(days)
    end = days.index(END) + 1
    made = forecasting.forecast(counts, 0, end, 56, days)
    assert made.method == "regression" and made.working_days_only
    by_day = {days.date(end + h): made.values[h] for h in range(56)}
    good_friday, easter_monday = date(2026, 4, 3), date(2026, 4, 6)
    assert by_day[good_friday] == 0 and by_day[easter_monday] == 0 and by_day[date(2026, 3, 7)] == 0
    # The Tuesday after Easter catches up, like every first working day after a bank holiday.
    ordinary_tuesdays = [by_day[date(2026, 3, 17)], by_day[date(2026, 3, 24)]]
    assert by_day[date(2026, 4, 7)] > 1.25 * max(ordinary_tuesdays)
    # Mondays busier than Fridays, close to the pattern's 1.35 : 0.85.
    assert 1.4 < by_day[date(2026, 3, 16)] / by_day[date(2026, 3, 20)] < 1.8


def test_a_channel_open_every_day_is_forecast_every_day(days):
    rng = np.random.default_rng(4)
    weekly = np.array([1.2, 1.1, 1.0, 1.0, 0.9, 0.45, 0.5])
    counts = np.array([rng.poisson(60 * weekly[days.date(i).weekday()]) for i in range(len(days))], float)
    end = days.index(END) + 1
    made = forecasting.forecast(counts, 0, end, 14, days)
    assert not made.working_days_only and made.values.min() > 15
    saturday, wednesday = days.index(date(2026, 3, 7)) - end, days.index(date(2026, 3, 4)) - end
    assert made.values[saturday] < 0.6 * made.values[wednesday]


def test_little_history_falls_back_to_weekday_averages(days):
    counts = np.zeros(len(days))
    end = days.index(END) + 1
    for i in range(end - 21, end):  # three weeks of history: 10 on Mondays, 4 on other weekdays
        if days.working[i]:
            counts[i] = 10 if days.date(i).weekday() == 0 else 4
    made = forecasting.forecast(counts, end - 21, end, 14, days)
    assert made.method == "weekday_average" and made.working_days_only
    monday = days.index(date(2026, 3, 2)) - end
    assert made.values[monday] == 10 and made.values[monday + 1] == 4 and made.values[monday + 5] == 0


def test_no_history_forecasts_nothing(days):
    made = forecasting.forecast(np.zeros(len(days)), 0, 100, 14, days)
    assert made.method == "none" and not made.values.any()


def test_errors_are_the_textbook_definitions():
    actual = np.array([10.0, 0.0, 20.0, 10.0])
    predicted = np.array([12.0, 1.0, 15.0, 10.0])
    # MAPE over the days with contacts: (2/10 + 5/20 + 0/10) / 3.
    assert forecasting.mape(actual, predicted) == pytest.approx(100 * (0.2 + 0.25 + 0) / 3)
    history = np.array([5, 5, 5, 5, 5, 5, 5, 7, 3, 5, 5, 5, 5, 5], float)
    # MASE: mean |error| 2.0 over the history's mean |y(t) - y(t-7)| = (2 + 2) / 7.
    assert forecasting.mase(actual, predicted, history) == pytest.approx(2.0 / (4 / 7))
    assert forecasting.mape(np.zeros(3), predicted[:3]) is None
    assert forecasting.mase(actual, predicted, np.full(10, 5.0)) is None  # no scale


def test_seasonal_naive_repeats_the_last_week():
    counts = np.arange(1, 22, dtype=float)  # days 1..21
    assert list(forecasting.seasonal_naive(counts, 21, 9)) == [15, 16, 17, 18, 19, 20, 21, 15, 16]
