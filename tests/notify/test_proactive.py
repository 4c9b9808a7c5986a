"""Proactive updates (issue 19, item 3): rules an admin edits decide which events tell the
customer; the sweep tells customers whose enquiry is about to miss its service standard, once,
with the new expected date counted in working days over real bank holidays."""

from collections import Counter
from datetime import date

import pytest
from django.db import connection

from complaints.models import Outcome
from contacts.models import Contact, ProactiveRule
from core.models import MessageType, OutboundMessage
from core.services import outbox_drain
from handoffs import services
from handoffs.models import Handoff
from tests.complaints.factories import complaint, walk
from tests.concurrency import raised, run_at_once
from tests.factories import CustomerFactory, EnquiryTypeFactory
from tests.handoffs.factories import officer_in, open_handoff, team_with_lead


def _agreeing(**kwargs):
    return CustomerFactory(**{"email": "sam@example.com", "message_channel": "email",
                              "consent_email": True, **kwargs})


def _to_customers():
    return OutboundMessage.objects.filter(recipient_type="contacts.customer")


@pytest.mark.django_db
def test_accepting_and_resolving_a_handoff_tells_a_customer_who_agreed():
    team = team_with_lead()
    officer = officer_in(team)
    handoff = open_handoff(team=team, customer=_agreeing())
    services.handoff_accept(handoff=handoff, actor=officer)
    services.handoff_resolve(handoff=handoff, actor=officer, outcome="Bin replaced.")
    sent = list(_to_customers().order_by("pk").values_list("message_type", "channel", "to_email"))
    assert sent == [("handoff_accepted", "email", "sam@example.com"),
                    ("handoff_resolved", "email", "sam@example.com")]
    resolved = _to_customers().get(message_type="handoff_resolved")
    assert "Bin replaced." in resolved.body
    assert resolved.personalisation["outcome"] == "Bin replaced."


@pytest.mark.django_db
def test_a_rule_turned_off_for_an_enquiry_type_tells_nobody_about_it():
    team = team_with_lead()
    officer = officer_in(team)
    quiet_type = EnquiryTypeFactory(team=team)
    ProactiveRule.objects.create(event=MessageType.HANDOFF_ACCEPTED, enquiry_type=quiet_type, enabled=False)
    off = open_handoff(team=team, customer=_agreeing())
    Contact.objects.filter(pk=off.contact_id).update(enquiry_type=quiet_type)
    on = open_handoff(team=team, customer=_agreeing(email="other@example.com"))
    services.handoff_accept(handoff=off, actor=officer)
    services.handoff_accept(handoff=on, actor=officer)
    assert list(_to_customers().values_list("to_email", flat=True)) == ["other@example.com"]


@pytest.mark.django_db
def test_with_the_default_rule_off_only_an_enquiry_type_turned_on_is_told():
    team = team_with_lead()
    officer = officer_in(team)
    ProactiveRule.objects.filter(event=MessageType.HANDOFF_ACCEPTED, enquiry_type=None).update(enabled=False)
    chosen = open_handoff(team=team, customer=_agreeing())
    ProactiveRule.objects.create(event=MessageType.HANDOFF_ACCEPTED,
                                 enquiry_type_id=chosen.contact.enquiry_type_id, enabled=True)
    other = open_handoff(team=team, customer=_agreeing(email="other@example.com"))
    services.handoff_accept(handoff=chosen, actor=officer)
    services.handoff_accept(handoff=other, actor=officer)
    assert list(_to_customers().values_list("to_email", flat=True)) == ["sam@example.com"]


@pytest.mark.django_db
@pytest.mark.parametrize("source", [Contact.Source.OPEN311, Contact.Source.SELF_SERVICE])
def test_a_reported_problem_tells_its_status(source):
    team = team_with_lead()
    officer = officer_in(team)
    handoff = open_handoff(team=team, customer=_agreeing())
    Contact.objects.filter(pk=handoff.contact_id).update(source=source)
    services.handoff_accept(handoff=handoff, actor=officer)
    services.handoff_resolve(handoff=handoff, actor=officer, outcome="Filled the pothole.")
    statuses = [m.personalisation["status"] for m in _to_customers().order_by("pk")]
    assert statuses == ["in progress", "closed"]
    assert set(_to_customers().values_list("message_type", flat=True)) == {"request_status_changed"}


