"""The working-day calendar against real England and Wales bank holidays (DOMAIN.md)."""

from datetime import date, timedelta

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


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        # 2023 from New Year's Eve 2022: 260 weekdays less 9 bank holidays on weekdays (the
        # coronation, 8 May, among them; New Year's Day fell on a Sunday, so its substitute
        # Monday 2 January).
        (date(2022, 12, 31), date(2023, 12, 31), 251),
        # Over Christmas 2026 to the first Monday of 2027: 24, 29, 30, 31 December and 4 January.
        (date(2026, 12, 23), date(2027, 1, 4), 5),
        # Five years, both ways: 1,303 weekdays less 42 bank holidays on weekdays.
        (date(2021, 1, 1), date(2025, 12, 31), 1261),
        (date(2025, 12, 31), date(2021, 1, 1), -1261),
    ],
)
def test_working_days_between_long_ranges_and_bank_holidays(start, end, expected):
    assert CAL.working_days_between(start, end) == expected


def test_working_days_between_counts_as_stepping_a_day_at_a_time():
    """The count by arithmetic equals the count of working days, day by day, for every start in
    two years and ranges up to 60 days, closure days (one on a Saturday) included."""
    calendar = WorkingCalendar([date(2023, 5, 10), date(2023, 12, 27), date(2024, 3, 16)])
    for offset in range(0, 730, 3):
        start = date(2023, 1, 1) + timedelta(days=offset)
        for length in (0, 1, 2, 6, 7, 8, 13, 31, 60):
            end = start + timedelta(days=length)
            stepped = sum(1 for i in range(1, length + 1)
                          if calendar.is_working_day(start + timedelta(days=i)))
            assert calendar.working_days_between(start, end) == stepped, (start, end)


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


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        # Two working days from Thursday 4 May 2023 are Friday 5 and Tuesday 9 (Monday 8 was the
        # coronation bank holiday): that limit has run out by Wednesday 10, Friday 5's has not.
        (date(2023, 5, 10), date(2023, 5, 4)),
        # By Tuesday 9 only Wednesday 3's (Thursday 4 and Friday 5) has.
        (date(2023, 5, 9), date(2023, 5, 3)),
        # Monday 20 November 2023: Wednesday 15's limit (16 and 17) ran out the Friday before.
        (date(2023, 11, 20), date(2023, 11, 15)),
    ],
)
def test_last_start_passed(today, expected):
    assert CAL.last_start_passed(today, 2) == expected
    assert CAL.add_working_days(expected, 2) < today <= CAL.add_working_days(expected + timedelta(days=1), 2)
