"""Customer journey mapping and services used together (issue 11): journeys assembled from a
customer's contacts, hand-offs and complaints; the most common journeys of an enquiry type with
their cost; pairs of services the same customers use, with lift."""

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from complaints.services import complaint_create
from contacts.models import Contact, Customer
from core.models import Channel, ChannelCode, EnquiryType, HandoffMethod
from core.roles import Role
from handoffs.services import handoff_resolve
from insight import selectors
from intake.services import contact_log
from tests.factories import CustomerFactory, EnquiryTypeFactory, ServiceFactory, avoidable_reason
from tests.handoffs.factories import at, team_with_lead, user_with

FAF = HandoffMethod.FIRE_AND_FORGET


def _log(customer, enquiry_type, channel, when, **extra):
    return contact_log(actor=None, channel=channel, service=enquiry_type.service,
                       enquiry_type=enquiry_type, customer=customer, summary="About the bins.",
                       source="adviser", received_at=when, **extra).contact


@pytest.fixture
def waste(db):
    service = ServiceFactory(code="waste", name="Waste")
    team = team_with_lead(name="Waste Operations")
    return {
        "service": service, "team": team,
        "missed_bin": EnquiryTypeFactory(service=service, code="missed-bin", name="Missed bin",
                                         handoff_method=FAF, team=team, target_working_days=2),
        "chase": EnquiryTypeFactory(service=service, code="chase", name="Chasing"),
    }


def _rita_journeys(waste):
    """Reported online, chased by phone, resolved, came in person: one journey of three contacts."""
    rita = CustomerFactory(first_name="Rita", last_name="Lees")
    first = _log(rita, waste["missed_bin"], ChannelCode.WEB, at("2026-10-05", 10))
    _log(rita, waste["chase"], ChannelCode.TELEPHONE, at("2026-10-07", 11), avoidable=True,
         avoidable_reason=avoidable_reason("progress_chasing"), chasing=first.handoffs.get().pk)
    handoff_resolve(handoff=first.handoffs.get(), actor=waste["team"].lead, outcome="Collected.",
                    at=at("2026-10-09", 12))
    complaint_create(actor=None, customer=rita, service=waste["service"], summary="Missed again.",
                     process="corporate", received_at=at("2026-10-12", 9))
    _log(rita, waste["chase"], ChannelCode.FACE_TO_FACE, at("2026-10-14", 15), avoidable=True,
         avoidable_reason=avoidable_reason("repeat_contact"))
    council_tax = EnquiryTypeFactory(service=ServiceFactory(name="Council Tax"), name="Balance")
    _log(rita, council_tax, ChannelCode.TELEPHONE, at("2026-11-10", 10))
    _log(rita, waste["chase"], ChannelCode.WEB, at("2026-11-16", 10))
    return rita


@pytest.mark.django_db
def test_customer_journey_joins_chasing_and_repeat_contacts_and_counts_working_days(waste):
    rita = _rita_journeys(waste)
    journeys = selectors.customer_journeys(rita, today=date(2026, 11, 20))
    assert [(j.service, j.contacts) for j in journeys] == [("Waste", 1), ("Council Tax", 1), ("Waste", 3)]
    bins = journeys[-1]
    assert bins.channels == ("web", "telephone", "face_to_face")
    assert bins.avoidable == 2
    assert not bins.open
    assert timezone.localtime(bins.resolved_at).date() == date(2026, 10, 14)
    # 5 October (Monday) to 14 October: 6, 7, 8, 9, 12, 13, 14.
    assert bins.working_days == 7
    assert [step.dearer_than_before for step in bins.steps] == [False, True, True]
    costs = dict(Channel.objects.values_list("code", "unit_cost"))
    assert bins.cost == costs["web"] + costs["telephone"] + costs["face_to_face"]
    assert [c.summary for c in bins.complaints] == ["Missed again."]
    assert bins.steps[0].handoff == "Fire and Forget to Waste Operations: resolved"


