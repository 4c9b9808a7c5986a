"""The working-day calendar (DOMAIN.md, "Complaints"): the one place that does working-day
arithmetic.

Working days are Monday to Friday except England and Wales bank holidays (the `holidays`
package, one-off days such as 19 September 2022 and 8 May 2023 included) and the closure days
a council adds in the admin. "N working days from D" is the Nth working day after D: D itself is
never counted.
"""

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays
from django.utils import timezone

from core.models import ClosureDay


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    # England and Wales share their bank holidays; subdiv must be named or GB gives only the
    # days common to all four nations.
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


class WorkingCalendar:
    """Bank holidays plus a fixed set of closure days; build one with `calendar()`."""

    def __init__(self, closure_days: Iterable[date] = ()):
        self._closures = frozenset(closure_days)

    def is_working_day(self, day: date) -> bool:
        return (
            day.weekday() < 5
            and day not in _bank_holidays(day.year)
            and day not in self._closures
        )

    def add_working_days(self, start: date, n: int) -> date:
        """The Nth working day after `start` (start not counted). N=0 gives `start`."""
        if n < 0:
            raise ValueError("n must not be negative")
        day = start
        while n:
            day += timedelta(days=1)
            if self.is_working_day(day):
                n -= 1
        return day

    def last_start_passed(self, today: date, n: int) -> date:
        """The latest day from which N working days have passed before `today`: a limit of N
        working days from any day up to this one ran out before today (the triage alerts).
        `add_working_days(start, n)` never moves back as `start` moves forward, so every earlier
        day's limit ran out too."""
        day = today - timedelta(days=1)
        while self.add_working_days(day, n) >= today:
            day -= timedelta(days=1)
        return day

    def subtract_working_days(self, end: date, n: int) -> date:
        """The Nth working day before `end` (end not counted): for reminders ahead of a deadline."""
        if n < 0:
            raise ValueError("n must not be negative")
        day = end
        while n:
            day -= timedelta(days=1)
            if self.is_working_day(day):
                n -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end`; negative when end < start.

        So `working_days_between(d, add_working_days(d, n)) == n`, and a deadline's "working days
        left" is `working_days_between(today, due_date)`.
        """
        if end < start:
            return -self.working_days_between(end, start)
        # Weekdays by arithmetic, then less the bank holidays and closure days that fall on a
        # weekday in the range: the same count as stepping a day at a time, in constant time
        # (the sweeps count it for hand-offs opened years ago).
        weeks, rest = divmod((end - start).days, 7)
        first = start.weekday()
        count = weeks * 5 + sum(1 for i in range(1, rest + 1) if (first + i) % 7 < 5)
        days_off = self._closures.union(*(_bank_holidays(year) for year in range(start.year, end.year + 1)))
        return count - sum(1 for day in days_off if start < day <= end and day.weekday() < 5)


def calendar() -> WorkingCalendar:
    """The council's calendar as it stands now (one small query for the closure days)."""
    return WorkingCalendar(ClosureDay.objects.values_list("date", flat=True))


def local_date(moment: datetime) -> date:
    """The Europe/London date of a moment: deadlines count from the council's calendar day."""
    return timezone.localtime(moment).date()


def add_working_days(start: date | datetime, n: int) -> date:
    if isinstance(start, datetime):
        start = local_date(start)
    return calendar().add_working_days(start, n)


def working_days_between(start: date, end: date) -> int:
    return calendar().working_days_between(start, end)


def is_working_day(day: date) -> bool:
    return calendar().is_working_day(day)
