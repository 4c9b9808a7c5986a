"""When demo and generated contacts arrive, and how long they take (issue 22, item 1).

Shared by `manage.py seed_demo` (contacts.demo) and `manage.py generate_data`, so that the
contact-centre planning pages have history with the shape real councils see:

- by day: Mondays busiest, Fridays quietest; the telephone, counters, letters and partner
  systems only on working days, the web, email and social media every day (less at weekends and
  on bank holidays); a catch-up on the first working day after a bank holiday; quiet days between
  Christmas and New Year; a slow shift from the counter and the telephone to the web;
- after bills and letters go out: Council Tax annual bills in early March and the monthly
  reminders on the 10th, benefit uprating letters in April, missed bins after the Christmas
  collection changes;
- by half hour: the telephone peaks first thing in the morning, most of all on Mondays (and the
  day after a bank holiday); counters at lunchtime; the web and social media in the evening;
- handling time, for the telephone and face to face only (the channels that record it):
  log-normal around a median per service, a face-to-face visit about 1.8 times a call.

Everything here is a pure function of the date (and a random generator for the handling times),
so the same seed still gives the same data.
"""

import math
from datetime import date, timedelta

from core.models import ChannelCode

SLOTS = 48  # half hours in a day, by the wall clock in Europe/London
SLOT_SECONDS = 1800

# Channels that only take contacts on working days (the contact centre, counters, post room and
# partner systems); the others arrive every day.
WORKING_DAY_CHANNELS = frozenset({ChannelCode.TELEPHONE, ChannelCode.FACE_TO_FACE, ChannelCode.LETTER,
                                  ChannelCode.PARTNER})

# Day of the week (Monday first, then Saturday, Sunday) and bank holidays, per channel.
_WEEKDAY = {
    ChannelCode.TELEPHONE: (1.35, 1.08, 1.0, 0.97, 0.85, 0.0, 0.0),
    ChannelCode.FACE_TO_FACE: (1.2, 1.05, 0.92, 1.0, 0.95, 0.0, 0.0),
    ChannelCode.LETTER: (1.3, 1.0, 0.95, 0.95, 0.9, 0.0, 0.0),
    ChannelCode.PARTNER: (1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0),
    ChannelCode.WEB: (1.2, 1.1, 1.05, 1.0, 0.9, 0.45, 0.5),
    ChannelCode.EMAIL: (1.25, 1.05, 1.0, 1.0, 0.9, 0.3, 0.35),
    ChannelCode.SOCIAL_MEDIA: (1.1, 1.0, 1.0, 1.0, 1.0, 0.7, 0.75),
}
_BANK_HOLIDAY = {ChannelCode.WEB: 0.5, ChannelCode.EMAIL: 0.35, ChannelCode.SOCIAL_MEDIA: 0.75}
# The first working day after a bank holiday (or another weekday closure) catches up.
_AFTER_CLOSURE = {ChannelCode.TELEPHONE: 1.4, ChannelCode.FACE_TO_FACE: 1.3, ChannelCode.LETTER: 1.5,
                  ChannelCode.WEB: 1.15, ChannelCode.EMAIL: 1.2}
# Channel shift: the share of each channel grows (or shrinks) by this much a year.
_GROWTH_A_YEAR = {ChannelCode.TELEPHONE: -0.04, ChannelCode.FACE_TO_FACE: -0.08, ChannelCode.WEB: 0.12,
                  ChannelCode.LETTER: -0.10, ChannelCode.SOCIAL_MEDIA: 0.08, ChannelCode.PARTNER: 0.05}

# Half-hour profiles (relative weights from 00:00 to 23:30), for an ordinary day and for a
# Monday morning (or the first working day after a bank holiday), and weekends for the channels
# open then.


def _profile(points: dict[float, float]) -> tuple[float, ...]:
    """Weights per half hour from {hour: weight} corners (linear in between, 0 outside)."""
    hours = sorted(points)
    weights = []
    for slot in range(SLOTS):
        hour = slot / 2
        if hour < hours[0] or hour >= hours[-1]:
            weights.append(0.0)
            continue
        after = next(h for h in hours if h > hour)
        before = max(h for h in hours if h <= hour)
        share = (hour - before) / (after - before)
        weights.append(points[before] + share * (points[after] - points[before]))
    return tuple(weights)


