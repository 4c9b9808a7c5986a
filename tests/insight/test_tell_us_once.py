"""Tell Us Once (issues 11 and 15): a life event recorded once is the customer's one inbound
contact (counted once in NI14, channel mix and cost) with exactly one hand-off for each chosen
service, all or nothing, and the adviser follows them on one page."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from contacts.models import Contact
from core.models import ChannelCode, HandoffMethod
from core.roles import Role
from handoffs.models import Handoff
from handoffs.services import handoff_accept, handoff_resolve
from insight.models import (
    LifeEvent,
    LifeEventKind,
    LifeEventNotice,
    TellUsOnceContactType,
    TellUsOnceRoute,
)
from insight.services import life_event_record
from reporting import selectors as reports
from tests.factories import CustomerFactory, EnquiryTypeFactory, ServiceFactory
from tests.handoffs.factories import team_with_lead, user_with

BEREAVEMENT = LifeEventKind.BEREAVEMENT


def _route(kind, service_name, team_name, method=HandoffMethod.FIRE_AND_FORGET):
    service = ServiceFactory(name=service_name)
    enquiry_type = EnquiryTypeFactory(service=service, handoff_method=method,
                                      team=team_with_lead(name=team_name), target_working_days=5)
    TellUsOnceRoute.objects.create(kind=kind, service=service, enquiry_type=enquiry_type)
    return service


@pytest.fixture
def contact_type(db):
    """What the customer's own contact is recorded as: One & Done, no team."""
    tell_us_once = ServiceFactory(code="tell-us-once", name="Tell Us Once")
    enquiry_type = EnquiryTypeFactory(service=tell_us_once, code="bereavement",
                                      name="Bereavement (Tell Us Once)")
    return TellUsOnceContactType.objects.create(kind=BEREAVEMENT, enquiry_type=enquiry_type)


@pytest.fixture
def services(contact_type):
    return [
        _route(BEREAVEMENT, "Council Tax", "Revenues"),
        _route(BEREAVEMENT, "Benefits", "Benefits", HandoffMethod.CUSTOMER_ADVOCATE),
        _route(BEREAVEMENT, "Housing", "Housing Options"),
    ]


def _record(services, **overrides):
    arguments = {
        "actor": user_with(Role.ADVISER), "customer": CustomerFactory(), "kind": BEREAVEMENT,
        "event_date": timezone.localdate() - timedelta(days=3), "channel": ChannelCode.FACE_TO_FACE,
        "details": "Mr Lees died on 20 November; Mrs Lees now lives alone.", "services": services,
    }
    return life_event_record(**{**arguments, **overrides})


def _counts():
    return (LifeEvent.objects.count(), LifeEventNotice.objects.count(), Contact.objects.count(),
            Handoff.objects.count())


@pytest.mark.django_db
def test_the_customers_notification_is_one_inbound_contact_and_each_service_a_handoff(
        services, contact_type):
    council_tax, benefits, _housing = services
    event = _record([council_tax, benefits, council_tax], channel=ChannelCode.TELEPHONE)  # twice: once
    contact = Contact.objects.get()
    assert event.contact == contact
    assert (contact.channel, contact.direction, contact.customer, contact.enquiry_type,
            contact.service.code) == (ChannelCode.TELEPHONE, "inbound", event.customer,
                                      contact_type.enquiry_type, "tell-us-once")
    assert "Mrs Lees now lives alone" in contact.summary
    # Handed off, so not resolved at first contact; the front office follows it as an advocate
    # case because Benefits works it as one.
    assert (contact.resolved_at_first_contact, contact.handoff_method, contact.enquiry_closed_at) == (
        False, HandoffMethod.CUSTOMER_ADVOCATE, None)
    assert contact.handoff_override_reason == "Tell Us Once: told to Benefits, Council Tax."
    notices = list(event.notices.select_related("handoff__team", "service"))
    assert sorted(n.service.name for n in notices) == ["Benefits", "Council Tax"]
    assert {n.handoff.contact_id for n in notices} == {contact.pk}
    teams = {n.service.name: (n.handoff.team.name, n.handoff.method) for n in notices}
    assert teams == {"Council Tax": ("Revenues", HandoffMethod.FIRE_AND_FORGET),
                     "Benefits": ("Benefits", HandoffMethod.CUSTOMER_ADVOCATE)}
    benefits_handoff = next(n for n in notices if n.service == benefits).handoff
    assert benefits_handoff.advocate == event.recorded_by
    assert benefits_handoff.due_date > event.recorded_at.date()


@pytest.mark.django_db
def test_a_life_event_told_to_five_services_adds_exactly_one_contact_to_the_ni14_totals(contact_type):
    """DOMAIN.md: "A life event told once (Tell Us Once) is one contact, however many services it
    reaches". The NI14 totals come from the summary rows the database triggers keep."""
    five = [_route(BEREAVEMENT, name, f"{name} team") for name in (
        "Council Tax", "Benefits", "Housing", "Adult Social Care", "Registrars")]
    today = timezone.localdate()
    filters = reports.Filters(date_from=today, date_to=today)
    before = reports.headline(filters)
    channels_before = {r["channel"]: r["total"] for r in reports.summed(filters, ("channel",))}
    _record(five, channel=ChannelCode.FACE_TO_FACE)
    after = reports.headline(filters)
    assert after["total_contacts"] - before["total_contacts"] == 1
    assert after["avoidable_contacts"] == before["avoidable_contacts"]
    assert after["fcr_contacts"] == before["fcr_contacts"]  # handed off: not resolved first time
    channels = {r["channel"]: r["total"] for r in reports.summed(filters, ("channel",))}
    assert channels.get("face_to_face", 0) - channels_before.get("face_to_face", 0) == 1
    assert Handoff.objects.count() == 5 and Contact.objects.count() == 1


