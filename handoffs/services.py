"""Writes of the hand-offs app (DOMAIN.md, "Hand-offs between front and back office").

Each action locks the hand-off row, checks the action is allowed in its current status (else
StateConflict: 409 in the API), records a HandoffUpdate and an audit row in the same transaction,
and then tells whoever must know through the outbox.
"""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import CharField, Exists, F, Max, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat
from django.template.loader import render_to_string
from django.utils import timezone

from contacts.models import Contact
from contacts.services import (
    CustomerUpdate,
    contact_enquiry_close,
    customer_updates_send,
    proactive_rule_for,
    proactive_rules,
)
from core.api_errors import StateConflict
from core.models import HandoffMethod, MessageType, OutboundMessage, Team, User
from core.services import (
    Message,
    Outgoing,
    audit_record,
    audit_record_many,
    event_time,
    outbox_send,
    outbox_send_many,
)
from core.working_days import add_working_days, calendar, local_date
from handoffs.models import ACTION_STATUSES, Handoff, HandoffUpdate
from handoffs.selectors import handoff_may_assign, handoff_previous_event_at, handoffs_visible_to

Status = Handoff.Status


def long_date(day: date) -> str:
    """"4 November 2026", as people write it in messages and timelines."""
    return f"{day.day} {day:%B %Y}"


@transaction.atomic(savepoint=False)  # part of the intake's transaction, no savepoint of its own
def handoff_open(*, contact: Contact, actor, enquiry_type, method: str) -> Handoff:
    """Open a hand-off of a contact to the team `enquiry_type` names (DOMAIN.md, "Hand-offs").

    The due date is the enquiry type's service standard in working days after the day the contact
    was received (the shared calendar). For Customer Advocate whoever logged the contact becomes
    the advocate. Which hand-offs a contact needs is the intake's rule (`intake.rules`): one, or
    one per service told of a life event.
    """
    handoff = Handoff.objects.create(
        contact=contact,
        contact_customer_id=contact.customer_id,  # as the database's trigger copies it
        method=method,
        team=enquiry_type.team,
        opened_at=contact.received_at,
        due_date=add_working_days(contact.received_at, enquiry_type.target_working_days),
        advocate=(
            actor if method == HandoffMethod.CUSTOMER_ADVOCATE and getattr(actor, "pk", None)
            else None
        ),
    )
    # The timeline starts when the contact was received, so back-dated contacts (imports,
    # off-line work) can have their later events back-dated too.
    HandoffUpdate.objects.create(
        handoff=handoff, kind=HandoffUpdate.Kind.OPENED, at=handoff.opened_at,
        author=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor, action="created", target=handoff,
        changes={"method": handoff.method, "team": handoff.team.code,
                 "due_date": handoff.due_date.isoformat()},
    )
    return handoff


# --- Life cycle --------------------------------------------------------------------------------


_PAST = {"accept": "accepted", "update": "updated", "reassign": "reassigned", "resolve": "resolved"}


def _lock(handoff: Handoff, action: str) -> Handoff:
    """The hand-off row locked for this transaction, so that of two officers acting at once the
    second sees the first one's result; StateConflict when its status does not allow `action`."""
    locked = (Handoff.objects.select_for_update(of=("self",))
              .select_related("team", "contact__customer", "advocate", "assigned_to")
              .get(pk=handoff.pk))
    if locked.status not in ACTION_STATUSES[action]:
        raise StateConflict(f"A hand-off that is {locked.get_status_display().lower()} "
                            f"cannot be {_PAST[action]}.")
    return locked


def _record(handoff: Handoff, *, actor, kind: str, at, note: str = "", action: str,
            changes: dict, customer_informed: bool = False, informed_via: str = "",
            informed_at=None) -> HandoffUpdate:
    update = HandoffUpdate.objects.create(
        handoff=handoff, kind=kind, at=at, author=actor if getattr(actor, "pk", None) else None,
        note=note, customer_informed=customer_informed, informed_via=informed_via,
        informed_at=informed_at,
    )
    audit_record(actor=actor, action=action, target=handoff, changes=changes)
    _tell_advocate(handoff, update, actor)
    return update


