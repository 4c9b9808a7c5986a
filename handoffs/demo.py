"""Demo hand-offs for `manage.py seed_demo` (called from HandoffsConfig.seed_demo).

For seeded contacts that call for a hand-off and have none: open it (bulk), then progress it the
way a back office does: older ones mostly accepted and resolved within the service standard,
some resolved late, some still open past their due date, some with customer-informed updates.
Safe to run again: contacts that have a hand-off are left alone.
"""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from contacts.models import Contact
from core.models import HandoffMethod
from core.roles import Role
from core.working_days import calendar, local_date
from handoffs.models import Handoff, HandoffUpdate
from handoffs.services import long_date

Kind = HandoffUpdate.Kind

NOTES = [
    "Inspected on site; work order raised.",
    "Waiting for the contractor to confirm a date.",
    "Checked the account and corrected the record.",
    "Passed to the area officer to visit.",
    "Parts ordered; repair booked.",
]
OUTCOMES = [
    "Collected and the round sheet corrected.",
    "Repaired; the customer confirmed it is working.",
    "Account corrected and a revised bill sent.",
    "Visited and made safe; permanent repair scheduled.",
    "Explained the decision to the customer in writing.",
]
CUSTOMER_INFORMED = [
    "Rang the customer with the date of the visit.",
    "Emailed the customer to say the work is booked.",
    "Wrote to the customer with the outcome of the check.",
]


def _moment(day, rng, earliest=None):
    """A time on a working-hours clock on `day`, not before `earliest` and never in the future."""
    moment = timezone.make_aware(datetime.combine(day, time(rng.randint(9, 16), rng.randint(0, 59))))
    if earliest is not None and moment <= earliest:
        moment = earliest + timedelta(minutes=rng.randint(20, 240))
    return min(moment, timezone.now() - timedelta(minutes=1))


@transaction.atomic
def seed_handoffs(*, command, rng, today, days) -> int:
    contacts = list(
        Contact.objects.exclude(handoff_method=HandoffMethod.ONE_AND_DONE)
        .filter(handoffs__isnull=True, enquiry_type__team__isnull=False)
        .select_related("enquiry_type__team", "handled_by", "created_by")
        .order_by("received_at", "pk")
    )
    if not contacts:
        command.stdout.write("Hand-offs: nothing to open.")
        return 0
    cal = calendar()
    officers = {}
    handoffs = []
    for contact in contacts:
        team = contact.enquiry_type.team
        if team.pk not in officers:
            officers[team.pk] = list(team.members.filter(groups__name=Role.BACK_OFFICE, is_active=True)
                                     .order_by("pk")) or [u for u in [team.lead] if u]
        handoffs.append(Handoff(
            contact=contact, method=contact.handoff_method, team=team, opened_at=contact.received_at,
            due_date=cal.add_working_days(local_date(contact.received_at),
                                          contact.enquiry_type.target_working_days),
            advocate=(contact.handled_by if contact.handoff_method == HandoffMethod.CUSTOMER_ADVOCATE
                      else None),
        ))
    Handoff.objects.bulk_create(handoffs, batch_size=500)

    updates, closed = [], []
    for handoff in handoffs:
        updates.append(HandoffUpdate(handoff=handoff, kind=Kind.OPENED, at=handoff.opened_at,
                                     author=handoff.contact.created_by))
        _progress(handoff, rng, today, cal, officers[handoff.team_id], updates)
        if handoff.status == Handoff.Status.RESOLVED:
            handoff.contact.enquiry_closed_at = handoff.resolved_at
            closed.append(handoff.contact)
    Handoff.objects.bulk_update(
        handoffs, ["status", "assigned_to", "accepted_at", "resolved_at", "outcome", "reminded_at",
                   "overdue_at"], batch_size=500)
    HandoffUpdate.objects.bulk_create(updates, batch_size=1000)
    Contact.objects.bulk_update(closed, ["enquiry_closed_at"], batch_size=500)
    overdue = sum(1 for h in handoffs if h.status != Handoff.Status.RESOLVED and h.due_date < today)
    command.stdout.write(f"Hand-offs: opened {len(handoffs)}, resolved {len(closed)}, "
                         f"{overdue} open past their due date.")
    return len(handoffs)


def _progress(handoff, rng, today, cal, officers, updates) -> None:
    if not officers:
        return
    past_due = handoff.due_date < today
    roll = rng.random()
    if past_due:
        plan = "resolved" if roll < 0.82 else "late" if roll < 0.9 else "overdue"
    else:
        plan = "resolved" if roll < 0.25 else "in_progress" if roll < 0.7 else "open"
    if plan == "open":
        return
    officer = rng.choice(officers)
    opened_day = local_date(handoff.opened_at)
    accepted_at = _moment(opened_day if rng.random() < 0.6 else cal.add_working_days(opened_day, 1),
                          rng, earliest=handoff.opened_at)
    handoff.status, handoff.assigned_to, handoff.accepted_at = (
        Handoff.Status.IN_PROGRESS, officer, accepted_at)
    updates.append(HandoffUpdate(handoff=handoff, kind=Kind.ACCEPTED, at=accepted_at, author=officer))
    last = accepted_at
    if rng.random() < 0.5:
        informed = handoff.method == HandoffMethod.CUSTOMER_ADVOCATE or rng.random() < 0.3
        last = last + timedelta(hours=rng.randint(2, 30))
        last = min(last, timezone.now() - timedelta(seconds=30))
        via = rng.choice(HandoffUpdate.InformedVia.values[:3]) if informed else ""
        updates.append(HandoffUpdate(
            handoff=handoff, kind=Kind.NOTE, at=last, author=officer,
            note=rng.choice(CUSTOMER_INFORMED if informed else NOTES),
            customer_informed=informed, informed_via=via, informed_at=last if informed else None))
    if plan in ("resolved", "late"):
        standard_days = max(cal.working_days_between(opened_day, handoff.due_date), 0)
        day = (cal.add_working_days(opened_day, rng.randint(0, standard_days)) if plan == "resolved"
               else cal.add_working_days(handoff.due_date, rng.randint(1, 4)))
        if day > today:
            return
        resolved_at = _moment(day, rng, earliest=last)
        if resolved_at <= last:
            return
        handoff.status, handoff.resolved_at = Handoff.Status.RESOLVED, resolved_at
        handoff.outcome = rng.choice(OUTCOMES)
        updates.append(HandoffUpdate(handoff=handoff, kind=Kind.RESOLVED, at=resolved_at,
                                     author=officer, note=handoff.outcome))
    if handoff.status != Handoff.Status.RESOLVED and handoff.due_date < today:
        # The sweep would have reminded and marked these on the way; say so, without sending
        # a flood of demo messages.
        handoff.reminded_at = _moment(cal.subtract_working_days(handoff.due_date, 1), rng)
        handoff.overdue_at = _moment(cal.add_working_days(handoff.due_date, 1), rng)
        updates.append(HandoffUpdate(handoff=handoff, kind=Kind.REMINDER, at=handoff.reminded_at,
                                     note=f"Owner reminded: due {long_date(handoff.due_date)}."))
        updates.append(HandoffUpdate(handoff=handoff, kind=Kind.OVERDUE, at=handoff.overdue_at,
                                     note=f"Past its due date of {long_date(handoff.due_date)}."))