@pytest.mark.django_db
def test_an_open_handoff_keeps_the_journey_open_up_to_today(waste):
    customer = CustomerFactory()
    _log(customer, waste["missed_bin"], ChannelCode.TELEPHONE, at("2026-11-02", 10))
    (journey,) = selectors.customer_journeys(customer, today=date(2026, 11, 6))
    assert journey.open and journey.resolved_at is None
    assert journey.working_days == 4


@pytest.mark.django_db
def test_most_common_journeys_of_an_enquiry_type_with_count_and_cost(waste):
    costs = dict(Channel.objects.values_list("code", "unit_cost"))
    for _ in range(2):
        customer = CustomerFactory()
        first = _log(customer, waste["missed_bin"], ChannelCode.WEB, at("2026-10-05", 10))
        _log(customer, waste["chase"], ChannelCode.TELEPHONE, at("2026-10-06", 10), avoidable=True,
             avoidable_reason=avoidable_reason("progress_chasing"), chasing=first.handoffs.get().pk)
    _log(CustomerFactory(), waste["missed_bin"], ChannelCode.WEB, at("2026-10-08", 10))
    # Another enquiry type's journey is not counted.
    _log(CustomerFactory(), waste["chase"], ChannelCode.TELEPHONE, at("2026-10-08", 10))
    summary = selectors.enquiry_type_journeys(waste["missed_bin"], date(2026, 10, 1), date(2026, 10, 31),
                                              today=date(2026, 10, 30))
    assert summary.journeys == 3
    top, second = summary.patterns
    assert (top.channels, top.count) == (("web", "telephone"), 2)
    assert top.total_cost == 2 * (costs["web"] + costs["telephone"])
    assert top.cost_each == costs["web"] + costs["telephone"]
    assert top.avg_avoidable == 1.0
    assert (second.channels, second.count) == (("web",), 1)
    assert summary.drops == [("Web (self service)", "Telephone", 2)]
    assert summary.avg_contacts == round(5 / 3, 1)


@pytest.mark.django_db
def test_journeys_on_realistic_demo_data_account_for_every_contact_once():
    call_command("seed_demo", days=20, stdout=io.StringIO())
    costs = dict(Channel.objects.values_list("code", "unit_cost"))
    customers = list(Contact.objects.filter(customer__isnull=False).values_list("customer", flat=True)
                     .distinct().order_by("customer")[:80])
    checked = 0
    for customer in Customer.objects.filter(pk__in=customers):
        journeys = selectors.customer_journeys(customer)
        contact_ids = [step.contact_id for j in journeys for step in j.steps]
        assert sorted(contact_ids) == sorted(Contact.objects.filter(customer=customer)
                                             .values_list("pk", flat=True))
        for journey in journeys:
            assert journey.working_days >= 0
            assert journey.cost == sum((costs[s.channel] for s in journey.steps), Decimal("0"))
            assert journey.avoidable == sum(s.avoidable for s in journey.steps)
            assert [s.at for s in journey.steps] == sorted(s.at for s in journey.steps)
            assert (journey.resolved_at is None) == journey.open
            if journey.resolved_at:
                assert journey.resolved_at >= journey.started_at
            checked += 1
    assert checked > 80
    # And in aggregate: the patterns of the busiest enquiry type add up to its journeys.
    busiest = (Contact.objects.filter(customer__isnull=False, enquiry_type__isnull=False)
               .values("enquiry_type").order_by().annotate(n=Count("pk"))
               .order_by("-n", "enquiry_type").first()["enquiry_type"])
    today = timezone.localdate()
    summary = selectors.enquiry_type_journeys(EnquiryType.objects.get(pk=busiest),
                                              today - timedelta(days=40), today)
    assert summary.journeys > 0
    assert sum(p.count for p in summary.patterns) == summary.journeys
    assert sum((p.total_cost for p in summary.patterns), Decimal("0")) == summary.total_cost


