"""Varied contacts for the reporting tests."""

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from core.models import AvoidableReason, ChannelCode, HandoffMethod
from tests.factories import (
    ContactFactory,
    CustomerFactory,
    EnquiryTypeFactory,
    ServiceFactory,
    SiteFactory,
    TeamFactory,
)

LONDON = ZoneInfo("Europe/London")


def varied_contacts(n: int = 60, seed: int = 1, start=None, days: int = 120):
    """n contacts over `days` days across 3 services, 2 enquiry types each, channels, 2 sites
    (or none), avoidable with varied reasons, first-contact resolution or not."""
    rng = random.Random(seed)
    services = [ServiceFactory() for _ in range(3)]
    types = {s.pk: [EnquiryTypeFactory(service=s) for _ in range(2)] + [None] for s in services}
    sites = [SiteFactory(), SiteFactory(), None]
    reasons = list(AvoidableReason.objects.order_by("code")[:3])
    start = start or (datetime.now(LONDON).date() - timedelta(days=days))
    contacts = []
    for _ in range(n):
        service = rng.choice(services)
        day = start + timedelta(days=rng.randrange(days))
        at = datetime.combine(day, time(rng.randrange(0, 24), rng.randrange(60)), tzinfo=LONDON)
        avoidable = rng.random() < 0.35
        contacts.append(ContactFactory(
            service=service, enquiry_type=rng.choice(types[service.pk]),
            channel=rng.choice(ChannelCode.values), site=rng.choice(sites), received_at=at,
            avoidable=avoidable, avoidable_reason=rng.choice(reasons) if avoidable else None,
            resolved_at_first_contact=rng.random() < 0.7, customer=None,
        ))
    return contacts


def varied_handoffs(contacts, seed: int = 3, teams=None):
    """Hand-offs for about half the contacts: two teams, both methods, resolved early, on the due
    date (late in the London evening), the day after (just after midnight in London, which is
    still the due date in UTC during summer time), or still open."""
    from handoffs.models import Handoff

    rng = random.Random(seed)
    teams = teams or [TeamFactory(), TeamFactory()]
    handoffs = []
    for contact in contacts:
        if rng.random() < 0.45:
            continue
        opened = contact.received_at
        due = timezone.localtime(opened).date() + timedelta(days=rng.randrange(1, 8))
        fate = rng.random()
        resolved_at = None
        if fate < 0.25:
            resolved_at = opened + timedelta(hours=rng.randrange(1, 24))
        elif fate < 0.45:
            resolved_at = datetime.combine(due, time(23, 30), tzinfo=LONDON)
        elif fate < 0.65:
            resolved_at = datetime.combine(due + timedelta(days=1), time(0, 30), tzinfo=LONDON)
        elif fate < 0.75:
            resolved_at = datetime.combine(due + timedelta(days=rng.randrange(2, 9)), time(10), tzinfo=LONDON)
        handoffs.append(Handoff.objects.create(
            contact=contact,
            method=rng.choice([HandoffMethod.FIRE_AND_FORGET, HandoffMethod.CUSTOMER_ADVOCATE]),
            team=rng.choice(teams), opened_at=opened, due_date=due,
            status=Handoff.Status.RESOLVED if resolved_at else rng.choice(["open", "in_progress"]),
            resolved_at=resolved_at,
        ))
    return handoffs


def varied_complaints(services, officer, n: int = 40, seed: int = 4, start=date(2025, 1, 6), days: int = 120):
    """Complaints through the complaints services: both processes, some made to the Ombudsman
    first, awaiting allocation, open (overdue now), responded on time or late with every outcome,
    escalated, referred to the Ombudsman, with and without lessons learned."""
    from complaints import services as cs
    from complaints.models import Outcome, Process

    rng = random.Random(seed)
    complaints = []
    # The officer takes every stage, stage 2 and premature Ombudsman cases included, which only a
    # senior officer may own (issue 18).
    if not officer.is_senior_officer:
        officer.is_senior_officer = True
        officer.save(update_fields=["is_senior_officer"])
    for i in range(n):
        received = datetime.combine(start + timedelta(days=rng.randrange(days)),
                                    time(rng.randrange(8, 18), rng.randrange(60)), tzinfo=LONDON)
        process = rng.choice([Process.CORPORATE, Process.STATUTORY])
        via = process == Process.CORPORATE and rng.random() < 0.15
        complaint = cs.complaint_create(
            actor=officer, customer=CustomerFactory(), service=rng.choice(services),
            summary=f"Complaint {i}", process=process, received_at=received,
            via_ombudsman=via, ombudsman_reference="LGO-1" if via else "")
        complaints.append(complaint)
        at = received
        final = "2" if process == Process.CORPORATE else "3"
        while True:
            if rng.random() < 0.12:
                break  # awaiting allocation (stage 1) or the next stage's owner
            at = at + timedelta(hours=rng.randrange(1, 30))
            complaint = cs.complaint_allocate(complaint=complaint, actor=officer, officer=officer, at=at)
            if rng.random() < 0.15:
                break  # open, its clock running (long past by now: overdue)
            at = at + timedelta(days=rng.randrange(1, 20), hours=rng.randrange(0, 10))
            complaint = cs.complaint_respond(
                complaint=complaint, actor=officer, outcome=rng.choice(Outcome.values), response="Answer",
                lessons_learned=rng.choice(["", "", f"Lesson {i} at stage {complaint.stage}"]), at=at)
            if rng.random() < 0.5:
                if rng.random() < 0.4:
                    at = at + timedelta(days=1)
                    complaint = cs.complaint_close(complaint=complaint, actor=officer, at=at)
                break
            at = at + timedelta(days=2)
            if complaint.stage == final:
                cs.complaint_refer_to_ombudsman(complaint=complaint, actor=officer,
                                                reference=f"LGO-{i}", at=at)
                break
            complaint = cs.complaint_escalate(complaint=complaint, actor=officer, reason="Unhappy", at=at)
    return complaints
