"""Issue 15, item 8 and item 3 in the reports: NI14 sampling periods as a filter of the NI14 page
and API (figures equal a recount of the contacts stamped with the period), contacts by site with
the back-office teams' own sites, and cost per transaction of an enquiry type in the cost and
channel-shift figures."""

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from contacts.models import Contact, SamplingPeriod
from contacts.services import sampling_period_save
from core.models import Channel, ChannelCode, Site, TransactionCost
from core.roles import Role
from tests.factories import ContactFactory, EnquiryTypeFactory, ServiceFactory, SiteFactory
from tests.reporting.factories import varied_contacts

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def _at(day: date, hour: int = 10):
    return datetime.combine(day, time(hour), tzinfo=LONDON)


# --- Sampling periods ---------------------------------------------------------------------------


@pytest.fixture
def week(db):
    varied_contacts(120, start=date(2025, 3, 1), days=40)
    return sampling_period_save(period=SamplingPeriod(name="Sample week 12", start_date=date(2025, 3, 17),
                                                      end_date=date(2025, 3, 21)), actor=None)


def _stamped(week):
    return Contact.objects.filter(sampling_period=week)


def test_the_ni14_api_filters_by_sampling_period_with_the_figures_of_its_stamped_contacts(
        api_client_for, week):
    stamped = list(_stamped(week))
    assert stamped, "the week should hold some of the contacts"
    body = api_client_for(Role.MANAGER).get("/api/v1/reports/ni14/", {
        "sampling_period": week.pk, "group_by": "channel"}).json()
    assert (body["from"], body["to"]) == ("2025-03-17", "2025-03-21")
    assert body["sampling_period"] == {"id": week.pk, "name": "Sample week 12",
                                       "start_date": "2025-03-17", "end_date": "2025-03-21"}
    assert body["total_contacts"] == len(stamped)
    assert body["avoidable_contacts"] == sum(c.avoidable for c in stamped)
    by_channel = {r["key"]: r["total"] for r in body["rows"]}
    assert by_channel == {code: n for code in ChannelCode.values
                          if (n := sum(c.channel == code for c in stamped))}


def test_the_ni14_api_refuses_a_period_with_dates_or_an_unknown_one(api_client_for, week):
    api = api_client_for(Role.MANAGER)
    both = api.get("/api/v1/reports/ni14/", {"sampling_period": week.pk, "from": "2025-03-01"})
    assert both.status_code == 400 and both.json() == {
        "sampling_period": ["Give a sampling period or from and to, not both."]}
    assert "sampling_period" in api.get("/api/v1/reports/ni14/", {"sampling_period": 999}).json()
    assert "sampling_period" in api.get("/api/v1/reports/ni14/", {"sampling_period": "x"}).json()


def test_the_ni14_page_filters_by_sampling_period(client_for, week):
    response = client_for(Role.MANAGER).get("/reports/", {"sampling_period": week.pk,
                                                          "date_from": "2025-01-01"})
    assert response.status_code == 200
    head = response.context["headline"]
    stamped = list(_stamped(week))
    assert head["total_contacts"] == len(stamped)
    assert head["avoidable_contacts"] == sum(c.avoidable for c in stamped)
    page = response.content.decode()
    assert "NI14 sampling period Sample week 12: 17 March 2025 to 21 March 2025" in page
    assert f'<option value="{week.pk}" selected>Sample week 12</option>' in page


def test_saving_a_period_stamps_earlier_contacts_and_moving_it_restamps_them(db):
    service = ServiceFactory()
    inside = ContactFactory(service=service, received_at=_at(date(2025, 5, 6)))
    outside = ContactFactory(service=service, received_at=_at(date(2025, 5, 13)))
    period = sampling_period_save(period=SamplingPeriod(
        name="May sample", start_date=date(2025, 5, 5), end_date=date(2025, 5, 9)), actor=None)
    assert set(_stamped(period)) == {inside}
    period.start_date, period.end_date = date(2025, 5, 12), date(2025, 5, 16)
    sampling_period_save(period=period, actor=None)
    assert set(_stamped(period)) == {outside}
    inside.refresh_from_db()
    assert inside.sampling_period is None


def test_sampling_periods_may_not_overlap(db):
    sampling_period_save(period=SamplingPeriod(name="A", start_date=date(2025, 5, 5),
                                               end_date=date(2025, 5, 9)), actor=None)
    with pytest.raises(Exception) as error:
        sampling_period_save(period=SamplingPeriod(name="B", start_date=date(2025, 5, 9),
                                                   end_date=date(2025, 5, 12)), actor=None)
    assert "sampling periods may not overlap" in str(error.value)
    assert SamplingPeriod.objects.count() == 1


