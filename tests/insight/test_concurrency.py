"""Surveys under concurrency (PostgreSQL row locks): sweeps that run at once, and a sweep racing
an adviser at the counter, never ask one customer twice nor send one survey twice."""


import pytest
from django.db import connection

from core.models import ChannelCode, OutboundMessage
from core.roles import Role
from insight.models import Survey, SurveySampling
from insight.services import survey_record_at_counter, surveys_sweep
from intake.services import contact_log
from tests.concurrency import run_at_once
from tests.factories import CustomerFactory, EnquiryTypeFactory
from tests.handoffs.factories import user_with


def _log(customer, channel, actor=None):
    enquiry_type = EnquiryTypeFactory()
    return contact_log(actor=actor, channel=channel, service=enquiry_type.service,
                       enquiry_type=enquiry_type, customer=customer, summary="Bin day?",
                       source="adviser").contact


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_sweeps_send_each_survey_once_and_ask_each_customer_once():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    SurveySampling.objects.create(channel=ChannelCode.TELEPHONE, percent=100)
    customers = [CustomerFactory() for _ in range(5)]
    for customer in customers:
        _log(customer, ChannelCode.TELEPHONE)
        _log(customer, ChannelCode.TELEPHONE)
    outcomes = run_at_once(surveys_sweep, surveys_sweep, surveys_sweep)
    assert sum(outcome["invited"] for outcome in outcomes) == 5
    assert Survey.objects.count() == 5
    assert Survey.objects.values("customer").distinct().count() == 5
    assert OutboundMessage.objects.filter(dedupe_key__startswith="survey:").count() == 5


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_sweep_racing_an_adviser_at_the_counter_asks_the_customer_once():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    SurveySampling.objects.create(channel=ChannelCode.TELEPHONE, percent=100)
    adviser = user_with(Role.ADVISER)
    customer = CustomerFactory()
    _log(customer, ChannelCode.TELEPHONE)
    at_counter = _log(customer, ChannelCode.FACE_TO_FACE, actor=adviser)
    run_at_once(
        surveys_sweep,
        lambda: survey_record_at_counter(contact=at_counter, actor=adviser, satisfaction=4, ease=4,
                                         resolved=True),
    )
    assert Survey.objects.filter(customer=customer).count() == 1