@pytest.mark.django_db
def test_an_answered_complaint_tells_the_complainant_once_per_stage():
    case = complaint(customer=_agreeing())
    walk(case, ["allocate", "respond"])
    [message] = _to_customers()
    assert message.message_type == "complaint_answered"
    assert message.personalisation["outcome"] == Outcome.UPHELD.label
    assert message.personalisation["reference"] == case.reference
    walk(case, ["escalate", "allocate", "respond"])
    assert _to_customers().count() == 2


# --- The "about to be missed" sweep --------------------------------------------------------------

# Thursday 24 December 2026: the next working day is Tuesday 29 December (Christmas Day, the
# weekend, and Boxing Day's substitute bank holiday on Monday 28 December in between).
CHRISTMAS_EVE = date(2026, 12, 24)


def _due(due_date: date, **customer):
    handoff = open_handoff(customer=_agreeing(**customer) if customer is not None else None)
    Handoff.objects.filter(pk=handoff.pk).update(due_date=due_date)
    return handoff


@pytest.mark.django_db
def test_the_sweep_tells_customers_one_working_day_before_the_due_date_over_christmas():
    due_next_working_day = _due(date(2026, 12, 29))
    due_later = _due(date(2026, 12, 30), email="later@example.com")
    no_consent = _due(date(2026, 12, 29), email="nope@example.com", consent_email=False)
    assert services.handoffs_warn_customers(today=CHRISTMAS_EVE) == 1
    [message] = _to_customers()
    assert message.dedupe_key == f"handoff:{due_next_working_day.pk}:at_risk:customer"
    # Five working days after 29 December: 30, 31 December, (New Year's Day), 4, 5, 6 January.
    assert message.personalisation["new_date"] == "6 January 2027"
    assert message.personalisation["due_date"] == "29 December 2026"
    assert "We now expect to finish by 6 January 2027" in message.body
    assert services.handoffs_warn_customers(today=CHRISTMAS_EVE) == 0  # once
    assert due_later.pk and no_consent.pk


@pytest.mark.django_db
def test_the_sweep_follows_each_enquiry_types_rule():
    handoff = _due(date(2026, 12, 30))
    ProactiveRule.objects.create(event=MessageType.HANDOFF_AT_RISK,
                                 enquiry_type_id=handoff.contact.enquiry_type_id,
                                 warn_working_days=2, extra_working_days=1)
    assert services.handoffs_warn_customers(today=CHRISTMAS_EVE) == 1
    assert _to_customers().get().personalisation["new_date"] == "31 December 2026"
    ProactiveRule.objects.update(enabled=False)
    assert services.handoffs_warn_customers(today=CHRISTMAS_EVE) == 0


@pytest.mark.django_db
def test_resolved_overdue_and_anonymous_enquiries_are_not_swept():
    team = team_with_lead()
    resolved = _due(date(2026, 12, 29))
    services.handoff_resolve(handoff=resolved, actor=officer_in(resolved.team), outcome="Done")
    _to_customers().delete()
    _due(date(2026, 12, 23))  # already late: the sweep tells before, not after
    anonymous = open_handoff(team=team, no_customer=True)
    Handoff.objects.filter(pk=anonymous.pk).update(due_date=date(2026, 12, 29))
    assert services.handoffs_warn_customers(today=CHRISTMAS_EVE) == 0


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_tell_each_customer_once(standin):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    handoffs = [_due(date(2026, 12, 29), email=f"c{n}@example.com") for n in range(40)]
    outcomes = run_at_once(lambda: services.handoffs_warn_customers(today=CHRISTMAS_EVE),
                           lambda: services.handoffs_warn_customers(today=CHRISTMAS_EVE))
    assert not raised(outcomes), outcomes
    assert sum(outcomes) == 40
    keys = Counter(_to_customers().values_list("dedupe_key", flat=True))
    assert keys == Counter(f"handoff:{h.pk}:at_risk:customer" for h in handoffs)
    run_at_once(outbox_drain, outbox_drain)
    assert Counter(n["to"] for n in standin.sent()) == Counter(f"c{n}@example.com" for n in range(40))
