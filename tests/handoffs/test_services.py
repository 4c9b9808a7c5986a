"""The hand-off life cycle: accept, update (customer informed), reassign within the team,
resolve with an outcome; each once, in order, with its timeline entry, audit row and messages."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from core.api_errors import StateConflict
from core.models import AuditEvent, ChannelCode, OutboundMessage
from core.roles import Role
from core.services import outbox_drain
from handoffs import services
from handoffs.models import Handoff, HandoffUpdate
from intake.services import contact_log
from tests.concurrency import run_at_once
from tests.factories import CustomerFactory, EnquiryTypeFactory
from tests.handoffs.factories import CA, FAF, at, officer_in, open_handoff, team_with_lead, user_with

Kind = HandoffUpdate.Kind


def _audit_actions(handoff):
    return list(AuditEvent.objects.filter(object_type="handoffs.handoff", object_id=str(handoff.pk))
                .order_by("at", "pk").values_list("action", flat=True))


@pytest.mark.django_db
def test_one_and_done_contact_has_no_handoff():
    enquiry_type = EnquiryTypeFactory()
    contact = contact_log(actor=None, channel=ChannelCode.WEB, service=enquiry_type.service,
                          enquiry_type=enquiry_type, summary="Bin day?", source="adviser").contact
    assert not Handoff.objects.filter(contact=contact).exists()
    assert contact.enquiry_closed_at is not None


@pytest.mark.django_db
def test_fire_and_forget_goes_to_the_team_queue_without_an_advocate():
    adviser = user_with(Role.ADVISER)
    handoff = open_handoff(method=FAF, adviser=adviser)
    assert handoff.status == Handoff.Status.OPEN
    assert handoff.advocate is None
    assert handoff.assigned_to is None
    assert list(handoff.updates.values_list("kind", flat=True)) == [Kind.OPENED]


@pytest.mark.django_db
def test_fire_and_forget_life_cycle_accept_update_resolve():
    team = team_with_lead()
    officer = officer_in(team)
    handoff = open_handoff(method=FAF, team=team)

    handoff = services.handoff_accept(handoff=handoff, actor=officer)
    assert (handoff.status, handoff.assigned_to) == (Handoff.Status.IN_PROGRESS, officer)
    assert handoff.accepted_at is not None

    update = services.handoff_add_update(handoff=handoff, actor=officer, note="Crew booked.",
                                         customer_informed=True, informed_via="phone")
    assert update.customer_informed and update.informed_via == "phone"
    assert update.informed_at == update.at

    handoff = services.handoff_resolve(handoff=handoff, actor=officer, outcome="Collected today.")
    handoff.refresh_from_db()
    handoff.contact.refresh_from_db()
    assert handoff.status == Handoff.Status.RESOLVED
    assert handoff.outcome == "Collected today."
    assert handoff.contact.enquiry_closed_at == handoff.resolved_at
    assert list(handoff.updates.order_by("at", "pk").values_list("kind", flat=True)) == [
        Kind.OPENED, Kind.ACCEPTED, Kind.NOTE, Kind.RESOLVED]
    assert _audit_actions(handoff) == ["created", "handoff_accepted", "handoff_updated",
                                       "handoff_resolved"]
    # Fire and Forget: nobody in the front office is told, the customer is not emailed.
    assert not OutboundMessage.objects.exists()


@pytest.mark.django_db
def test_customer_advocate_is_told_of_every_back_office_update_and_customer_emailed_on_resolution(
        mailoutbox, django_capture_on_commit_callbacks):
    team = team_with_lead()
    officer = officer_in(team)
    adviser = user_with(Role.ADVISER)
    handoff = open_handoff(method=CA, team=team, adviser=adviser,
                           customer=CustomerFactory(consent_email=True))
    assert handoff.advocate == adviser

    with django_capture_on_commit_callbacks(execute=True):
        services.handoff_accept(handoff=handoff, actor=officer)
        services.handoff_add_update(handoff=handoff, actor=officer, note="Parts ordered.")
        services.handoff_add_update(handoff=handoff, actor=adviser, note="Told the customer.",
                                    customer_informed=True, informed_via="email")
        services.handoff_resolve(handoff=handoff, actor=officer, outcome="Boiler repaired.")

    to_advocate = OutboundMessage.objects.filter(recipient_user=adviser).order_by("pk")
    # Accepted, the officer's update and the resolution; not the advocate's own update.
    assert to_advocate.count() == 3
    assert "Parts ordered." in to_advocate[1].body
    customer_email = OutboundMessage.objects.get(dedupe_key=f"handoff:{handoff.pk}:resolved:customer")
    assert customer_email.to_email == handoff.contact.customer.email
    assert "Boiler repaired." in customer_email.body
    assert "has been resolved" in customer_email.subject
    outbox_drain()
    assert handoff.contact.customer.email in [m.to[0] for m in mailoutbox]


@pytest.mark.django_db
def test_customer_advocate_without_an_email_address_gets_no_email():
    team = team_with_lead()
    officer = officer_in(team)
    handoff = open_handoff(method=CA, team=team, customer=CustomerFactory(consent_email=True))
    handoff.contact.customer.email = ""
    handoff.contact.customer.save()
    services.handoff_resolve(handoff=handoff, actor=officer, outcome="Done.")
    assert not OutboundMessage.objects.filter(dedupe_key__endswith=":resolved:customer").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("steps", "action", "message"),
    [
        (["accept"], "accept", "in progress cannot be accepted"),
        (["resolve"], "accept", "resolved cannot be accepted"),
        (["resolve"], "update", "resolved cannot be updated"),
        (["resolve"], "resolve", "resolved cannot be resolved"),
        (["accept", "resolve"], "reassign", "resolved cannot be reassigned"),
    ],
)
def test_actions_not_allowed_in_the_current_status_conflict(steps, action, message):
    team = team_with_lead()
    officer = officer_in(team)
    other = officer_in(team)
    handoff = open_handoff(team=team)
    calls = {
        "accept": lambda: services.handoff_accept(handoff=handoff, actor=officer),
        "update": lambda: services.handoff_add_update(handoff=handoff, actor=officer, note="x"),
        "resolve": lambda: services.handoff_resolve(handoff=handoff, actor=officer, outcome="x"),
        "reassign": lambda: services.handoff_reassign(handoff=handoff, actor=officer, officer=other),
    }
    for step in steps:
        calls[step]()
    with pytest.raises(StateConflict, match=message):
        calls[action]()


@pytest.mark.django_db
def test_reassign_only_to_a_member_of_the_handoffs_team():
    team = team_with_lead()
    officer, colleague = officer_in(team), officer_in(team)
    outsider = officer_in(team_with_lead())
    handoff = services.handoff_accept(handoff=open_handoff(team=team), actor=officer)
    with pytest.raises(ValidationError) as error:
        services.handoff_reassign(handoff=handoff, actor=officer, officer=outsider)
    assert "officer" in error.value.error_dict
    handoff = services.handoff_reassign(handoff=handoff, actor=officer, officer=colleague)
    handoff.refresh_from_db()
    assert handoff.assigned_to == colleague
    assert handoff.updates.filter(kind=Kind.REASSIGNED).count() == 1


@pytest.mark.django_db
def test_reassigning_an_open_handoff_puts_it_in_progress_with_the_officer():
    team = team_with_lead()
    colleague = officer_in(team)
    handoff = services.handoff_reassign(handoff=open_handoff(team=team), actor=team.lead,
                                        officer=colleague)
    assert (handoff.status, handoff.assigned_to) == (Handoff.Status.IN_PROGRESS, colleague)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda h, o: services.handoff_add_update(handoff=h, actor=o, note="  "), "note"),
        (lambda h, o: services.handoff_resolve(handoff=h, actor=o, outcome=""), "note"),
        (lambda h, o: services.handoff_add_update(handoff=h, actor=o, note="x", customer_informed=True,
                                                  informed_via="pigeon"), "informed_via"),
        (lambda h, o: services.handoff_accept(handoff=h, actor=o,
                                              at=timezone.now() + timedelta(hours=1)), "at"),
        (lambda h, o: services.handoff_accept(handoff=h, actor=o,
                                              at=h.opened_at - timedelta(minutes=1)), "at"),
    ],
    ids=["blank-note", "blank-outcome", "unknown-informed-via", "at-in-future", "at-before-opened"],
)
def test_invalid_input_is_refused_and_nothing_changes(call, field):
    team = team_with_lead()
    officer = officer_in(team)
    handoff = open_handoff(team=team)
    with pytest.raises(ValidationError) as error:
        call(handoff, officer)
    assert field in error.value.error_dict
    assert handoff.updates.count() == 1


@pytest.mark.django_db
def test_events_may_be_back_dated_but_not_before_the_previous_one():
    team = team_with_lead()
    officer = officer_in(team)
    with time_machine.travel(at("2023-01-09", 9), tick=False):
        handoff = open_handoff(team=team, received_at=at("2023-01-09", 9))
    with time_machine.travel(at("2023-01-12"), tick=False):
        services.handoff_accept(handoff=handoff, actor=officer, at=at("2023-01-10"))
        with pytest.raises(ValidationError):
            services.handoff_resolve(handoff=handoff, actor=officer, outcome="x", at=at("2023-01-09", 12))
        services.handoff_resolve(handoff=handoff, actor=officer, outcome="x", at=at("2023-01-11"))
    handoff.refresh_from_db()
    assert handoff.accepted_at == at("2023-01-10")
    assert handoff.resolved_at == at("2023-01-11")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_officers_accepting_at_once_exactly_one_wins():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    team = team_with_lead()
    officers = [officer_in(team), officer_in(team)]
    handoff = open_handoff(team=team)

    def accept(officer):
        services.handoff_accept(handoff=Handoff.objects.get(pk=handoff.pk), actor=officer)
        return "won"

    outcomes = run_at_once(*(lambda officer=officer: accept(officer) for officer in officers))
    assert sorted("conflict" if isinstance(o, StateConflict) else o for o in outcomes) == [
        "conflict", "won"]
    assert handoff.updates.filter(kind=Kind.ACCEPTED).count() == 1