@pytest.mark.django_db
def test_services_used_together_counts_customers_and_lift():
    waste = EnquiryTypeFactory(service=ServiceFactory(name="Waste"))
    council_tax = EnquiryTypeFactory(service=ServiceFactory(name="Council Tax"))
    parking = EnquiryTypeFactory(service=ServiceFactory(name="Parking"))
    when = at("2026-10-05", 10)
    for _ in range(3):  # waste and council tax together
        customer = CustomerFactory()
        _log(customer, waste, ChannelCode.WEB, when)
        _log(customer, council_tax, ChannelCode.WEB, when)
    for _ in range(3):  # parking alone
        _log(CustomerFactory(), parking, ChannelCode.WEB, when)
    both = CustomerFactory()  # waste twice: still one customer of waste
    _log(both, waste, ChannelCode.WEB, when)
    _log(both, waste, ChannelCode.TELEPHONE, when)
    result = selectors.services_used_together(date(2026, 10, 1), date(2026, 10, 31))
    assert result["customers"] == 7
    (pair,) = result["pairs"]
    assert (pair.first, pair.second, pair.customers) == ("Waste", "Council Tax", 3)
    # 3 of 7 used both; 4 used waste, 3 council tax: lift = (3/7) / ((4/7) * (3/7)) = 1.75.
    assert pair.lift == 1.75
    assert pair.also_used_percent == 75.0


@pytest.mark.django_db
def test_a_new_unrelated_enquiry_after_resolution_starts_a_new_journey(waste):
    customer = CustomerFactory()
    _log(customer, waste["chase"], ChannelCode.TELEPHONE, at("2026-10-05", 10))
    _log(customer, waste["chase"], ChannelCode.TELEPHONE, at("2026-10-07", 10))
    _log(customer, waste["chase"], ChannelCode.TELEPHONE, at("2026-10-08", 10), avoidable=True,
         avoidable_reason=avoidable_reason("repeat_contact"))
    journeys = selectors.customer_journeys(customer, today=date(2026, 10, 30))
    assert [j.contacts for j in journeys] == [2, 1]


@pytest.mark.django_db
def test_services_used_together_tables_download_as_csv(client):
    """Issue 20, item 6: every report table has CSV, with the page's own period."""
    waste = EnquiryTypeFactory(service=ServiceFactory(name="Waste"))
    council_tax = EnquiryTypeFactory(service=ServiceFactory(name="Council Tax"))
    when = at("2026-10-05", 10)
    for _ in range(3):
        customer = CustomerFactory()
        _log(customer, waste, ChannelCode.WEB, when)
        _log(customer, council_tax, ChannelCode.WEB, when)
    _log(CustomerFactory(), waste, ChannelCode.WEB, when)
    client.force_login(user_with(Role.MANAGER))
    period = ("date_from_day=1&date_from_month=10&date_from_year=2026"
              "&date_to_day=31&date_to_month=10&date_to_year=2026")
    page = client.get(f"/insight/services-together/?{period}").content.decode()
    assert f'href="?{period.replace("&", "&amp;")}&amp;format=csv&amp;table=pairs"' in page
    response = client.get(f"/insight/services-together/?{period}&format=csv&table=pairs")
    assert response["Content-Disposition"] == (
        'attachment; filename="services-used-together-2026-10-01-2026-10-31.csv"')
    assert b"".join(response.streaming_content).decode().splitlines() == [
        "Customers who used,Its customers,Also used,Its customers,Customers of both,"
        "Share of the first's customers %,Lift",
        # All 4 customers used waste, 3 of them council tax too: (3/4) / ((4/4) * (3/4)) = 1.
        "Waste,4,Council Tax,3,3,75.0,1.0"]
    services = client.get(f"/insight/services-together/?{period}&format=csv&table=services")
    assert b"".join(services.streaming_content).decode().splitlines() == [
        "Service,Customers", "Waste,4", "Council Tax,3"]
    assert client.get(f"/insight/services-together/?{period}&format=csv&table=nope").status_code == 404
    client.force_login(user_with(Role.ADVISER))
    assert client.get(f"/insight/services-together/?{period}&format=csv&table=pairs").status_code == 403
