from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

# Tests run on 1 December 2025: the next 8 weeks hold Christmas Day, Boxing Day and New Year's Day.
TODAY = datetime(2025, 12, 1, 10, 0, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # seed_demo sets real passwords; the default hasher makes every user cost a third of a second.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def on_1_december_2025():
    with time_machine.travel(TODAY, tick=False):
        yield TODAY.date()


def _generate(contacts: int, days: int) -> None:
    from core.management.commands.seed_demo import Command as SeedDemo

    seed = SeedDemo()
    seed._catalogue(seed._users("pw-for-tests-1"))  # the catalogue and users, none of the records
    call_command("generate_data", "--contacts", str(contacts), "--days", str(days), "--seed", "11",
                 stdout=StringIO())


@pytest.fixture
def generated(db, on_1_december_2025):
    """The demo catalogue (10 services) and 12,000 contacts over the 400 days up to 30 November
    2025 from generate_data: its known weekly pattern (contacts.demo_arrivals), bank holidays,
    bills and handling times."""
    _generate(12_000, 400)
    return on_1_december_2025


@pytest.fixture
def generated_small(db, on_1_december_2025):
    """As `generated`, with 3,000 contacts over 150 days: enough for a forecast of every channel."""
    _generate(3_000, 150)
    return on_1_december_2025


@pytest.fixture
def generated_busy(db, on_1_december_2025):
    """As `generated`, with 60,000 contacts over 500 days: about 50 calls a working day, so that
    the weeks held back are more the weekly pattern than noise."""
    _generate(60_000, 500)
    return on_1_december_2025
