from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.services import event_time


def test_event_time_defaults_to_now():
    assert abs((event_time(None) - timezone.now()).total_seconds()) < 2


def test_event_time_refuses_the_future():
    with pytest.raises(ValidationError) as error:
        event_time(timezone.now() + timedelta(hours=1))
    assert "at" in error.value.error_dict


def test_event_time_refuses_a_time_before_the_previous_event():
    previous = timezone.now() - timedelta(days=1)
    with pytest.raises(ValidationError):
        event_time(previous - timedelta(minutes=1), previous_at=previous)
    assert event_time(previous + timedelta(minutes=1), previous_at=previous) > previous