_TELEPHONE = _profile({8.5: 1.0, 9: 1.5, 10: 1.5, 11: 1.2, 12: 1.0, 13: 1.0, 14: 1.1, 15: 0.9,
                       16: 0.7, 16.5: 0.5, 17: 0.5})
_TELEPHONE_MONDAY = _profile({8.5: 1.5, 9: 2.6, 10: 2.4, 11: 1.6, 12: 1.1, 13: 1.0, 14: 1.0,
                              15: 0.85, 16: 0.65, 16.5: 0.5, 17: 0.5})
_COUNTER = _profile({9: 0.7, 10: 0.9, 11: 1.2, 12: 1.5, 13.5: 1.5, 14: 1.1, 15: 0.8, 16: 0.5,
                     16.5: 0.5})
_COUNTER_MONDAY = _profile({9: 1.3, 10: 1.4, 11: 1.3, 12: 1.5, 13.5: 1.4, 14: 1.0, 15: 0.75,
                            16: 0.5, 16.5: 0.5})
_OFFICE = _profile({8: 0.6, 9: 1.2, 12: 1.0, 13: 0.9, 16: 1.0, 17: 0.6, 17.5: 0.4})
_POST_ROOM = _profile({9: 2.0, 10: 2.5, 11: 1.5, 12: 0.6, 14: 0.4, 16: 0.3, 16.5: 0.3})
_ONLINE = _profile({0: 0.3, 1: 0.15, 5: 0.1, 7: 0.5, 9: 1.0, 12: 1.1, 14: 1.0, 17: 1.0, 19: 1.4,
                    21: 1.5, 22: 1.0, 23: 0.6, 24: 0.4})
_ONLINE_WEEKEND = _profile({0: 0.4, 2: 0.15, 7: 0.2, 9: 0.8, 11: 1.2, 14: 1.1, 17: 1.0, 20: 1.3,
                            22: 1.0, 24: 0.5})
_EMAIL = _profile({0: 0.1, 6: 0.1, 7: 0.4, 8: 1.0, 9: 1.4, 12: 1.2, 13: 1.1, 16: 1.2, 17: 0.8,
                   19: 0.5, 22: 0.3, 24: 0.15})

_PROFILES = {
    ChannelCode.TELEPHONE: (_TELEPHONE, _TELEPHONE_MONDAY, _TELEPHONE),
    ChannelCode.FACE_TO_FACE: (_COUNTER, _COUNTER_MONDAY, _COUNTER),
    ChannelCode.LETTER: (_POST_ROOM, _POST_ROOM, _POST_ROOM),
    ChannelCode.PARTNER: (_OFFICE, _OFFICE, _OFFICE),
    ChannelCode.WEB: (_ONLINE, _ONLINE, _ONLINE_WEEKEND),
    ChannelCode.EMAIL: (_EMAIL, _EMAIL, _ONLINE_WEEKEND),
    ChannelCode.SOCIAL_MEDIA: (_ONLINE, _ONLINE, _ONLINE_WEEKEND),
}

# Median handling time of a telephone call per service, in seconds (a counter visit takes
# FACE_TO_FACE_FACTOR times as long); the spread is log-normal.
HANDLING_MEDIAN_SECONDS = {
    "council-tax": 300, "benefits": 450, "waste": 170, "housing": 420, "adult-social-care": 540,
    "registrars": 260, "planning": 330, "highways": 210, "parking": 240,
    "environmental-health": 280,
}
HANDLING_DEFAULT_SECONDS = 280
HANDLING_SPREAD = 0.45  # sigma of the log of the handling time
FACE_TO_FACE_FACTOR = 1.8
HANDLED_CHANNELS = (ChannelCode.TELEPHONE, ChannelCode.FACE_TO_FACE)


