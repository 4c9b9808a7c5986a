"""Daily demand forecasts for one service and channel, and how good they are (issue 22, item 2).

The model is a dynamic harmonic regression (Hyndman and Athanasopoulos, "Forecasting: Principles
and Practice", 3rd edition, section 12.1, "Complex seasonality", which fits it to call-centre
data): the log of each day's contacts regressed on a constant and a trend, the day of the week,
the time of year (a Fourier series, only with two years of history or more) and the working-day
calendar's bank holidays and other closures (the closed day itself, the first working day after
and the last before), with a first-order autoregression for what the calendar does not explain.
statsmodels builds the seasonal terms (DeterministicProcess, CalendarFourier) and fits and
forecasts it (AutoReg: least squares, so a series takes milliseconds).

A channel with (almost) no contacts on non-working days, such as the telephone and counters, is
fitted on working days only and forecast as none on the others. A series with less than six weeks
of history falls back to the average of the last four of each weekday.

The backtest holds back the last weeks of history, forecasts them from the weeks before, and
scores the forecast and the seasonal-naive forecast ("same day last week": the last week seen
repeated) on the same days, by MAPE (the mean absolute percentage error over the days with
contacts) and MASE (the mean absolute error over the mean absolute error of the same-day-last-
week forecast within the history used; Hyndman and Koehler, 2006). A MASE below 1 beats
"same day last week" as it did in the past; the seasonal-naive forecast's own MASE over the
held-back weeks says how it fared there.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
from statsmodels.tsa.ar_model import AutoReg
from statsmodels.tsa.deterministic import CalendarFourier, DeterministicProcess

YEARLY_ORDER = 8  # sine and cosine pairs for the time of year
YEARLY_MIN_DAYS = 730  # the time of year needs two years of history to be told from the trend
MIN_REGRESSION_DAYS = 42  # fewer days of history (open days, for a working-days channel): averages
WORKING_DAYS_ONLY_SHARE = 0.01  # at most this share of contacts on non-working days: closed then
SEASON = 7


@dataclass(frozen=True)
class Days:
    """Everything the model knows about each day from `start`: the calendar and the regressors."""

    start: date
    weekday: np.ndarray  # 0 Monday .. 6 Sunday
    working: np.ndarray  # bool: a working day (Monday to Friday, not a bank holiday or closure)
    design: np.ndarray  # one row per day: the regressors
    yearly: np.ndarray  # bool per column: the time-of-year terms

    def __len__(self) -> int:
        return len(self.working)

    def index(self, day: date) -> int:
        return (day - self.start).days

    def date(self, index: int) -> date:
        return self.start + timedelta(days=int(index))


def calendar_days(is_working_day, start: date, end: date) -> Days:
    """The days from `start` to `end` with their regressors; `is_working_day` is the council's
    working-day calendar (core.working_days)."""
    dates = pd.date_range(start, end, freq="D")
    n = len(dates)
    weekday = dates.day_of_week.to_numpy()
    working = np.array([is_working_day(day.date()) for day in dates], dtype=bool)
    closure = (weekday < 5) & ~working  # a bank holiday or a closure day on a weekday
    after = np.zeros(n, dtype=bool)
    before = np.zeros(n, dtype=bool)
    last_weekday_closed = False
    for i in range(n):  # the first working day after a closure (weekends in between)
        if working[i]:
            after[i] = last_weekday_closed
            last_weekday_closed = False
        elif closure[i]:
            last_weekday_closed = True
    next_weekday_closed = False
    for i in range(n - 1, -1, -1):  # the last working day before one
        if working[i]:
            before[i] = next_weekday_closed
            next_weekday_closed = False
        elif closure[i]:
            next_weekday_closed = True
    process = DeterministicProcess(dates, constant=True, order=1, seasonal=True, period=SEASON,
                                   additional_terms=[CalendarFourier("YE", YEARLY_ORDER)])
    terms = process.in_sample()
    design = np.column_stack([terms.to_numpy(dtype=float), closure, after, before]).astype(float)
    design[:, list(terms.columns).index("trend")] /= 365.25  # the trend in years
    yearly = np.array([name.startswith(("sin(", "cos(")) for name in terms.columns] + [False] * 3)
    return Days(start=dates[0].date(), weekday=weekday, working=working, design=design, yearly=yearly)


@dataclass(frozen=True)
class Forecast:
    values: np.ndarray  # contacts a day
    method: str  # "regression", "weekday_average" or "none"
    working_days_only: bool


def forecast(counts: np.ndarray, first: int, end: int, horizon: int, days: Days) -> Forecast:
    """Forecast days end .. end + horizon - 1 from counts[first:end] (contacts per day, indexed
    like `days`)."""
    history = counts[first:end]
    total = float(history.sum())
    if total <= 0 or end <= first:
        return Forecast(np.zeros(horizon), "none", False)
    open_history = days.working[first:end]
    working_days_only = float(history[~open_history].sum()) <= WORKING_DAYS_ONLY_SHARE * total
    values = _regression(counts, first, end, horizon, days, working_days_only)
    if values is not None:
        return Forecast(values, "regression", working_days_only)
    return Forecast(weekday_average(counts, first, end, horizon, days, working_days_only),
                    "weekday_average", working_days_only)


def _regression(counts, first, end, horizon, days, working_days_only) -> np.ndarray | None:
    rows = np.arange(first, end)
    future = np.arange(end, end + horizon)
    if working_days_only:
        rows, future = rows[days.working[rows]], future[days.working[future]]
    if len(rows) < MIN_REGRESSION_DAYS:
        return None
    known = days.design[rows]
    keep = np.ptp(known, axis=0) > 0
    keep[0] = True  # the constant
    if end - first < YEARLY_MIN_DAYS:
        keep &= ~days.yearly
    y = np.log1p(counts[rows].astype(float))
    out = np.zeros(horizon)
    if not len(future):
        return out
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fitted = AutoReg(y, lags=1, trend="n", exog=known[:, keep]).fit()
            ahead = fitted.predict(start=len(rows), end=len(rows) + len(future) - 1,
                                   exog_oos=days.design[future][:, keep])
    except (np.linalg.LinAlgError, ValueError):
        return None
    # Back from logs: the mean, not the median, of a log-normal error (plans add contacts up).
    values = np.expm1(np.asarray(ahead) + fitted.sigma2 / 2)
    highest = float(counts[rows].max())
    if not np.all(np.isfinite(values)) or values.max(initial=0) > 5 * highest + 10:
        return None  # a fit that runs away: the averages are safer
    out[future - end] = np.clip(values, 0, None)
    return out


def weekday_average(counts, first, end, horizon, days: Days, working_days_only: bool) -> np.ndarray:
    """Each future day: the average of the last four of its weekday in the history (open days
    only, for a working-days channel), or of every day when there are none."""
    history = np.arange(first, end)
    if working_days_only:
        history = history[days.working[history]]
    overall = float(counts[history].mean()) if len(history) else 0.0
    by_weekday = {}
    for weekday in range(7):
        same = history[days.weekday[history] == weekday][-4:]
        by_weekday[weekday] = float(np.mean(counts[same])) if len(same) else overall
    out = np.zeros(horizon)
    for h in range(horizon):
        i = end + h
        if working_days_only and not days.working[i]:
            continue
        out[h] = by_weekday[int(days.weekday[i])]
    return out


def seasonal_naive(counts: np.ndarray, end: int, horizon: int) -> np.ndarray:
    """"Same day last week": the last week before `end`, repeated."""
    if end < SEASON:
        return np.zeros(horizon)
    return np.array([counts[end - SEASON + h % SEASON] for h in range(horizon)], dtype=float)


def mape(actual: np.ndarray, predicted: np.ndarray) -> float | None:
    """Mean absolute percentage error over the days with contacts (a day with none has no
    percentage), in per cent."""
    some = actual > 0
    if not some.any():
        return None
    return float(100 * np.mean(np.abs(actual[some] - predicted[some]) / actual[some]))


def mase(actual: np.ndarray, predicted: np.ndarray, history: np.ndarray) -> float | None:
    """Mean absolute scaled error: the mean absolute error over that of "same day last week"
    within `history`."""
    if len(history) <= SEASON:
        return None
    scale = float(np.mean(np.abs(history[SEASON:] - history[:-SEASON])))
    if scale == 0 or math.isnan(scale):
        return None
    return float(np.mean(np.abs(actual - predicted)) / scale)


@dataclass(frozen=True)
class Backtest:
    """The held-back days of one series (or of several added up): what came, what the model and
    "same day last week" said, and the history before them."""

    actual: np.ndarray
    predicted: np.ndarray
    naive: np.ndarray
    history: np.ndarray

    def __add__(self, other: Backtest) -> Backtest:
        width = max(len(self.history), len(other.history))
        return Backtest(self.actual + other.actual, self.predicted + other.predicted,
                        self.naive + other.naive, _pad(self.history, width) + _pad(other.history, width))

    def scores(self) -> dict:
        return {"contacts": int(round(self.actual.sum())),
                "mape": mape(self.actual, self.predicted),
                "mase": mase(self.actual, self.predicted, self.history),
                "naive_mape": mape(self.actual, self.naive),
                "naive_mase": mase(self.actual, self.naive, self.history)}


def _pad(values: np.ndarray, width: int) -> np.ndarray:
    """Right-aligned to `width` days (a series with a shorter history had no contacts before)."""
    return np.concatenate([np.zeros(width - len(values)), values])


def backtest(counts: np.ndarray, first: int, end: int, held_back: int, days: Days) -> Backtest | None:
    """Forecast the last `held_back` days before `end` from the days before them."""
    cut = end - held_back
    if cut - first < 2 * SEASON:
        return None
    predicted = forecast(counts, first, cut, held_back, days).values
    return Backtest(actual=counts[cut:end].astype(float), predicted=predicted,
                    naive=seasonal_naive(counts, cut, held_back), history=counts[first:cut].astype(float))


def backtest_days(history_days: int, wanted: int) -> int:
    """How many days to hold back: `wanted`, or whole weeks of a third of a short history."""
    return min(wanted, max(SEASON, history_days // 3 // SEASON * SEASON))
