"""A hand-off is due the service standard's number of working days after the contact was
received (the day itself not counted), skipping weekends and England and Wales bank holidays."""

from datetime import date

import pytest
import time_machine

from core.services import closure_day_add
from tests.handoffs.factories import at, open_handoff


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("received", "hour", "days", "due"),
    [
        # Monday + 5 working days: the next Monday.
        ("2023-01-09", 10, 5, date(2023, 1, 16)),
        # Friday + 1 skips the weekend and the Queen's state funeral (Monday 19 September 2022).
        ("2022-09-16", 10, 1, date(2022, 9, 20)),
        # Friday + 1 skips the weekend and the coronation bank holiday (Monday 8 May 2023).
        ("2023-05-05", 10, 1, date(2023, 5, 9)),
        # Christmas 2026: Friday 25th, Boxing Day on Saturday so the substitute Monday 28th.
        ("2026-12-24", 10, 2, date(2026, 12, 30)),
        # Late on Friday evening in London still counts from Friday.
        ("2022-09-16", 23, 1, date(2022, 9, 20)),
        # Zero working days: due the day it was received.
        ("2023-01-09", 10, 0, date(2023, 1, 9)),
    ],
)
def test_due_date_counts_working_days_after_the_day_received(received, hour, days, due):
    with time_machine.travel(at("2027-01-15"), tick=False):
        handoff = open_handoff(received_at=at(received, hour), days=days)
    assert handoff.due_date == due


@pytest.mark.django_db
def test_due_date_skips_a_closure_day_the_council_added():
    closure_day_add(date=date(2023, 1, 10), reason="Local election count")
    with time_machine.travel(at("2023-01-20"), tick=False):
        handoff = open_handoff(received_at=at("2023-01-09"), days=1)
    assert handoff.due_date == date(2023, 1, 11)