def test_an_admin_defines_a_period_and_its_contacts_are_stamped(client_for, db):
    contact = ContactFactory(received_at=_at(date(2025, 6, 3)))
    admin = client_for(Role.ADMIN)
    response = admin.post("/admin/contacts/samplingperiod/add/", {
        "name": "June sample", "start_date": "2025-06-02", "end_date": "2025-06-06"})
    assert response.status_code == 302
    period = SamplingPeriod.objects.get()
    contact.refresh_from_db()
    assert contact.sampling_period == period
    overlapping = admin.post("/admin/contacts/samplingperiod/add/", {
        "name": "Clash", "start_date": "2025-06-06", "end_date": "2025-06-10"})
    assert overlapping.status_code == 200 and "may not overlap" in overlapping.content.decode()
    admin.post(f"/admin/contacts/samplingperiod/{period.pk}/delete/", {"post": "yes"})
    contact.refresh_from_db()
    assert contact.sampling_period is None and not SamplingPeriod.objects.exists()


# --- Contacts by site ---------------------------------------------------------------------------


def test_the_ni14_page_shows_contacts_by_site_with_the_back_office_sites(client_for, db):
    day = date(2025, 4, 8)
    office = SiteFactory(code="revenues-office", name="Revenues office", kind=Site.Kind.BACK_OFFICE)
    centre = SiteFactory()
    for _ in range(3):
        ContactFactory(site=office, received_at=_at(day))
    ContactFactory(site=centre, received_at=_at(day))
    ContactFactory(site=None, received_at=_at(day))
    response = client_for(Role.MANAGER).get("/reports/", {"date_from": "2025-04-01",
                                                          "date_to": "2025-04-30"})
    table = response.context["tables"]["site"]
    rows = {row[0].text: row[1].text for row in table.rows}
    assert rows == {"Revenues office (back office)": 3, "Contact Centre (call centre)": 1,
                    "Not recorded": 1}
    page = response.content.decode()
    assert 'id="table-site"' in page and "Back-office sites are the public contact" in page


# --- Cost per transaction -----------------------------------------------------------------------


def test_an_enquiry_types_cost_per_transaction_replaces_the_channels_unit_cost(client_for, db):
    """Seed 004: a free-school-meals application costs £25 on paper and 6p online."""
    Channel.objects.update_or_create(code="letter", defaults={"unit_cost": Decimal("3.00")})
    Channel.objects.update_or_create(code="web", defaults={"unit_cost": Decimal("0.20")})
    Channel.objects.update_or_create(code="telephone", defaults={"unit_cost": Decimal("4.00")})
    meals = EnquiryTypeFactory(name="Free school meals")
    other = EnquiryTypeFactory()
    TransactionCost.objects.create(enquiry_type=meals, channel="letter", unit_cost=Decimal("25.00"))
    TransactionCost.objects.create(enquiry_type=meals, channel="web", unit_cost=Decimal("0.06"))
    day = date(2025, 4, 8)
    for enquiry_type, channel, n in ((meals, "letter", 4), (meals, "web", 10), (meals, "telephone", 2),
                                     (other, "letter", 1), (other, "telephone", 2)):
        for _ in range(n):
            ContactFactory(service=enquiry_type.service, enquiry_type=enquiry_type, channel=channel,
                           received_at=_at(day))
    response = client_for(Role.MANAGER).get("/reports/channels/", {
        "date_from": "2025-04-01", "date_to": "2025-04-30", "shift": "50"})
    costs = response.context["costs"]
    rows = {r["channel"]: r for r in costs["rows"]}
    # Letters: 4 claims at £25 and 1 other at £3; web: 10 claims at 6p; telephone: 4 at £4.
    assert rows["letter"]["cost"] == Decimal("103.00") and rows["letter"]["contacts"] == 5
    assert rows["letter"]["unit_cost"] == Decimal("20.60")  # the channel's average per contact
    assert rows["web"]["cost"] == Decimal("0.60")
    assert rows["telephone"]["cost"] == Decimal("16.00")
    assert costs["total"] == Decimal("119.60")
    # Half the telephone contacts (2 of 4, a claim and another alike) move to the web: each
    # leaves at £4 and arrives at its own web cost (6p for a claim, 20p for another).
    assert costs["moved"] == 2
    assert costs["saving"] == Decimal("8.00") - (Decimal("0.06") + Decimal("0.20"))
    assert rows["web"]["after_contacts"] == 12
    assert sum(r["after_cost"] for r in costs["rows"]) == costs["after"] == costs["total"] - costs["saving"]