@pytest.mark.django_db
def test_the_enquiry_closes_when_the_last_service_resolves_its_handoff(services):
    event = _record(services[:2])
    first, second = (n.handoff for n in event.notices.order_by("service__name"))
    handoff_resolve(handoff=first, actor=first.team.lead, outcome="Done.")
    event.contact.refresh_from_db()
    assert event.contact.enquiry_closed_at is None
    handoff_resolve(handoff=second, actor=second.team.lead, outcome="Done.")
    event.contact.refresh_from_db()
    assert event.contact.enquiry_closed_at is not None


@pytest.mark.django_db
def test_a_failure_part_way_leaves_no_event_contact_or_handoff(services, monkeypatch):
    import intake.services

    real_open, opened = intake.services.handoff_open, []

    def open_two_then_fail(**kwargs):
        # The database refuses the third hand-off, after the contact and two hand-offs were
        # written in the same transaction.
        if len(opened) == 2:
            raise IntegrityError("refused")
        opened.append(real_open(**kwargs))
        return opened[-1]

    monkeypatch.setattr(intake.services, "handoff_open", open_two_then_fail)
    before = _counts()
    with pytest.raises(IntegrityError):
        _record(services)
    assert len(opened) == 2 and _counts() == before


@pytest.mark.django_db
def test_services_without_a_route_for_the_event_are_refused_before_anything_is_written(services):
    other = _route(LifeEventKind.NEW_BABY, "Registrars", "Registration Service")
    before = _counts()
    with pytest.raises(ValidationError) as error:
        _record([services[0], other])
    assert "Registrars" in str(error.value)
    with pytest.raises(ValidationError):
        _record([])
    with pytest.raises(ValidationError):
        _record(services, event_date=timezone.localdate() + timedelta(days=1))
    assert _counts() == before


@pytest.mark.django_db
def test_an_event_kind_without_a_contact_type_is_refused_with_what_to_set_up(services):
    TellUsOnceContactType.objects.all().delete()
    with pytest.raises(ValidationError) as error:
        _record(services)
    assert "an admin chooses what the customer's contact is recorded as" in str(error.value)
    assert _counts() == (0, 0, 0, 0)


@pytest.mark.django_db
def test_adviser_records_a_life_event_on_the_page_and_follows_every_handoff(client, services):
    adviser = user_with(Role.ADVISER)
    client.force_login(adviser)
    customer = CustomerFactory(first_name="Margaret", last_name="Lees")
    page = client.get(f"/insight/life-events/new/{customer.pk}/")
    assert page.status_code == 200 and b"Council Tax" in page.content
    today = date.today()
    response = client.post(f"/insight/life-events/new/{customer.pk}/", {
        "kind": BEREAVEMENT, "event_day": today.day, "event_month": today.month,
        "event_year": today.year, "details": "Husband died.", "channel": ChannelCode.TELEPHONE,
        "services": [str(s.pk) for s in services],
    })
    event = LifeEvent.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/insight/life-events/{event.pk}/"
    handoff = LifeEventNotice.objects.get(service__name="Housing").handoff
    handoff_accept(handoff=handoff, actor=handoff.team.lead)
    detail = client.get(f"/insight/life-events/{event.pk}/").content.decode()
    for name in ("Council Tax", "Benefits", "Housing", "Revenues", "Housing Options"):
        assert name in detail
    assert "In progress" in detail and detail.count("Open</strong>") == 2
    assert f"Contact {event.contact_id}</a>: counted once" in detail
    listing = client.get("/insight/life-events/").content.decode()
    assert "Margaret Lees" in listing


@pytest.mark.django_db
def test_the_form_shows_errors_and_writes_nothing_when_incomplete(client, services):
    client.force_login(user_with(Role.ADVISER))
    customer = CustomerFactory()
    response = client.post(f"/insight/life-events/new/{customer.pk}/", {"kind": BEREAVEMENT})
    assert response.status_code == 400
    content = response.content.decode()
    assert "Select at least one service to tell." in content
    assert "Enter the date of the event" in content
    assert not LifeEvent.objects.exists()


@pytest.mark.django_db
def test_a_future_event_date_is_an_error_on_the_date_linked_from_the_summary(client, services):
    client.force_login(user_with(Role.ADVISER))
    customer = CustomerFactory()
    tomorrow = date.today() + timedelta(days=2)
    response = client.post(f"/insight/life-events/new/{customer.pk}/", {
        "kind": BEREAVEMENT, "event_day": tomorrow.day, "event_month": tomorrow.month,
        "event_year": tomorrow.year, "details": "Husband died.", "channel": ChannelCode.TELEPHONE,
        "services": [str(services[0].pk)],
    })
    assert response.status_code == 400
    content = response.content.decode()
    assert '<a href="#id_event_day">The date of the event must be today or in the past.</a>' in content
    assert 'id="id_event-error"' in content
    assert not LifeEvent.objects.exists()
