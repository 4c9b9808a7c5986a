"""The working-day calendar against real England and Wales bank holidays (DOMAIN.md)."""

from datetime import date

import pytest

from core.models import ClosureDay
from core.working_days import WorkingCalendar, add_working_days, working_days_between

CAL = WorkingCalendar()


@pytest.mark.parametrize(
    ("start", "n", "expected", "why"),
    [
        (date(2026, 11, 23), 0, date(2026, 11, 23), "zero days is the day itself"),
        (date(2026, 11, 23), 1, date(2026, 11, 24), "the start day is not counted"),
        (date(2026, 11, 20), 1, date(2026, 11, 23), "Friday + 1 skips the weekend"),
        (date(2026, 11, 21), 1, date(2026, 11, 23), "a Saturday start counts from Monday"),
        (date(2026, 11, 23), 5, date(2026, 11, 30), "five working days is a calendar week"),
        # Christmas 2026: Friday 25th, Saturday 26th with Boxing Day substitute Monday 28th.
        (date(2026, 12, 24), 1, date(2026, 12, 29), "Christmas and the substitute Boxing Day"),
        (date(2026, 12, 23), 5, date(2027, 1, 4), "five working days over Christmas and New Year"),
        # Christmas 2027: Saturday and Sunday, substitutes Monday 27th and Tuesday 28th.
        (date(2027, 12, 24), 1, date(2027, 12, 29), "both Christmas substitute days in 2027"),
        # Easter 2026: Good Friday 3 April, Easter Monday 6 April.
        (date(2026, 4, 2), 1, date(2026, 4, 7), "Good Friday and Easter Monday"),
        (date(2026, 3, 30), 10, date(2026, 4, 15), "ten working days across Easter"),
        # 2020: the early May bank holiday moved to Friday 8 May for VE Day.
        (date(2020, 5, 7), 1, date(2020, 5, 11), "VE Day 75, Friday 8 May 2020"),
        (date(2020, 5, 1), 5, date(2020, 5, 11), "2020: 4 May was a working day"),
        # Platinum Jubilee: Thursday 2 and Friday 3 June 2022.
        (date(2022, 6, 1), 1, date(2022, 6, 6), "Platinum Jubilee, 2 and 3 June 2022"),
        # The State Funeral of Queen Elizabeth II, Monday 19 September 2022.
        (date(2022, 9, 16), 1, date(2022, 9, 20), "State Funeral, 19 September 2022"),
        (date(2022, 9, 12), 5, date(2022, 9, 20), "stage 1 corporate deadline over the funeral"),
        # The Coronation of King Charles III, Monday 8 May 2023 (after the 1 May bank holiday).
        (date(2023, 5, 5), 1, date(2023, 5, 9), "Coronation bank holiday, 8 May 2023"),
        (date(2023, 4, 28), 5, date(2023, 5, 9), "two May bank holidays in a row"),
    ],
)
def test_nth_working_day_after(start, n, expected, why):
    assert CAL.add_working_days(start, n) == expected, why


@pytest.mark.parametrize(
    "day",
    [
        date(2020, 5, 8),
        date(2022, 6, 2),
        date(2022, 6, 3),
        date(2022, 9, 19),
        date(2023, 5, 8),
        date(2026, 12, 25),
        date(2026, 12, 28),
        date(2027, 12, 27),
        date(2027, 12, 28),
        date(2026, 4, 3),
        date(2026, 4, 6),
    ],
)
def test_bank_holidays_are_not_working_days(day):
    assert not CAL.is_working_day(day)


def test_early_may_2020_monday_was_a_working_day():
    # The bank holiday moved to Friday 8 May, so Monday 4 May was an ordinary day.
    assert CAL.is_working_day(date(2020, 5, 4))


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 11, 23), date(2026, 11, 23), 0),
        (date(2026, 11, 23), date(2026, 11, 30), 5),
        (date(2026, 11, 30), date(2026, 11, 23), -5),
        (date(2026, 12, 24), date(2026, 12, 29), 1),
        (date(2022, 9, 16), date(2022, 9, 20), 1),
        (date(2023, 5, 5), date(2023, 5, 9), 1),
        (date(2026, 11, 20), date(2026, 11, 22), 0),
    ],
)
def test_working_days_between(start, end, expected):
    assert CAL.working_days_between(start, end) == expected


@pytest.mark.parametrize("n", [0, 1, 5, 10, 20, 56])
def test_between_is_the_inverse_of_add(n):
    for start in (date(2022, 9, 1), date(2023, 4, 20), date(2026, 12, 18), date(2020, 4, 30)):
        assert CAL.working_days_between(start, CAL.add_working_days(start, n)) == n


def test_statutory_stage_two_of_56_working_days_over_christmas():
    # 56 working days from 1 December 2026: Christmas Day and the Boxing Day substitute,
    # New Year's Day 2027 and the weekends are skipped.
    assert CAL.add_working_days(date(2026, 12, 1), 56) == date(2027, 2, 22)


@pytest.mark.django_db
def test_council_closure_days_are_not_working_days():
    ClosureDay.objects.create(date=date(2026, 11, 24), reason="Staff training day")
    assert add_working_days(date(2026, 11, 23), 1) == date(2026, 11, 25)
    assert working_days_between(date(2026, 11, 23), date(2026, 11, 25)) == 1


def test_negative_days_are_refused():
    with pytest.raises(ValueError):
        CAL.add_working_days(date(2026, 11, 23), -1)