def handling_median(service_code: str, channel: str) -> float:
    seconds = HANDLING_MEDIAN_SECONDS.get(service_code, HANDLING_DEFAULT_SECONDS)
    return seconds * (FACE_TO_FACE_FACTOR if channel == ChannelCode.FACE_TO_FACE else 1)


def handling_time(rng, service_code: str, channel: str) -> int | None:
    """A contact's handling time in seconds, or None for a channel that records none."""
    if channel not in HANDLED_CHANNELS:
        return None
    seconds = rng.lognormvariate(math.log(handling_median(service_code, channel)), HANDLING_SPREAD)
    return max(20, min(int(seconds), 4 * 3600))


class DayShape:
    """Demand on each day of a period, from the working-day calendar (`cal`)."""

    def __init__(self, cal, end: date):
        self.cal, self.end = cal, end
        self._open: dict[date, bool] = {}

    def is_open(self, day: date) -> bool:
        if day not in self._open:
            self._open[day] = self.cal.is_working_day(day)
        return self._open[day]

    def is_closure(self, day: date) -> bool:
        """A weekday the council is closed: a bank holiday or an added closure day."""
        return day.weekday() < 5 and not self.is_open(day)

    def after_closure(self, day: date) -> bool:
        """The first working day after a weekday closure (the Tuesday after Easter Monday)."""
        if not self.is_open(day):
            return False
        before = day - timedelta(days=1)
        while before.weekday() >= 5:
            before -= timedelta(days=1)
        return self.is_closure(before)

    def kind(self, day: date) -> int:
        """Which half-hour profile applies: 0 an ordinary day, 1 a Monday (or the first working
        day after a bank holiday), 2 a weekend or bank holiday."""
        if not self.is_open(day):
            return 2
        return 1 if day.weekday() == 0 or self.after_closure(day) else 0

    def channel_weight(self, day: date, channel: str) -> float:
        """Relative demand on `day` through `channel` (0 when that channel is closed)."""
        if channel in WORKING_DAY_CHANNELS and not self.is_open(day):
            return 0.0
        weight = (_BANK_HOLIDAY.get(channel, 0.0) if self.is_closure(day)
                  else _WEEKDAY[channel][day.weekday()])
        if self.after_closure(day):
            weight *= _AFTER_CLOSURE.get(channel, 1.0)
        years_back = (self.end - day).days / 365.25
        weight *= (1 + _GROWTH_A_YEAR.get(channel, 0.0)) ** -years_back
        return weight * season(day)

    def profile(self, day: date, channel: str) -> tuple[float, ...]:
        return _PROFILES[channel][self.kind(day)]


def season(day: date) -> float:
    """The time of year: busier in January, quieter in high summer and between Christmas and New
    Year."""
    if (day.month == 12 and day.day >= 24) or (day.month == 1 and day.day == 1):
        return 0.65
    return 1 + 0.1 * math.cos(2 * math.pi * (day.timetuple().tm_yday - 15) / 365.25)


def service_factor(service_code: str, day: date) -> float:
    """How much busier a service is on `day` after its bills and letters went out (1 = usual)."""
    if service_code == "council-tax":
        annual_bills = (day - date(day.year, 3, 8)).days
        factor = 1 + (1.5 * math.exp(-annual_bills / 7) if 0 <= annual_bills <= 35 else 0)
        if 11 <= day.day <= 16:  # the monthly reminders went out on the 10th
            factor *= 1.2
        return factor
    if service_code == "benefits":
        uprating = (day - date(day.year, 4, 1)).days
        return 1 + (0.8 * math.exp(-uprating / 10) if 0 <= uprating <= 30 else 0)
    if service_code == "waste" and day.month == 1 and day.day <= 14:
        return 1.5  # missed bins after the Christmas collection changes
    return 1.0


def slot_cumulative(profile: tuple[float, ...]) -> list[float]:
    """Cumulative weights of a profile, for `random.choices(range(SLOTS), cum_weights=...)`."""
    total, out = 0.0, []
    for weight in profile:
        total += weight
        out.append(total)
    return out
