"""The contacts seed_demo hook: realistic, reproducible, once."""

import random
from datetime import date, time
from io import StringIO

import pytest
from django.utils import timezone

from contacts.models import Contact, Customer
from core.models import EnquiryType


class _Command:
    def __init__(self):
        self.stdout = StringIO()


@pytest.mark.django_db
def test_seed_adds_realistic_contacts_once():
    from django.apps import apps

    from core.management.commands.seed_demo import Command as SeedDemo

    seed = SeedDemo()
    seed._catalogue(seed._users("pw-for-test-1"))  # the catalogue and users, none of the records
    hook = apps.get_app_config("contacts").seed_demo
    hook(command=_Command(), rng=random.Random(7), today=date(2025, 6, 27), days=28)
    contacts = Contact.objects.all()
    total = contacts.count()
    assert 19 * 24 <= total <= 21 * 36 * 1.1  # about 30 a working day for 20 working days
    assert Customer.objects.count() == 250
    share = {channel: contacts.filter(channel=channel).count() / total
             for channel in ("telephone", "face_to_face", "web", "email")}
    assert 0.35 < share["telephone"] < 0.55 and 0.12 < share["face_to_face"] < 0.28
    assert 0.08 < share["web"] < 0.22 and 0.05 < share["email"] < 0.16
    assert 0.20 <= contacts.filter(avoidable=True).count() / total <= 0.35
    one_and_done = contacts.filter(handoff_method="one_and_done")
    assert one_and_done.count() / total > 0.6
    assert not one_and_done.filter(enquiry_closed_at__isnull=True).exists()
    assert not contacts.exclude(handoff_method="one_and_done").filter(
        enquiry_closed_at__isnull=False).exists()
    assert contacts.filter(repeat_of__isnull=False).exists()
    assert not contacts.filter(received_date__in=[date(2025, 6, 7), date(2025, 5, 26)]).exists()
    assert EnquiryType.objects.exists()

    # Handling times where the channel records them (issue 22), within opening hours by phone.
    handled = contacts.filter(channel__in=["telephone", "face_to_face"])
    assert not handled.filter(handling_time_seconds__isnull=True).exists()
    assert not contacts.exclude(channel__in=["telephone", "face_to_face"]).filter(
        handling_time_seconds__isnull=False).exists()
    assert not handled.filter(handling_time_seconds__gt=4 * 3600).exists()
    london = [timezone.localtime(c.received_at).time() for c in contacts.filter(channel="telephone")]
    assert all(time(8, 30) <= moment < time(17, 0) for moment in london)

    hook(command=_Command(), rng=random.Random(7), today=date(2025, 6, 27), days=28)
    assert Contact.objects.count() == total  # once only
