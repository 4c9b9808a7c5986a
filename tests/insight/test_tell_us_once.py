"""Tell Us Once (issue 11): a life event recorded once becomes exactly one contact and hand-off
for each chosen service, all or nothing, and the adviser follows them on one page."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from contacts.models import Contact
from core.models import ChannelCode, HandoffMethod
from core.roles import Role
from handoffs.models import Handoff
from handoffs.services import handoff_accept
from insight.models import LifeEvent, LifeEventKind, LifeEventNotice, TellUsOnceRoute
from insight.services import life_event_record
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
def services(db):
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
def test_each_chosen_service_gets_exactly_one_handoff_with_the_shared_details(services):
    council_tax, benefits, _housing = services
    event = _record([council_tax, benefits, council_tax])  # chosen twice: told once
    notices = list(event.notices.select_related("contact__handoff__team", "service"))
    assert sorted(n.service.name for n in notices) == ["Benefits", "Council Tax"]
    assert Handoff.objects.count() == 2
    for notice in notices:
        contact = notice.contact
        assert contact.customer == event.customer
        assert contact.service == notice.service
        assert "Mrs Lees now lives alone" in contact.summary
        assert contact.direction == Contact.Direction.OUTBOUND
    teams = {n.service.name: n.contact.handoff.team.name for n in notices}
    assert teams == {"Council Tax": "Revenues", "Benefits": "Benefits"}
    benefits_handoff = next(n for n in notices if n.service == benefits).contact.handoff
    assert benefits_handoff.method == HandoffMethod.CUSTOMER_ADVOCATE
    assert benefits_handoff.advocate == event.recorded_by


@pytest.mark.django_db
def test_a_failure_part_way_leaves_no_event_contact_or_handoff(services):
    council_tax, benefits, housing = services
    # Housing's route is broken: its enquiry type belongs to another service, which
    # contact_create refuses. Benefits and Council Tax come first (alphabetical) and succeed.
    route = TellUsOnceRoute.objects.get(service=housing)
    route.enquiry_type = EnquiryTypeFactory(handoff_method=HandoffMethod.FIRE_AND_FORGET,
                                            team=team_with_lead())
    route.save()
    before = _counts()
    with pytest.raises(ValidationError):
        _record([council_tax, benefits, housing])
    assert _counts() == before


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
    handoff = Handoff.objects.filter(contact__service__name="Housing").get()
    handoff_accept(handoff=handoff, actor=handoff.team.lead)
    detail = client.get(f"/insight/life-events/{event.pk}/").content.decode()
    for name in ("Council Tax", "Benefits", "Housing", "Revenues", "Housing Options"):
        assert name in detail
    assert "In progress" in detail and detail.count("Open</strong>") == 2
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
    assert 'id="event-date-error"' in content
    assert not LifeEvent.objects.exists()
