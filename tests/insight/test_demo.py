"""The demo seed (issue 11): sampling rates, Tell Us Once routes, survey answers that respect
suppression, a few life events with their hand-offs in progress; running it again adds nothing."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command

from handoffs.models import Handoff
from insight.models import LifeEvent, LifeEventNotice, Survey, SurveySampling, TellUsOnceRoute


@pytest.mark.django_db
def test_seed_demo_makes_insight_data_once(settings):
    call_command("seed_demo", days=20, stdout=io.StringIO())
    assert SurveySampling.objects.count() == 7
    assert TellUsOnceRoute.objects.count() >= 10
    answered = Survey.objects.answered()
    assert answered.exists() and Survey.objects.filter(responded_at__isnull=True).exists()
    gap = timedelta(days=settings.SURVEY_SUPPRESSION_DAYS)
    by_customer = {}
    for customer_id, asked_at in Survey.objects.order_by("asked_at").values_list("customer", "asked_at"):
        assert customer_id not in by_customer or asked_at - by_customer[customer_id] >= gap
        by_customer[customer_id] = asked_at
    assert LifeEvent.objects.count() == 3
    notices = LifeEventNotice.objects.select_related("handoff")
    assert all(notice.handoff for notice in notices)
    assert {n.handoff.status for n in notices} >= {Handoff.Status.RESOLVED, Handoff.Status.OPEN}
    counts = (Survey.objects.count(), LifeEvent.objects.count(), Handoff.objects.count())
    call_command("seed_demo", days=20, stdout=io.StringIO())
    assert (Survey.objects.count(), LifeEvent.objects.count(), Handoff.objects.count()) == counts
