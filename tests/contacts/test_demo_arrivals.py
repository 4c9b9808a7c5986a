"""The arrival patterns of the demo and generated contacts (contacts.demo_arrivals, issue 22):
Monday peaks, closed days, the catch-up after a bank holiday, bills, handling times."""

import random
from datetime import date

import pytest

from contacts import demo_arrivals
from contacts.demo_arrivals import DayShape, service_factor
from core.models import ChannelCode
from core.working_days import WorkingCalendar

TELEPHONE, WEB, COUNTER = ChannelCode.TELEPHONE, ChannelCode.WEB, ChannelCode.FACE_TO_FACE


@pytest.fixture
def shape():
    # 2025: the spring bank holiday is Monday 26 May; 19 September 2022 was a one-off.
    return DayShape(WorkingCalendar(), end=date(2025, 12, 31))


def test_mondays_are_busiest_and_fridays_quietest_on_the_telephone(shape):
    monday, wednesday, friday = date(2025, 6, 2), date(2025, 6, 4), date(2025, 6, 6)
    assert shape.channel_weight(monday, TELEPHONE) > shape.channel_weight(wednesday, TELEPHONE)
    assert shape.channel_weight(wednesday, TELEPHONE) > shape.channel_weight(friday, TELEPHONE)


@pytest.mark.parametrize("day", [date(2025, 6, 7), date(2025, 6, 8), date(2025, 5, 26),
                                 date(2025, 12, 25), date(2022, 9, 19)])
def test_the_telephone_and_counters_are_closed_at_weekends_and_on_bank_holidays(shape, day):
    assert shape.channel_weight(day, TELEPHONE) == 0
    assert shape.channel_weight(day, COUNTER) == 0
    assert 0 < shape.channel_weight(day, WEB) < shape.channel_weight(date(2025, 6, 4), WEB)


def test_the_first_working_day_after_a_bank_holiday_catches_up(shape):
    after, ordinary = date(2025, 5, 27), date(2025, 6, 3)  # both Tuesdays
    assert shape.after_closure(after) and not shape.after_closure(ordinary)
    assert shape.channel_weight(after, TELEPHONE) > 1.3 * shape.channel_weight(ordinary, TELEPHONE)
    # ... and has a Monday's morning peak.
    assert shape.profile(after, TELEPHONE) == shape.profile(date(2025, 6, 2), TELEPHONE)


def test_monday_mornings_peak_on_the_telephone_within_opening_hours(shape):
    monday, wednesday = shape.profile(date(2025, 6, 2), TELEPHONE), shape.profile(date(2025, 6, 4), TELEPHONE)
    nine_am = 18  # the half hour from 09:00
    assert monday[nine_am] / sum(monday) > 1.3 * wednesday[nine_am] / sum(wednesday)
    open_slots = [slot for slot, weight in enumerate(wednesday) if weight]
    assert (open_slots[0], open_slots[-1]) == (17, 33)  # 08:30 to 17:00
    web = shape.profile(date(2025, 6, 4), WEB)
    assert max(range(48), key=web.__getitem__) >= 38  # the web is busiest in the evening


def test_services_are_busier_after_their_bills_and_letters_go_out():
    assert service_factor("council-tax", date(2025, 3, 10)) > 2  # annual bills from 8 March
    assert service_factor("council-tax", date(2025, 6, 12)) == pytest.approx(1.2)  # reminders
    assert service_factor("council-tax", date(2025, 6, 25)) == 1
    assert service_factor("benefits", date(2025, 4, 2)) > 1.5
    assert service_factor("waste", date(2025, 1, 6)) == 1.5
    assert service_factor("planning", date(2025, 3, 10)) == 1


def test_handling_times_only_for_the_telephone_and_counters_and_counters_take_longer():
    rng = random.Random(3)
    calls = [demo_arrivals.handling_time(rng, "benefits", TELEPHONE) for _ in range(2000)]
    visits = [demo_arrivals.handling_time(rng, "benefits", COUNTER) for _ in range(2000)]
    assert demo_arrivals.handling_time(rng, "benefits", WEB) is None
    assert all(20 <= seconds <= 4 * 3600 for seconds in calls + visits)
    median_call = sorted(calls)[1000]
    assert 380 < median_call < 520  # benefits calls: a median of 450 seconds
    assert sorted(visits)[1000] > 1.5 * median_call
