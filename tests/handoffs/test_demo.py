"""seed_demo for hand-offs: opens the hand-offs seeded contacts call for, progresses them,
closes resolved enquiries, and is safe to run again."""

import io
import random
from datetime import timedelta

import pytest
from django.core.management.base import BaseCommand
from django.utils import timezone

from contacts.models import Contact
from core.roles import Role
from handoffs.apps import HandoffsConfig
from handoffs.models import Handoff, HandoffUpdate
from tests.factories import ContactFactory, EnquiryTypeFactory
from tests.handoffs.factories import CA, FAF, officer_in, team_with_lead, user_with


def _command():
    command = BaseCommand(stdout=io.StringIO())
    return command


@pytest.mark.django_db
def test_seed_opens_and_progresses_handoffs_once():
    team = team_with_lead()
    officer_in(team)
    adviser = user_with(Role.ADVISER)
    types = [EnquiryTypeFactory(handoff_method=FAF, team=team, target_working_days=5),
             EnquiryTypeFactory(handoff_method=CA, team=team, target_working_days=3),
             EnquiryTypeFactory()]
    now = timezone.now()
    for n in range(120):
        enquiry_type = types[n % 3]
        ContactFactory(enquiry_type=enquiry_type, service=enquiry_type.service, handled_by=adviser,
                       received_at=now - timedelta(days=n % 60, hours=1),
                       resolved_at_first_contact=enquiry_type.handoff_method == "one_and_done")
    config = HandoffsConfig.create("handoffs")
    config.seed_demo(command=_command(), rng=random.Random(1), today=timezone.localdate(), days=60)

    handoffs = Handoff.objects.all()
    assert handoffs.count() == 80
    assert not Handoff.objects.filter(method="one_and_done").exists()
    assert handoffs.filter(status=Handoff.Status.RESOLVED).count() > 20
    assert handoffs.filter(status=Handoff.Status.IN_PROGRESS).exists()
    assert handoffs.filter(method=CA, advocate=adviser).count() == 40
    assert HandoffUpdate.objects.filter(customer_informed=True).exists()
    for handoff in handoffs.filter(status=Handoff.Status.RESOLVED).select_related("contact"):
        assert handoff.contact.enquiry_closed_at == handoff.resolved_at
        assert handoff.resolved_at >= handoff.opened_at
    assert not Contact.objects.filter(handoffs__status="open", enquiry_closed_at__isnull=False).exists()
    for handoff in handoffs:
        times = list(handoff.updates.order_by("pk").values_list("at", flat=True))
        assert times == sorted(times)
        assert max(times) <= timezone.now()

    config.seed_demo(command=_command(), rng=random.Random(2), today=timezone.localdate(), days=60)
    assert Handoff.objects.count() == 80