def _tell_advocate(handoff: Handoff, update: HandoffUpdate, actor) -> None:
    """Customer Advocate: the front office keeps owning the enquiry, so the advocate is told of
    every back-office update (DOMAIN.md, "Hand-offs"); not of their own."""
    advocate = _active(handoff.advocate)
    if handoff.method != HandoffMethod.CUSTOMER_ADVOCATE or advocate is None:
        return
    if getattr(actor, "pk", None) == advocate.pk:
        return
    subject = f"Hand-off {handoff.pk} ({handoff.team.name}): {update.get_kind_display().lower()}"
    body = render_to_string("handoffs/email/advocate_update.txt",
                            {"handoff": handoff, "update": update, "actor": actor})
    outbox_send(dedupe_key=f"handoff:{handoff.pk}:update:{update.pk}:advocate",
                message=Message(subject=subject, body=body), recipient_user=advocate,
                about=handoff)


def _active(user: User | None) -> User | None:
    """The user if their account is active: a leaver is sent nothing (issue 18, "People change")."""
    return user if user is not None and user.is_active else None


def _required(field: str, value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


@transaction.atomic
def handoff_accept(*, handoff: Handoff, actor, at=None) -> Handoff:
    """A back-office officer claims an open hand-off from the team queue: it becomes theirs and
    in progress (DOMAIN.md, "Hand-offs"; issue 4, "Back-office queue"). Only an open one."""
    handoff = _lock(handoff, "accept")
    at = event_time(at, previous_at=handoff_previous_event_at(handoff))
    handoff.status = Status.IN_PROGRESS
    handoff.assigned_to = actor
    handoff.accepted_at = at
    handoff.save(update_fields=["status", "assigned_to", "accepted_at"])
    _record(handoff, actor=actor, kind=HandoffUpdate.Kind.ACCEPTED, at=at, action="handoff_accepted",
            changes={"status": [Status.OPEN, Status.IN_PROGRESS], "assigned_to": actor.username})
    _tell_customer(handoff, step="accepted", event=MessageType.HANDOFF_ACCEPTED,
                   due_date=long_date(handoff.due_date))
    return handoff


@transaction.atomic
def handoff_add_update(*, handoff: Handoff, actor, note: str, customer_informed: bool = False,
                       informed_via: str = "", informed_at=None, at=None) -> HandoffUpdate:
    """A progress note on an unresolved hand-off; when it says the customer was informed it
    records how (phone, email, letter) and when (issue 4, "Keeping the customer informed")."""
    handoff = _lock(handoff, "update")
    note = _required("note", note, "Enter the update.")
    if informed_via and informed_via not in HandoffUpdate.InformedVia.values:
        raise ValidationError({"informed_via": "Select how the customer was informed."})
    at = event_time(at, previous_at=handoff_previous_event_at(handoff))
    if customer_informed:
        informed_at = informed_at or at
        if informed_at > at:
            raise ValidationError({"informed_at": "The customer cannot be informed after the update."})
    else:
        informed_via, informed_at = "", None
    return _record(handoff, actor=actor, kind=HandoffUpdate.Kind.NOTE, at=at, note=note,
                   action="handoff_updated", changes={"customer_informed": customer_informed,
                                                      "informed_via": informed_via},
                   customer_informed=customer_informed, informed_via=informed_via,
                   informed_at=informed_at)


@transaction.atomic
def handoff_reassign(*, handoff: Handoff, actor, officer: User, note: str = "", at=None) -> Handoff:
    """Pass an unresolved hand-off to another officer of the same team (issue 4, "reassign
    within the team"); an open one becomes in progress with them."""
    handoff = _lock(handoff, "reassign")
    if officer is None or not handoff.team.members.filter(pk=officer.pk, is_active=True).exists():
        raise ValidationError({"officer": f"Select a member of {handoff.team.name}."})
    if officer.pk == handoff.assigned_to_id:
        raise ValidationError({"officer": f"The hand-off is already assigned to {officer}."})
    at = event_time(at, previous_at=handoff_previous_event_at(handoff))
    before = handoff.assigned_to.username if handoff.assigned_to else None
    previous_status = handoff.status
    handoff.assigned_to = officer
    handoff.status = Status.IN_PROGRESS
    handoff.accepted_at = handoff.accepted_at or at
    handoff.save(update_fields=["assigned_to", "status", "accepted_at"])
    _record(handoff, actor=actor, kind=HandoffUpdate.Kind.REASSIGNED, at=at,
            note=note.strip() or f"Reassigned to {officer}.", action="handoff_reassigned",
            changes={"assigned_to": [before, officer.username],
                     "status": [previous_status, handoff.status]})
    return handoff


def handoffs_reassign_officer(*, actor, officer: User, new_officer: User) -> list[Handoff]:
    """Pass every unresolved hand-off assigned to `officer` (a leaver, someone away) to
    `new_officer`, each through `handoff_reassign` (same team only). All or nothing: one refusal
    refuses the lot, with every refusal said. Call it inside the transaction of the whole change
    (`people.services.officer_work_reassign`)."""
    moved, problems = [], []
    for handoff in Handoff.objects.unresolved().filter(assigned_to=officer).order_by("due_date", "pk"):
        try:
            with transaction.atomic():
                moved.append(handoff_reassign(handoff=handoff, actor=actor, officer=new_officer,
                                              note=f"Reassigned to {new_officer} from {officer}."))
        except ValidationError as error:
            problems.extend(f"Hand-off {handoff.pk}: {message}" for message in error.messages)
    if problems:
        raise ValidationError({"officer": problems})
    return moved


def handoffs_pass_advocacy(*, actor, officer: User, new_officer: User, at=None) -> list[Handoff]:
    """Make `new_officer` the Customer Advocate of every unresolved hand-off `officer` advocates
    (a leaver, someone away: issue 18, "People change"), so someone in the front office still owns
    each enquiry and is told of its updates. Each gets a timeline entry and an audit row; the new
    advocate hears once, from the whole change (`people.services.officer_work_reassign`), not once
    per hand-off. Call it inside that change's transaction."""
    moved = []
    handoffs = (Handoff.objects.unresolved().filter(advocate=officer, method=HandoffMethod.CUSTOMER_ADVOCATE)
                .select_for_update(of=("self",)).select_related("team").order_by("due_date", "pk"))
    for handoff in handoffs:
        when = event_time(at, previous_at=handoff_previous_event_at(handoff))
        handoff.advocate = new_officer
        handoff.save(update_fields=["advocate"])
        HandoffUpdate.objects.create(
            handoff=handoff, kind=HandoffUpdate.Kind.REASSIGNED, at=when,
            author=actor if getattr(actor, "pk", None) else None,
            note=f"Customer advocate changed from {officer} to {new_officer}.")
        audit_record(actor=actor, action="handoff_advocate_changed", target=handoff,
                     changes={"advocate": [officer.username, new_officer.username]})
        moved.append(handoff)
    return moved


@transaction.atomic
def handoffs_assign(*, handoff_ids, actor, officer: User, note: str = "") -> list[Handoff]:
    """Assign the selected hand-offs to one officer at once (issue 20, "bulk actions where a team
    lead needs them"): the team's lead, managers and admins only (PermissionDenied otherwise).
    Each goes through `handoff_reassign`, so each gets its timeline entry and audit row and the
    same rules (an officer of the hand-off's team; unresolved); all or none. Hand-offs already
    with that officer are left as they are, so sending the same request twice changes nothing."""
    ids = sorted({int(pk) for pk in handoff_ids})
    if not ids:
        raise ValidationError({"handoffs": "Select the hand-offs to assign."})
    handoffs = list(handoffs_visible_to(actor).filter(pk__in=ids).select_related("team").order_by("pk"))
    if len(handoffs) != len(ids):
        raise ValidationError({"handoffs": "Some of the selected hand-offs no longer exist."})
    if not all(handoff_may_assign(actor, handoff) for handoff in handoffs):
        raise PermissionDenied("Only the team's lead, managers and admins assign its hand-offs.")
    if officer is None:
        raise ValidationError({"officer": "Select an officer."})
    resolved = [str(h.pk) for h in handoffs if h.status == Status.RESOLVED]
    if resolved:
        raise StateConflict(f"Hand-off {', '.join(resolved)} is resolved: a resolved hand-off "
                            f"cannot be reassigned.")
    outside = sorted({h.team.name for h in handoffs
                      if not h.team.members.filter(pk=officer.pk, is_active=True).exists()})
    if outside:
        raise ValidationError({"officer": f"{officer} is not a member of {', '.join(outside)}: "
                                          f"select an officer of the team."})
    assigned = []
    for handoff in handoffs:
        if handoff.assigned_to_id == officer.pk:
            continue
        assigned.append(handoff_reassign(handoff=handoff, actor=actor, officer=officer,
                                         note=note.strip() or f"Assigned to {officer}."))
    return assigned


@transaction.atomic
def handoff_resolve(*, handoff: Handoff, actor, outcome: str, at=None) -> Handoff:
    """Resolve a hand-off with its outcome: the enquiry behind the contact closes, and for
    Customer Advocate the advocate is told and the customer emailed (DOMAIN.md, "Hand-offs";
    issue 4, "Keeping the customer informed"). Open or in progress; never twice."""
    handoff = _lock(handoff, "resolve")
    outcome = _required("note", outcome, "Enter the outcome.")
    at = event_time(at, previous_at=handoff_previous_event_at(handoff))
    previous_status = handoff.status
    handoff.status = Status.RESOLVED
    handoff.resolved_at = at
    handoff.outcome = outcome
    handoff.assigned_to = handoff.assigned_to or actor
    handoff.save(update_fields=["status", "resolved_at", "outcome", "assigned_to"])
    _record(handoff, actor=actor, kind=HandoffUpdate.Kind.RESOLVED, at=at, note=outcome,
            action="handoff_resolved", changes={"status": [previous_status, Status.RESOLVED]})
    # The enquiry closes with its last hand-off (a life event told to several services has one
    # per service).
    if not Handoff.objects.unresolved().filter(contact_id=handoff.contact_id).exists():
        contact_enquiry_close(contact=handoff.contact, at=at, actor=actor)
    _tell_customer(handoff, step="resolved", event=MessageType.HANDOFF_RESOLVED, outcome=outcome)
    return handoff


# Requests residents made themselves (a street report, a self-service form) hear of their
# request's status; other enquiries of being taken on and resolved (issue 19, "Proactive updates").
_REQUEST_SOURCES = {Contact.Source.OPEN311, Contact.Source.SELF_SERVICE}


def _customer_update(handoff: Handoff, *, step: str, event: str, **fields) -> CustomerUpdate | None:
    contact = handoff.contact
    if contact.customer_id is None:
        return None
    if contact.source in _REQUEST_SOURCES and event != MessageType.HANDOFF_AT_RISK:
        event, fields = MessageType.REQUEST_STATUS_CHANGED, {
            "status": "closed" if step == "resolved" else "in progress"}
    return CustomerUpdate(
        customer=contact.customer, event=event, dedupe_key=f"handoff:{handoff.pk}:{step}:customer",
        about=handoff, enquiry_type_id=contact.enquiry_type_id,
        fields={"reference": str(handoff.contact_id), "service": contact.service.name, **fields})


def _tell_customer(handoff: Handoff, *, step: str, event: str, **fields) -> None:
    update = _customer_update(handoff, step=step, event=event, **fields)
    if update is not None:
        customer_updates_send([update])


# --- Enforcement (DOMAIN.md: "Deadlines are enforced ... The same goes for hand-off service
# standards") ----------------------------------------------------------------------------------

SWEEP_CHUNK = 500


def handoffs_enforce_deadlines(today: date | None = None) -> dict[str, int]:
    """Remind the owner (the assigned officer, else the team lead) one working day before a
    hand-off's due date; once the due date has passed mark it overdue and tell the team lead
    and, for Customer Advocate, the advocate (issue 4, "Enforcement by Celery").

    Idempotent and safe under concurrent sweeps: each step locks the rows still waiting for it,
    flips its own flag (`reminded_at`, `overdue_at`) and sends messages with outbox dedupe keys;
    a second sweep waits for the first and then finds nothing left. The two queries read partial
    indexes that hold only the hand-offs still waiting for that step, so a sweep touches only
    what is due, and one that runs after downtime catches up: a hand-off whose reminder day was
    missed still gets its one reminder, then its one overdue notice.
    """
    today = today or timezone.localdate()
    cal = calendar()
    counts = {"reminders": 0, "overdue": 0, "notices": 0}
    remind_up_to = cal.add_working_days(today, 1)
    for chunk in _chunks(Handoff.objects.due_for_reminder(remind_up_to)):
        counts["reminders"] += _remind(chunk, remind_up_to, today)
    for chunk in _chunks(Handoff.objects.due_for_overdue(today)):
        marked, notices = _mark_overdue(chunk, today, cal)
        counts["overdue"] += marked
        counts["notices"] += notices
    counts["triage_alerts"] = handoffs_alert_triage(today)
    return counts


def handoffs_alert_triage(today: date | None = None) -> int:
    """A hand-off nobody has accepted more than TRIAGE_WORKING_DAYS working days after it was
    opened alerts the team's manager (its lead; with no active lead, every active manager).
    Once per hand-off (its `triage_alerted_at`, and outbox dedupe keys per manager), so the
    sweep may run often: each run reads only the late hand-offs not yet alerted on, from a
    partial index, in chunks, each chunk locked, flagged and its messages stored in one
    transaction. A hand-off with nobody to tell stays unflagged and is tried again next run."""
    from core.roles import Role

    today = today or timezone.localdate()
    cal = calendar()
    limit = settings.TRIAGE_WORKING_DAYS
    opened_before = timezone.make_aware(
        datetime.combine(cal.last_start_passed(today, limit) + timedelta(days=1), time.min))
    late = Handoff.objects.filter(status=Status.OPEN, accepted_at__isnull=True,
                                  triage_alerted_at__isnull=True, opened_at__lt=opened_before)
    managers = None
    stored = 0
    for ids in _chunks(late, order=("opened_at", "pk")):
        with transaction.atomic():
            messages, alerted = [], []
            for handoff in (late.filter(pk__in=ids).select_for_update(of=("self",))
                            .select_related("team__lead").order_by("opened_at", "pk")):
                recipients = [_active(handoff.team.lead)]
                if recipients[0] is None:
                    if managers is None:
                        managers = list(User.objects.filter(is_active=True, groups__name=Role.MANAGER)
                                        .order_by("pk"))
                    recipients = managers
                if recipients:
                    alerted.append(handoff.pk)
                    messages += _triage_alerts(handoff, recipients, cal, today, limit)
            Handoff.objects.filter(pk__in=alerted).update(triage_alerted_at=timezone.now())
            stored += len(outbox_send_many(messages))
    return stored


def _triage_alerts(handoff: Handoff, recipients, cal, today: date, limit: int) -> list[Outgoing]:
    opened = local_date(handoff.opened_at)
    days = cal.working_days_between(opened, today)
    return [Outgoing(
        dedupe_key=f"handoff:{handoff.pk}:triage:{manager.pk}",
        message=Message(
            subject=f"Not accepted: hand-off {handoff.pk} ({handoff.team.name})",
            body=f"Hand-off {handoff.pk} in the {handoff.team.name} queue has waited {days} working "
                 f"days since {long_date(opened)} and nobody has accepted it; the triage limit is "
                 f"{limit} working days.",
        ),
        recipient_user=manager, about=handoff,
    ) for manager in recipients]


def _chunks(queryset, order=("due_date", "pk")) -> list[list[int]]:
    ids = list(queryset.order_by(*order).values_list("pk", flat=True))
    return [ids[start:start + SWEEP_CHUNK] for start in range(0, len(ids), SWEEP_CHUNK)]


def _claim(queryset, ids: list[int], flag: str) -> list[Handoff]:
    """Lock the hand-offs of `ids` still waiting for this step and set its flag on them.

    Rows are locked in due-date order, so concurrent sweeps queue behind each other rather than
    deadlock; a sweep that waited re-reads the rows after the lock and finds them flagged.
    Only the columns the messages use are read (the contact's summary as `contact_summary`);
    the few teams and officers are read once for the chunk, not joined to every row.
    """
    handoffs = list(queryset.filter(pk__in=ids).select_for_update(of=("self",))
                    .only("method", "status", "due_date", "team", "assigned_to", "advocate")
                    .annotate(contact_summary=F("contact__summary"))
                    .order_by("due_date", "pk"))
    if handoffs:
        now = timezone.now()
        Handoff.objects.filter(pk__in=[h.pk for h in handoffs]).update(**{flag: now})
        latest = dict(HandoffUpdate.objects.filter(handoff__in=[h.pk for h in handoffs])
                      .values("handoff").annotate(latest=Max("at"))
                      .values_list("handoff", "latest"))
        teams = Team.objects.select_related("lead").in_bulk({h.team_id for h in handoffs})
        users = User.objects.in_bulk(
            ({h.assigned_to_id for h in handoffs} | {h.advocate_id for h in handoffs}) - {None})
        team_cache = Handoff.team.field.set_cached_value
        assigned_cache = Handoff.assigned_to.field.set_cached_value
        advocate_cache = Handoff.advocate.field.set_cached_value
        for handoff in handoffs:
            team_cache(handoff, teams[handoff.team_id])
            assigned_cache(handoff, users.get(handoff.assigned_to_id))
            advocate_cache(handoff, users.get(handoff.advocate_id))
            setattr(handoff, flag, now)
            # The sweep's own entries never go before the latest event (events may be back-dated).
            previous = latest.get(handoff.pk)
            handoff.event_at = max(now, previous) if previous else now
    return handoffs


def _email_body(handoff: Handoff, headline: str) -> str:
    """The body of a reminder or overdue notice: the headline, the contact's summary and where
    the hand-off stands. A format string, not a template: a sweep writes hundreds of them."""
    officer = handoff.assigned_to
    status = handoff.get_status_display() + (f", with {officer}" if officer else ", not yet accepted")
    return f"{headline}\n\n{handoff.contact_summary}\n\nStatus: {status}.\n\n"


def _day(day: date) -> str:
    """"Monday 16 January 2023"."""
    return f"{day:%A} {long_date(day)}"


@transaction.atomic
def _remind(ids: list[int], remind_up_to: date, today: date) -> int:
    """One chunk's reminders in a constant number of queries: flags, timeline entries, audit rows
    and messages each in one statement, committed (or rolled back) together."""
    handoffs = _claim(Handoff.objects.due_for_reminder(remind_up_to), ids, "reminded_at")
    HandoffUpdate.objects.bulk_create(
        HandoffUpdate(handoff=h, kind=HandoffUpdate.Kind.REMINDER, at=h.event_at,
                      note=f"Owner reminded: due {long_date(h.due_date)}.")
        for h in handoffs)
    audit_record_many(
        {"actor": None, "action": "handoff_reminded", "target": h,
         "changes": {"due_date": h.due_date.isoformat()}}
        for h in handoffs)
    messages = []
    for handoff in handoffs:
        owner = _active(handoff.assigned_to) or _active(handoff.team.lead)
        if owner is None:
            continue
        headline = (f"Hand-off {handoff.pk} in the {handoff.team.name} queue is due on "
                    f"{_day(handoff.due_date)}.")
        messages.append(Outgoing(
            dedupe_key=f"handoff:{handoff.pk}:reminder:{handoff.due_date.isoformat()}",
            message=Message(
                subject=f"Hand-off {handoff.pk} is due {long_date(handoff.due_date)}",
                body=_email_body(handoff, headline),
            ),
            recipient_user=owner, about=handoff,
        ))
    return len(outbox_send_many(messages))


@transaction.atomic
def _mark_overdue(ids: list[int], today: date, cal) -> tuple[int, int]:
    """One chunk's overdue marks and notices in a constant number of queries (see `_remind`)."""
    handoffs = _claim(Handoff.objects.due_for_overdue(today), ids, "overdue_at")
    HandoffUpdate.objects.bulk_create(
        HandoffUpdate(handoff=h, kind=HandoffUpdate.Kind.OVERDUE, at=h.event_at,
                      note=f"Past its due date of {long_date(h.due_date)}.")
        for h in handoffs)
    audit_record_many(
        {"actor": None, "action": "handoff_marked_overdue", "target": h,
         "changes": {"due_date": h.due_date.isoformat()}}
        for h in handoffs)
    messages = []
    for handoff in handoffs:
        days_over = cal.working_days_between(handoff.due_date, today)
        recipients = [("lead", _active(handoff.team.lead))]
        if handoff.method == HandoffMethod.CUSTOMER_ADVOCATE:
            recipients.append(("advocate", _active(handoff.advocate)))
        body = None
        for role, recipient in recipients:
            if recipient is None:
                continue
            body = body or _email_body(
                handoff, f"Hand-off {handoff.pk} in the {handoff.team.name} queue was due on "
                         f"{_day(handoff.due_date)} and is overdue by {days_over} working "
                         f"day{'' if days_over == 1 else 's'}.")
            messages.append(Outgoing(
                dedupe_key=f"handoff:{handoff.pk}:overdue:{handoff.due_date.isoformat()}:{role}",
                message=Message(subject=f"Overdue: hand-off {handoff.pk} ({handoff.team.name})",
                                body=body),
                recipient_user=recipient, about=handoff,
            ))
    return len(handoffs), len(outbox_send_many(messages))


# --- Telling customers before they chase (issue 19, "Proactive updates") ------------------------

WARN_CHUNK = 2000


def handoffs_warn_customers(today: date | None = None) -> int:
    """Tell each customer whose open enquiry is about to miss its service standard, with the new
    expected date, before they chase it (issue 19): a hand-off due within its rule's
    `warn_working_days` working days (today included) gets one "will take longer" update dated
    `extra_working_days` working days after its due date. Who hears and how is
    `customer_updates_send`'s rule (consent, preferred channel, language, quiet hours).

    Idempotent and safe under concurrent sweeps: the update's dedupe key is the outbox's unique
    key, stored once however often and however concurrently this runs, and hand-offs whose
    update is stored already are skipped by the query itself. It reads the open hand-offs' due-
    date index for the window only, in chunks, so a council's whole open workload costs only what
    is due. Returns the number of updates stored."""
    rules = proactive_rules(MessageType.HANDOFF_AT_RISK)
    enabled = [rule for rule in rules.values() if rule.enabled]
    if not enabled:
        return 0
    today = today or timezone.localdate()
    cal = calendar()
    horizons = {rule.warn_working_days: cal.add_working_days(today, rule.warn_working_days)
                for rule in enabled}
    warned = OutboundMessage.objects.filter(
        dedupe_key=Concat(Value("handoff:"), Cast(OuterRef("pk"), CharField()),
                          Value(":at_risk:customer")))
    candidates = (Handoff.objects.unresolved()
                  .filter(due_date__gte=today, due_date__lte=max(horizons.values()),
                          contact__customer__isnull=False, contact__customer__anonymised_at__isnull=True)
                  .filter(Q(contact__customer__consent_email=True) | Q(contact__customer__consent_sms=True)
                          | Q(contact__customer__consent_letter=True))
                  .exclude(Exists(warned))
                  .select_related("contact__customer", "contact__service")
                  .only("id", "due_date", "contact__id", "contact__source", "contact__enquiry_type_id",
                        "contact__service__name",
                        *(f"contact__customer__{field}" for field in _CUSTOMER_READ))
                  .order_by("due_date", "pk"))
    stored = 0
    chunk: list[CustomerUpdate] = []
    # One plain query, not a server-side cursor: PostgreSQL plans a cursor for its first rows,
    # and that plan probes the outbox row by row (a hundred times slower here).
    for handoff in candidates:
        rule = proactive_rule_for(rules, handoff.contact.enquiry_type_id)
        if rule is None or not rule.enabled or handoff.due_date > horizons[rule.warn_working_days]:
            continue
        new_date = cal.add_working_days(handoff.due_date, rule.extra_working_days)
        chunk.append(CustomerUpdate(
            customer=handoff.contact.customer, event=MessageType.HANDOFF_AT_RISK,
            dedupe_key=f"handoff:{handoff.pk}:at_risk:customer", about=handoff,
            enquiry_type_id=handoff.contact.enquiry_type_id,
            fields={"reference": str(handoff.contact_id), "service": handoff.contact.service.name,
                    "due_date": long_date(handoff.due_date), "new_date": long_date(new_date)}))
        if len(chunk) >= WARN_CHUNK:
            stored += len(customer_updates_send(chunk))
            chunk = []
    if chunk:
        stored += len(customer_updates_send(chunk))
    return stored


_CUSTOMER_READ = ("first_name", "last_name", "email", "phone", "address_line_1", "address_line_2",
                  "town", "postcode", "message_channel", "consent_email", "consent_sms",
                  "consent_letter", "language", "email_failed_at", "phone_failed_at",
                  "address_failed_at", "anonymised_at")
