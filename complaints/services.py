"""Writes of the complaints app: one function per action of the workflow (DOMAIN.md,
"Complaints"), each atomic, each following complaints/transitions.py under a row lock, each
recording a timeline event and an audit row."""

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.template import TemplateSyntaxError, engines
from django.utils import timezone

from complaints.models import (
    Complaint,
    ComplaintEvent,
    ComplaintLetter,
    ComplaintRemedy,
    ComplaintRuleSet,
    ComplaintStage,
    ComplaintStageRule,
    LearningAction,
    LetterChannel,
    LetterTemplate,
    OmbudsmanDecision,
    OmbudsmanDecisionKind,
    OmbudsmanRecommendation,
    Outcome,
    Process,
    RemedyKind,
    ResponseClockStart,
    ReviewPanel,
    Stage,
    Status,
)
from complaints.selectors import (
    complaint_awaits_acknowledgement,
    complaint_needs_senior_officer,
    complaint_previous_event_at,
    complaints_visible_to,
    letters_available,
    rule_set_active,
    social_care_monitoring_officer,
    stage_rule,
    user_may_act,
)
from complaints.transitions import (
    Action,
    ClockEffect,
    ClockEvent,
    ClockRule,
    Transition,
    clock_effects,
    require_transition,
)
from contacts.services import CustomerUpdate, customer_updates_send
from core.api_errors import StateConflict
from core.input_guard import TEXT_MAX_LENGTH
from core.models import MessageType, OutboundMessage, User
from core.roles import Role, is_staff_member
from core.services import (
    Message,
    Outgoing,
    audit_record,
    audit_record_many,
    event_time,
    outbox_send,
    outbox_send_many,
)
from core.working_days import calendar, local_date

# --- Helpers -----------------------------------------------------------------------------------


def _snapshot_rule(stage: ComplaintStage, rule_set: ComplaintRuleSet, process: str) -> None:
    """Copy the rule a stage starts under onto the stage, so later rule changes never move it."""
    rule = stage_rule(rule_set, process, stage.stage)
    stage.rule_set_version = rule_set.version
    stage.rule_working_days = rule.working_days if rule else None
    stage.rule_reminder_working_days = rule.reminder_working_days if rule else 2
    stage.rule_extension_working_days = rule.extension_working_days if rule else 0
    stage.rule_acknowledge_working_days = rule.acknowledge_working_days if rule else None
    stage.rule_response_clock_starts = rule.response_clock_starts if rule else ResponseClockStart.ALLOCATION
    stage.rule_extensions_allowed = rule.extensions_allowed if rule else False
    stage.rule_interim_response_revises_target = rule.interim_response_revises_target if rule else True


def _clock(complaint: Complaint, stage: ComplaintStage, event: str, at) -> list[ClockEffect]:
    """Apply one clock event to the stage as its rule says (`transitions.clock_effects`): start
    the acknowledgement clock, start the response clock (N working days from the event's day, the
    day itself not counted), or stop them; then the complaint's running deadline is the stage's
    next one. Revising and extending the target are their services' (they check limits)."""
    effects = clock_effects(ClockRule.of_stage(stage), event)
    day = local_date(at)
    for effect in effects:
        if effect == ClockEffect.START_ACKNOWLEDGEMENT:
            stage.acknowledgement_due_date = calendar().add_working_days(
                day, stage.rule_acknowledge_working_days)
        elif effect == ClockEffect.START_RESPONSE and stage.clock_started_at is None:
            stage.clock_started_at = at
            stage.due_date = calendar().add_working_days(day, stage.rule_working_days)
    _set_running_deadline(complaint, None if ClockEffect.STOP in effects else _next_deadline(stage))
    return effects


def _next_deadline(stage: ComplaintStage) -> date | None:
    """The stage's next deadline (API.md v1.2): the acknowledgement while it is awaited, the
    response (as revised or extended) until it is sent; the earlier when both run."""
    if stage.responded_at is not None:
        return None
    pending = [stage.effective_due_date]
    if stage.acknowledged_at is None:
        pending.append(stage.acknowledgement_due_date)
    pending = [day for day in pending if day is not None]
    return min(pending) if pending else None


def _set_running_deadline(complaint: Complaint, due: date | None) -> None:
    """A new deadline is a new chance: the overdue flag goes with the deadline it was for."""
    if complaint.due_date != due:
        complaint.due_date = due
        complaint.overdue_at = None


def _lock(complaint: Complaint, action: str) -> tuple[Complaint, Transition]:
    """Lock the complaint row and check the transition inside the lock, so two concurrent actions
    on one case cannot both win."""
    locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
    return locked, require_transition(locked, action)


def _current_stage(complaint: Complaint) -> ComplaintStage:
    return ComplaintStage.objects.select_for_update().get(complaint=complaint, stage=complaint.stage)


def _record(complaint: Complaint, *, actor, action: str, at, note: str = "", data: dict | None = None,
            changes: dict | None = None) -> ComplaintEvent:
    event = ComplaintEvent.objects.create(
        complaint=complaint, actor=actor if getattr(actor, "pk", None) else None, at=at,
        action=action, stage=complaint.stage, note=note, data=data or {},
    )
    audit_record(actor=actor, action=f"complaint_{action}", target=complaint,
                 changes={**(changes or {}), "at": at.isoformat()}, at=None)
    return event


def _at(complaint: Complaint, at):
    return event_time(at, previous_at=complaint_previous_event_at(complaint))


def _required(field: str, value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def _state(complaint: Complaint) -> dict:
    return {"process": complaint.process, "stage": complaint.stage, "status": complaint.status}


def _moved(before: dict, complaint: Complaint) -> dict:
    after = _state(complaint)
    return {key: [before[key], after[key]] for key in after if before[key] != after[key]}


# --- Create -----------------------------------------------------------------------------------


@transaction.atomic
def complaint_create(*, actor, customer, service, summary: str, process: str, received_at=None,
                     via_ombudsman: bool = False, ombudsman_reference: str = "",
                     contact=None) -> Complaint:
    """Log a complaint at stage 1, awaiting allocation (DOMAIN.md, "Complaints").

    A premature Ombudsman complaint (made to the Ombudsman first) is a corporate stage 1 complaint
    with the follow-up date set 12 weeks (84 days) from receipt; Legal Services see it, and it is
    allocated to the senior officer responsible. A statutory complaint goes straight to the
    social care complaints team's register: whoever logged it (an adviser, a partner system)
    does not see it afterwards (`complaints.selectors.complaints_visible_to`). `contact`: the
    contact it arrived with, which must be the same customer's (API.md v1.1).
    """
    summary = _required("summary", summary, "Enter what the complaint is about.")
    if process not in Process.values:
        raise ValidationError({"process": "Choose corporate or statutory."})
    if contact is not None and contact.customer_id != customer.pk:
        raise ValidationError({"contact": "The contact is not this customer's."})
    if via_ombudsman and process != Process.CORPORATE:
        raise ValidationError({"via_ombudsman": "A premature Ombudsman complaint is logged as a "
                                                "corporate complaint."})
    now = timezone.now()
    received_at = event_time(received_at, field="received_at")
    rule_set = rule_set_active()
    complaint = Complaint.objects.create(
        customer=customer, service=service, summary=summary, received_at=received_at,
        contact=contact, process=process, stage=Stage.ONE, status=Status.AWAITING_ALLOCATION,
        created_by=actor if getattr(actor, "pk", None) else None, created_at=now,
        via_ombudsman=via_ombudsman, ombudsman_reference=(ombudsman_reference or "").strip(),
        ombudsman_follow_up_date=(
            local_date(received_at) + timedelta(days=rule_set.ombudsman_follow_up_days)
            if via_ombudsman else None
        ),
        rule_set=rule_set, rule_set_version=rule_set.version,
    )
    stage = ComplaintStage(complaint=complaint, stage=Stage.ONE, started_at=received_at)
    _snapshot_rule(stage, rule_set, process)
    _clock(complaint, stage, ClockEvent.RECEIPT, received_at)
    stage.save()
    if complaint.due_date is not None:  # a clock that runs from receipt
        complaint.save(update_fields=["due_date", "overdue_at"])
    _record(complaint, actor=actor, action="created", at=received_at,
            data={"process": process, "via_ombudsman": via_ombudsman,
                  "ombudsman_reference": complaint.ombudsman_reference},
            changes={"process": [None, process], "status": [None, complaint.status]})
    return complaint


# --- The workflow -----------------------------------------------------------------------------


@transaction.atomic
def complaint_allocate(*, complaint: Complaint, actor, officer: User, at=None) -> Complaint:
    """Allocate (or reallocate) the complaint to an officer. At stage 1 the clock starts at the
    first allocation: corporate 5, statutory 10 working days (DOMAIN.md, "Complaints"); later
    stages' clocks started at escalation and allocation does not move them."""
    if officer is None or not officer.is_active or not is_staff_member(officer):
        raise ValidationError({"officer": "Choose an active member of staff."})
    complaint, transition = _lock(complaint, Action.ALLOCATE)
    if complaint_needs_senior_officer(complaint) and not officer.is_senior_officer:
        raise ValidationError({"officer": f"{_senior_reason(complaint)} must be allocated to a senior "
                                          f"officer; {officer} is not marked as one."})
    at = _at(complaint, at)
    before = _state(complaint)
    stage = _current_stage(complaint)
    rule = stage_rule(complaint.rule_set, complaint.process, complaint.stage)
    if rule and rule.different_officer_from_previous_stage:
        previous = (complaint.stages.exclude(pk=stage.pk).exclude(owner=None)
                    .order_by("-started_at", "-pk").first())
        if previous and previous.owner_id == officer.pk:
            raise ValidationError({"officer": "This stage must be handled by someone other than "
                                              "the officer of the previous stage."})
    if transition.event == ClockEvent.ALLOCATION and stage.allocated_at is None:
        stage.allocated_at = at
        if complaint.stage == Stage.ONE and complaint.allocated_at is None:
            complaint.allocated_at = at
    _clock(complaint, stage, transition.event, at)
    previous_owner = complaint.assigned_to_id
    stage.owner = officer
    stage.save()
    complaint.assigned_to = officer
    complaint.status = transition.next_status
    complaint.save()
    _record(complaint, actor=actor, action=Action.ALLOCATE, at=at,
            data={"officer": officer.username, "officer_name": str(officer),
                  "due_date": _iso(complaint.due_date)},
            changes={**_moved(before, complaint), "assigned_to": [previous_owner, officer.pk]})
    return complaint


@transaction.atomic
def complaints_allocate_many(*, complaint_ids, actor, officer: User | None, at=None) -> list[Complaint]:
    """Allocate the selected complaints to one officer at once (issue 20, "bulk actions where a
    team lead needs them": the complaints team's morning allocation). Each goes through
    `complaint_allocate`, so each keeps its rules (senior officers at stage 2, a different officer
    from the previous stage, the table's states), its clock, timeline entry and audit row. All or
    none: every refusal is said and nothing moves. Complaints already with that officer are left
    as they are, so sending the same request twice changes nothing."""
    ids = sorted({int(pk) for pk in complaint_ids})
    if not ids:
        raise ValidationError({"complaints": "Select the complaints to allocate."})
    if officer is None:
        raise ValidationError({"officer": "Select an officer."})
    complaints = list(complaints_visible_to(actor).filter(pk__in=ids).order_by("pk"))
    if len(complaints) != len(ids):
        raise ValidationError({"complaints": "Some of the selected complaints no longer exist."})
    if not all(user_may_act(actor, complaint, Action.ALLOCATE) for complaint in complaints):
        raise PermissionDenied("Only the complaints team for a complaint's process allocates it.")
    allocated, problems = [], []
    for complaint in complaints:
        if complaint.assigned_to_id == officer.pk and complaint.status != Status.AWAITING_ALLOCATION:
            continue
        try:
            with transaction.atomic():
                allocated.append(complaint_allocate(complaint=complaint, actor=actor, officer=officer, at=at))
        except (ValidationError, StateConflict) as error:
            said = error.messages if isinstance(error, ValidationError) else [str(error)]
            problems.extend(f"Complaint {complaint.reference}: {message}" for message in said)
    if problems:
        raise ValidationError({"officer": problems})
    return allocated


def _senior_reason(complaint: Complaint) -> str:
    if complaint.stage == Stage.TWO:
        return f"Complaint {complaint.reference} is at stage 2 and"
    return f"Complaint {complaint.reference} was made to the Ombudsman first and"


@transaction.atomic
def complaint_interim_response(*, complaint: Complaint, actor, note: str,
                               revised_target_date: date | None = None, at=None) -> Complaint:
    """An interim response tells the complainant when to expect the answer (DOMAIN.md: "5 working
    days to respond, or to send an interim response"). The revised target becomes the deadline;
    without one it is the stage rule's extension after the original deadline. Once per stage."""
    note = _required("note", note, "Enter what the interim response told the complainant.")
    complaint, transition = _lock(complaint, Action.INTERIM_RESPONSE)
    at = _at(complaint, at)
    stage = _current_stage(complaint)
    if ClockEffect.REVISE_TARGET not in clock_effects(ClockRule.of_stage(stage), transition.event):
        return _interim_response_keeping_target(complaint, stage, actor=actor, note=note,
                                                revised_target_date=revised_target_date, at=at)
    limit = (calendar().add_working_days(stage.due_date, stage.rule_extension_working_days)
             if stage.due_date and stage.rule_extension_working_days else None)
    if revised_target_date is None:
        revised_target_date = limit
    elif stage.due_date and revised_target_date < stage.due_date:
        raise ValidationError({"revised_target_date": "The revised target cannot be before the "
                                                      "stage's deadline."})
    elif limit and revised_target_date > limit:
        raise ValidationError({"revised_target_date": f"The revised target can be at most "
                                                      f"{stage.rule_extension_working_days} working "
                                                      f"days after the deadline ({limit:%d %B %Y})."})
    stage.interim_response_at = at
    stage.revised_target_date = revised_target_date
    stage.save()
    _set_running_deadline(complaint, _next_deadline(stage))
    complaint.save()
    _record(complaint, actor=actor, action=Action.INTERIM_RESPONSE, at=at, note=note,
            data={"revised_target_date": _iso(revised_target_date)},
            changes={"revised_target_date": [None, _iso(revised_target_date)]})
    return complaint


def _interim_response_keeping_target(complaint: Complaint, stage: ComplaintStage, *, actor, note: str,
                                     revised_target_date, at) -> Complaint:
    """Under rules where an interim response does not move the deadline (the Complaint Handling
    Code: more time is an extension, with a reason), it is recorded and the clock runs on."""
    if revised_target_date is not None:
        raise ValidationError({"revised_target_date": "Under these complaint rules an interim response "
                                                      "does not move the deadline. Extend the response "
                                                      "deadline instead."})
    stage.interim_response_at = at
    stage.save()
    _record(complaint, actor=actor, action=Action.INTERIM_RESPONSE, at=at, note=note,
            data={"revised_target_date": None})
    return complaint


@transaction.atomic
def complaint_acknowledge(*, complaint: Complaint, actor, at=None) -> Complaint:
    """Record the acknowledgement of the current stage, once per stage. Where the stage's rule
    has an acknowledgement clock (the Ombudsman's Complaint Handling Code: within 5 working days
    of receipt or of the escalation request) it stops, and a response clock that counts from the
    acknowledgement starts (10 working days at stage 1, 20 at stage 2); elsewhere the clocks run
    as they were (DOMAIN.md, "Complaints"; API.md v1.2)."""
    complaint, transition = _lock(complaint, Action.ACKNOWLEDGE)
    at = _at(complaint, at)
    stage = _current_stage(complaint)
    stage.acknowledged_at = at
    _clock(complaint, stage, transition.event, at)
    stage.save()
    complaint.save()
    late = bool(stage.acknowledgement_due_date and local_date(at) > stage.acknowledgement_due_date)
    _record(complaint, actor=actor, action=Action.ACKNOWLEDGE, at=at,
            data={"acknowledgement_due_date": _iso(stage.acknowledgement_due_date), "late": late,
                  "due_date": _iso(stage.effective_due_date)},
            changes={"acknowledged_at": [None, at.isoformat()],
                     "due_date": _iso(complaint.due_date)})
    if stage.effective_due_date:
        _tell_complainant(complaint, stage, event=MessageType.COMPLAINT_ACKNOWLEDGED,
                          due_date=_spoken(stage.effective_due_date))
    return complaint


@transaction.atomic
def complaint_extend(*, complaint: Complaint, actor, working_days, reason: str, at=None) -> Complaint:
    """Extend the stage's response deadline by `working_days`, with a reason told to the
    complainant, where the stage's rule allows extensions and only up to its limit in total (the
    Complaint Handling Code: at most 10 working days at stage 1, 20 at stage 2). The extended
    deadline is that many working days after the response deadline (DOMAIN.md, "Complaints";
    API.md v1.2: beyond the limit, or under rules without extensions, 400)."""
    reason = _required("reason", reason, "Enter why the response needs more time.")
    if isinstance(working_days, bool) or not isinstance(working_days, int) or working_days < 1:
        raise ValidationError({"working_days": "Enter the number of working days to extend by, "
                                               "a whole number of 1 or more."})
    complaint, transition = _lock(complaint, Action.EXTEND)
    at = _at(complaint, at)
    stage = _current_stage(complaint)
    if ClockEffect.EXTEND_RESPONSE not in clock_effects(ClockRule.of_stage(stage), transition.event):
        raise ValidationError({"working_days": f"The complaint rules {stage.get_stage_display().lower()} "
                                               f"runs under allow no extension of the response deadline."})
    if stage.due_date is None:
        raise StateConflict("The response deadline has not started yet: acknowledge the complaint first.")
    limit = stage.rule_extension_working_days
    total = stage.extended_by_working_days + working_days
    if total > limit:
        already = (f" It has already been extended by {stage.extended_by_working_days}."
                   if stage.extended_by_working_days else "")
        raise ValidationError({"working_days": f"The response can be extended by at most {limit} working "
                                               f"days at this stage.{already}"})
    before = _iso(stage.effective_due_date)
    stage.extended_by_working_days = total
    stage.revised_target_date = calendar().add_working_days(stage.due_date, total)
    stage.save()
    _set_running_deadline(complaint, _next_deadline(stage))
    complaint.save()
    _record(complaint, actor=actor, action=Action.EXTEND, at=at, note=reason,
            data={"working_days": working_days, "extended_by_working_days": total,
                  "due_date": _iso(stage.effective_due_date)},
            changes={"due_date": [before, _iso(stage.effective_due_date)],
                     "extended_by_working_days": [total - working_days, total]})
    _tell_complainant(complaint, stage, event=MessageType.COMPLAINT_EXTENDED, occasion=f"by-{total}",
                      due_date=_spoken(stage.effective_due_date), reason=reason)
    return complaint


def _spoken(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


@transaction.atomic
def complaint_respond(*, complaint: Complaint, actor, outcome: str, response: str, remedy=None,
                      lessons_learned: str = "", learning_actions=None, at=None) -> Complaint:
    """Record the stage response and its outcome (upheld, partly upheld, not upheld); the clock
    stops. Outcome and lessons learned feed the reports (DOMAIN.md, "Complaints"). The remedy is
    recorded as its kind and cost (`remedy_parse`, issue 18 item 3), and lessons learned may
    become actions with an owner and a due date (`learning_action_add`)."""
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": "Choose upheld, partly upheld or not upheld."})
    response = _required("response", response, "Enter the response sent to the complainant.")
    remedy_values = remedy_parse(remedy)
    complaint, transition = _lock(complaint, Action.RESPOND)
    at = _at(complaint, at)
    learning = _learning_items_parse(complaint, learning_actions, created_on=local_date(at))
    before = _state(complaint)
    stage = _current_stage(complaint)
    stage.responded_at = at
    stage.outcome = outcome
    stage.response = response
    stage.remedy = remedy_in_words(remedy_values)
    stage.lessons_learned = lessons_learned or ""
    stage.save()
    _remedy_save(stage, remedy_values, at)
    complaint.status = transition.next_status
    _clock(complaint, stage, transition.event, at)  # the response stops the stage's clocks
    complaint.save()
    _record(complaint, actor=actor, action=Action.RESPOND, at=at, note=response,
            data={"outcome": outcome, "late": bool(stage.effective_due_date
                                                   and local_date(at) > stage.effective_due_date),
                  "remedy": _remedy_data(remedy_values)},
            changes=_moved(before, complaint))
    _learning_actions_create(complaint, stage, actor, learning, at)
    _tell_complainant(complaint, stage, event=MessageType.COMPLAINT_ANSWERED,
                      outcome=Outcome(outcome).label)
    return complaint


def _tell_complainant(complaint: Complaint, stage: ComplaintStage, *, event: str, occasion: str = "",
                      **fields) -> None:
    """A proactive update to the complainant (issue 19): once per stage and event (and
    `occasion`, for an event that can happen again in a stage: each extension), on their channel,
    with their consent (`customer_updates_send`)."""
    step = event.removeprefix("complaint_") + (f":{occasion}" if occasion else "")
    customer_updates_send([CustomerUpdate(
        customer=complaint.customer, event=event, about=complaint, enquiry_type_id=None,
        dedupe_key=f"complaint:{complaint.pk}:stage:{stage.stage}:{step}:customer",
        fields={"reference": complaint.reference, "service": complaint.service.name, **fields})])


@transaction.atomic
def complaint_escalate(*, complaint: Complaint, actor, reason: str, at=None) -> Complaint:
    """The complainant is unhappy with the response or the timescale: the next stage starts and its
    clock runs from escalation (corporate stage 2: 20 working days, a senior officer; statutory
    stage 2: external investigator, 56; stage 3: review panel, a further 56). It waits for that
    owner to be allocated (DOMAIN.md, "Complaints")."""
    reason = _required("reason", reason, "Enter why the complainant wants to escalate.")
    complaint, transition = _lock(complaint, Action.ESCALATE)
    at = _at(complaint, at)
    before = _state(complaint)
    stage = ComplaintStage(complaint=complaint, stage=transition.next_stage, started_at=at)
    # The rule set in force now applies to the new stage (it may differ from the case's first).
    rule_set = rule_set_active()
    _snapshot_rule(stage, rule_set, complaint.process)
    complaint.overdue_at = None
    _clock(complaint, stage, transition.event, at)
    stage.save()
    complaint.stage = transition.next_stage
    complaint.status = transition.next_status
    complaint.assigned_to = None
    complaint.save()
    _record(complaint, actor=actor, action=Action.ESCALATE, at=at, note=reason,
            data={"due_date": _iso(complaint.due_date)}, changes=_moved(before, complaint))
    return complaint


@transaction.atomic
def complaint_make_statutory(*, complaint: Complaint, actor, at=None) -> Complaint:
    """A corporate complaint identified as a Social Care and Health statutory complaint switches
    to the statutory rules: stage 1's deadline is recomputed under them from the original
    allocation, and the case passes to the social care complaints monitoring officer (the
    longest-standing active one); with none, it waits for allocation by that team. Corporate
    staff no longer see it (DOMAIN.md, "Complaints")."""
    complaint, transition = _lock(complaint, Action.MAKE_STATUTORY)
    at = _at(complaint, at)
    before = _state(complaint)
    previous_owner = complaint.assigned_to_id
    stage = _current_stage(complaint)
    rule_set = rule_set_active()
    _snapshot_rule(stage, rule_set, transition.resulting_process)
    # The stage's clocks replayed under the statutory rule: its events so far, in order.
    stage.acknowledgement_due_date = stage.clock_started_at = stage.due_date = None
    complaint.overdue_at = None
    events = [(moment, event) for event, moment in ((ClockEvent.RECEIPT, complaint.received_at),
                                                    (ClockEvent.ACKNOWLEDGEMENT, stage.acknowledged_at),
                                                    (ClockEvent.ALLOCATION, stage.allocated_at)) if moment]
    for moment, event in sorted(events):
        _clock(complaint, stage, event, moment)
    complaint.process = transition.resulting_process
    complaint.rule_set = rule_set
    complaint.rule_set_version = rule_set.version
    complaint.assigned_to = (social_care_monitoring_officer() if transition.next_status == Status.OPEN
                             else None)
    complaint.status = (transition.next_status if complaint.assigned_to is not None
                        else transition.next_status_without_owner)
    stage.owner = complaint.assigned_to
    stage.save()
    complaint.save()
    _record(complaint, actor=actor, action=Action.MAKE_STATUTORY, at=at,
            data={"due_date": _iso(complaint.due_date),
                  "assigned_to": getattr(complaint.assigned_to, "username", None)},
            changes={**_moved(before, complaint),
                     "assigned_to": [previous_owner, complaint.assigned_to_id]})
    return complaint


@transaction.atomic
def complaint_refer_to_ombudsman(*, complaint: Complaint, actor, reference: str, at=None) -> Complaint:
    """After the final stage the complainant goes to the Local Government and Social Care
    Ombudsman: Legal Services coordinates, and the Ombudsman follows up 12 weeks (84 days) after
    referral (DOMAIN.md, "Complaints")."""
    reference = _required("reference", reference, "Enter the Ombudsman's reference.")
    complaint, transition = _lock(complaint, Action.REFER_TO_OMBUDSMAN)
    at = _at(complaint, at)
    before = _state(complaint)
    rule_set = rule_set_active()
    ComplaintStage.objects.create(complaint=complaint, stage=Stage.OMBUDSMAN, started_at=at,
                                  rule_set_version=rule_set.version)
    complaint.stage = transition.next_stage
    complaint.status = transition.next_status
    complaint.assigned_to = None
    complaint.due_date = None
    complaint.overdue_at = None
    complaint.ombudsman_reference = reference
    complaint.ombudsman_referred_at = at
    complaint.ombudsman_follow_up_date = local_date(at) + timedelta(days=rule_set.ombudsman_follow_up_days)
    complaint.save()
    _record(complaint, actor=actor, action=Action.REFER_TO_OMBUDSMAN, at=at,
            data={"reference": reference,
                  "ombudsman_follow_up_date": _iso(complaint.ombudsman_follow_up_date)},
            changes=_moved(before, complaint))
    ombudsman_referral_tell_legal(complaint)
    return complaint


@transaction.atomic
def complaint_close(*, complaint: Complaint, actor, at=None) -> Complaint:
    """Close the complaint after the stage response (or when the Ombudsman's case ends)."""
    complaint, transition = _lock(complaint, Action.CLOSE)
    at = _at(complaint, at)
    before = _state(complaint)
    complaint.status = transition.next_status
    complaint.due_date = None
    complaint.overdue_at = None
    complaint.save()
    _record(complaint, actor=actor, action=Action.CLOSE, at=at, changes=_moved(before, complaint))
    return complaint


def complaints_reassign_officer(*, actor, officer: User, new_officer: User, at=None) -> list[Complaint]:
    """Pass every open complaint of `officer` (a leaver, someone away) to `new_officer`, each as
    an allocation with its own timeline entry and audit row, so each still follows the table and
    the allocation rules (a senior officer at stage 2, another officer than the previous stage's).
    All or nothing: one refusal refuses the lot, with every refusal said. Call it inside the
    transaction of the whole change (`people.services.officer_work_reassign`)."""
    moved, problems = [], []
    open_cases = (Complaint.objects.filter(assigned_to=officer, status=Status.OPEN)
                  .order_by("received_at", "pk"))
    for complaint in open_cases:
        try:
            with transaction.atomic():
                moved.append(complaint_allocate(complaint=complaint, actor=actor, officer=new_officer,
                                                at=at))
        except ValidationError as error:
            problems.extend(f"{complaint.reference}: {message}" if not message.startswith("Complaint ")
                            else message for message in error.messages)
    if problems:
        raise ValidationError({"officer": problems})
    return moved


# --- Letters (issue 18, "Letters as documents") ------------------------------------------------


@transaction.atomic
def complaint_letter_send(*, complaint: Complaint, actor, kind: str, stage: str, subject: str, body: str,
                          channel: str) -> ComplaintLetter:
    """Send a letter to the complainant as the officer has edited it: the letter is stored on the
    case as sent (text, address, signatory), recorded on the timeline, and handed to the outbox,
    by email to the complainant's address or by post (the outbox's letter channel prints it).
    Only a letter the case can send now (`letters_available`); never an empty one."""
    subject = _required("subject", subject, "Enter the letter's subject.")
    body = _required("body", body, "Enter the text of the letter.")
    if channel not in LetterChannel.values:
        raise ValidationError({"channel": "Select whether to send the letter by email or by post."})
    complaint = (Complaint.objects.select_for_update(of=("self",))
                 .select_related("customer", "assigned_to").get(pk=complaint.pk))
    if (kind, stage) not in {(k, s) for k, s, _ in letters_available(complaint)}:
        raise StateConflict("That letter cannot be sent at this point of the complaint.")
    customer = complaint.customer
    address = [line for line in (customer.address_line_1, customer.address_line_2, customer.town,
                                 customer.postcode) if line]
    if channel == LetterChannel.EMAIL and not customer.email:
        raise ValidationError({"channel": "The complainant has no email address. Send the letter by "
                                          "post, or add their email address first."})
    if channel == LetterChannel.POST and not (customer.address_line_1 and customer.postcode):
        raise ValidationError({"channel": "The complainant has no postal address. Send the letter by "
                                          "email, or add their address first."})
    at = _at(complaint, None)
    owner = complaint.stages.filter(stage=stage).values_list("owner", flat=True).first()
    officer = User.objects.filter(pk=owner).first() or complaint.assigned_to
    signatory = "\n".join(line for line in (
        settings.LETTER_SIGNATORY_NAME or (str(officer) if officer else ""),
        settings.LETTER_SIGNATORY_TITLE if settings.LETTER_SIGNATORY_NAME or not officer
        else (officer.job_title or settings.LETTER_SIGNATORY_TITLE),
    ) if line)
    letter = ComplaintLetter.objects.create(
        complaint=complaint, kind=kind, stage=stage, subject=subject, body=body, channel=channel,
        recipient_name=str(customer), recipient_address="\n".join(address) if channel == LetterChannel.POST
        else "", recipient_email=customer.email if channel == LetterChannel.EMAIL else "",
        signatory=signatory, sent_by=actor if getattr(actor, "pk", None) else None, sent_at=at,
    )
    _record(complaint, actor=actor, action="letter_sent", at=at, note=subject,
            data={"letter": letter.pk, "kind": kind, "letter_stage": stage, "channel": channel},
            changes={"letter": letter.pk, "kind": kind, "channel": channel})
    outbox_send(
        dedupe_key=f"complaint-letter:{letter.pk}",
        message=Message(subject=subject, body=f"Dear {letter.recipient_name},\n\n{body}\n\nYours sincerely,"
                                              f"\n\n{signatory}\n{settings.COUNCIL_NAME}\n"),
        to_email=letter.recipient_email, about=letter,
        channel=OutboundMessage.Channel.EMAIL if channel == LetterChannel.EMAIL
        else OutboundMessage.Channel.LETTER,
    )
    return letter


@transaction.atomic
def complaint_letter_refused(*, letter: ComplaintLetter, reason: str, at=None) -> OutboundMessage | None:
    """GOV.UK Notify would not post a complaint letter (its receipt said validation-failed or
    virus-scan-failed): the complaint's history says so, and the officer who sent it (or, if they
    have left, the complaint's officer, else the complaints managers) is told once, with what to
    do: correct the address or send the letter another way. The letter stays on the case, marked."""
    complaint = letter.complaint
    at = at or timezone.now()
    _record(complaint, actor=None, action="letter_refused", at=_at(complaint, at),
            note=f"{letter.get_kind_display()} letter not posted: {reason}",
            data={"letter": letter.pk}, changes={"letter": letter.pk})
    told = [user for user in (letter.sent_by, complaint.assigned_to) if user is not None and user.is_active]
    recipients = told[:1] or triage_managers(complaint.process)
    stored = None
    for user in recipients:
        stored = outbox_send(
            dedupe_key=f"complaint-letter:{letter.pk}:refused:{user.pk}",
            message=Message(
                subject=f"Letter not posted: complaint {complaint.reference}",
                body=f"The {letter.get_kind_display().lower()} letter for complaint {complaint.reference} "
                     f"(sent {timezone.localtime(letter.sent_at):%d %B %Y}) was not posted. {reason} "
                     "Check the complainant's address, then send the letter again or send it by email.",
            ),
            recipient_user=user, about=complaint,
        ) or stored
    return stored


@transaction.atomic
def letter_template_change(*, template: LetterTemplate, actor, subject: str, body: str) -> LetterTemplate:
    """An admin rewords a letter. The text must be a template that fills in (placeholders as
    `letter_fields` names them); letters already sent keep their words."""
    for field, text in (("subject", subject), ("body", body)):
        _required(field, text, f"Enter the letter's {field}.")
        try:
            engines["django"].from_string(text)
        except TemplateSyntaxError as error:
            raise ValidationError({field: f"The {field} has a placeholder or condition that does not "
                                          f"work: {error}"}) from error
    changes = {field: [getattr(template, field), value] for field, value in
               (("subject", subject), ("body", body)) if getattr(template, field) != value}
    template.subject, template.body, template.changed_at = subject, body, timezone.now()
    template.save()
    audit_record(actor=actor, action="letter_template_changed", target=template, changes=changes)
    return template


ACTION_SERVICES = {
    Action.ALLOCATE: complaint_allocate,
    Action.ACKNOWLEDGE: complaint_acknowledge,
    Action.INTERIM_RESPONSE: complaint_interim_response,
    Action.EXTEND: complaint_extend,
    Action.RESPOND: complaint_respond,
    Action.ESCALATE: complaint_escalate,
    Action.MAKE_STATUTORY: complaint_make_statutory,
    Action.REFER_TO_OMBUDSMAN: complaint_refer_to_ombudsman,
    Action.CLOSE: complaint_close,
}


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


# --- Rules -------------------------------------------------------------------------------------


@transaction.atomic
def rule_set_activate(*, rule_set: ComplaintRuleSet, actor=None) -> ComplaintRuleSet:
    """Make this preset the one new stages start under. Running stages keep the deadlines they
    started with (DOMAIN.md: configurable "without a code change")."""
    ComplaintRuleSet.objects.select_for_update().filter(is_active=True).exclude(pk=rule_set.pk).update(
        is_active=False
    )
    ComplaintRuleSet.objects.filter(pk=rule_set.pk).update(is_active=True, changed_at=timezone.now())
    rule_set.refresh_from_db()
    audit_record(actor=actor, action="complaint_rule_set_activated", target=rule_set)
    return rule_set


@transaction.atomic
def stage_rule_change(*, rule: ComplaintStageRule, actor=None, **values) -> ComplaintStageRule:
    """Change one stage rule and raise its rule set's version; stages already started keep the
    numbers they copied when they started."""
    changes = {}
    for field, value in values.items():
        if getattr(rule, field) != value:
            changes[field] = [getattr(rule, field), value]
            setattr(rule, field, value)
    rule.save()
    rule_set = ComplaintRuleSet.objects.select_for_update().get(pk=rule.rule_set_id)
    rule_set.version += 1
    rule_set.changed_at = timezone.now()
    rule_set.save(update_fields=["version", "changed_at"])
    audit_record(actor=actor, action="complaint_stage_rule_changed", target=rule, changes=changes)
    return rule


# --- Enforcement (DOMAIN.md: "Deadlines are enforced, not just displayed") --------------------


SWEEP_CHUNK = 200


def complaints_enforce_deadlines(today: date | None = None) -> dict[str, int]:
    """Remind owners before a stage deadline (each stage's reminder offset, default 2 working
    days), mark complaints overdue once the deadline has passed and tell the owner's line manager,
    and remind about Ombudsman follow-ups. Idempotent and safe to run concurrently (chunks locked
    in deadline order, outbox dedupe keys); everything lives in the database, so a sweep after
    downtime catches up. Each chunk costs a constant number of queries, whatever its size."""
    today = today or timezone.localdate()
    cal = calendar()
    counts = {"reminders": 0, "overdue": 0, "notices": 0, "ombudsman_reminders": 0}
    horizon = cal.add_working_days(today, _max_reminder_offset())
    ids = list(Complaint.objects.with_running_clock().filter(due_date__lte=horizon)
               .order_by("due_date", "pk").values_list("pk", flat=True))
    for start in range(0, len(ids), SWEEP_CHUNK):
        reminders, marked, notices = _enforce_chunk(ids[start:start + SWEEP_CHUNK], today, horizon, cal)
        counts["reminders"] += reminders
        counts["overdue"] += marked
        counts["notices"] += notices
    counts["ombudsman_reminders"] = _remind_ombudsman_follow_ups(today, cal)
    counts["triage_alerts"] = complaints_alert_triage(today)
    counts.update(due_actions_enforce(today))
    return counts


def _max_reminder_offset() -> int:
    """The largest reminder offset of any stage of a complaint with a deadline. Stages copy their
    rule's offset when they start and rules change, so: the rules' largest (a small table), then
    only the stages above it, from an index (reading every stage's offset cost the sweep about
    200 ms at 200,000 complaints, run after run)."""
    bound = max([2, *ComplaintStageRule.objects.values_list("reminder_working_days", flat=True)])
    higher = (ComplaintStage.objects.filter(complaint__due_date__isnull=False,
                                            rule_reminder_working_days__gt=bound)
              .aggregate(offset=Max("rule_reminder_working_days"))["offset"])
    return max(bound, higher or 0)


@transaction.atomic
def _enforce_chunk(ids: list[int], today: date, horizon: date, cal) -> tuple[int, int, int]:
    """Reminders, overdue marks and notices for one chunk of complaints.

    The rows are locked in deadline order and re-read under the lock, so of concurrent sweeps
    the second waits for the first, then finds them flagged and their messages stored.
    """
    complaints = list(
        Complaint.objects.with_running_clock().filter(pk__in=ids, due_date__lte=horizon)
        .select_for_update(of=("self",))
        .select_related("assigned_to__line_manager", "service").order_by("due_date", "pk")
    )
    stages = {(s.complaint_id, s.stage): s
              for s in ComplaintStage.objects.filter(complaint__in=complaints)}
    messages, reminder_keys, overdue, late_acknowledgements = [], set(), [], []
    managers: dict[str, list[User]] = {}
    for complaint in complaints:
        stage = stages.get((complaint.pk, complaint.stage))
        if stage is None:
            continue
        due = complaint.due_date
        if complaint_awaits_acknowledgement(complaint, stage):
            # The acknowledgement's deadline: the same sweep, in its own words (API.md v1.2).
            if complaint.process not in managers:
                managers[complaint.process] = triage_managers(complaint.process)
            reminders, notices = _acknowledgement_messages(complaint, stage, due, today, cal,
                                                           managers[complaint.process])
            messages.extend(reminders + notices)
            reminder_keys.update(reminder.dedupe_key for reminder in reminders)
            if today > due:
                late_acknowledgements.append(complaint)
            continue
        if today >= cal.subtract_working_days(due, stage.rule_reminder_working_days):
            reminder = _deadline_reminder(complaint, stage, due)
            if reminder:
                messages.append(reminder)
                reminder_keys.add(reminder.dedupe_key)
        if today > due:
            overdue.append((complaint, stage))
            notice = _overdue_notice(complaint, stage, due, cal.working_days_between(due, today))
            if notice:
                messages.append(notice)
    # A late acknowledgement marks the complaint overdue, not its stage's response.
    marked = _mark_overdue([complaint for complaint in [*late_acknowledgements, *(c for c, _ in overdue)]
                            if complaint.overdue_at is None],
                           [stage.pk for _, stage in overdue])
    stored = outbox_send_many(messages)
    reminders = sum(1 for message in stored if message.dedupe_key in reminder_keys)
    return reminders, marked, len(stored) - reminders


def _acknowledgement_messages(complaint: Complaint, stage: ComplaintStage, due: date, today: date, cal,
                              managers: list[User]) -> tuple[list[Outgoing], list[Outgoing]]:
    """Before an acknowledgement deadline its owner is reminded, or, while nobody owns the
    complaint, the managers of the team that allocates it (`triage_managers`); once it passes the
    owner's line manager is told, or those managers."""
    owner = complaint.assigned_to if complaint.assigned_to and complaint.assigned_to.is_active else None
    name = stage.get_stage_display().lower()
    reminders, notices = [], []
    if today >= cal.subtract_working_days(due, stage.rule_reminder_working_days):
        reminders = [Outgoing(
            dedupe_key=f"complaint-stage:{stage.pk}:acknowledgement-reminder:{due.isoformat()}:{user.pk}",
            message=Message(
                subject=f"Complaint {complaint.reference}: {name} acknowledgement due {due:%d %B %Y}",
                body=f"The acknowledgement of complaint {complaint.reference} ({complaint.service.name}, "
                     f"{name}) is due on {due:%A %d %B %Y}.",
            ),
            recipient_user=user, about=complaint,
        ) for user in ([owner] if owner else managers)]
    if today > due:
        line_manager = getattr(owner, "line_manager", None)
        days_over = cal.working_days_between(due, today)
        notices = [Outgoing(
            dedupe_key=f"complaint-stage:{stage.pk}:acknowledgement-overdue:{due.isoformat()}:{user.pk}",
            message=Message(
                subject=f"Overdue: acknowledgement of complaint {complaint.reference}",
                body=f"The acknowledgement of complaint {complaint.reference} ({complaint.service.name}, "
                     f"{name}, {f'owned by {owner}' if owner else 'not allocated'}) was due on "
                     f"{due:%A %d %B %Y} and is overdue by {days_over} working "
                     f"day{'s' if days_over != 1 else ''}.",
            ),
            recipient_user=user, about=complaint,
        ) for user in ([line_manager] if owner and line_manager and line_manager.is_active
                       else [] if owner else managers)]
    return reminders, notices


def _deadline_reminder(complaint: Complaint, stage: ComplaintStage, due: date) -> Outgoing | None:
    owner = complaint.assigned_to
    if owner is None or not owner.is_active:
        return None  # a leaver is reminded of nothing; the overdue notice reaches their manager
    return Outgoing(
        dedupe_key=f"complaint-stage:{stage.pk}:reminder:{due.isoformat()}",
        message=Message(
            subject=f"Complaint {complaint.reference}: {stage.get_stage_display().lower()} "
                    f"response due {due:%d %B %Y}",
            body=f"The {stage.get_stage_display().lower()} response to complaint {complaint.reference} "
                 f"({complaint.service.name}) is due on {due:%A %d %B %Y}.",
        ),
        recipient_user=owner,
        about=complaint,
    )


def _overdue_notice(complaint: Complaint, stage: ComplaintStage, due: date,
                    days_over: int) -> Outgoing | None:
    manager = getattr(complaint.assigned_to, "line_manager", None)
    if manager is None or not manager.is_active:
        return None
    return Outgoing(
        dedupe_key=f"complaint-stage:{stage.pk}:overdue:{due.isoformat()}",
        message=Message(
            subject=f"Overdue: complaint {complaint.reference} ({complaint.assigned_to})",
            body=f"The {stage.get_stage_display().lower()} response to complaint "
                 f"{complaint.reference} ({complaint.service.name}), owned by "
                 f"{complaint.assigned_to}, was due on {due:%A %d %B %Y} and is overdue "
                 f"by {days_over} working day{'s' if days_over != 1 else ''}.",
        ),
        recipient_user=manager,
        about=complaint,
    )


def _mark_overdue(complaints: list[Complaint], stage_ids: list[int]) -> int:
    """Flag the locked, still unflagged complaints (and their current stages) overdue, each with
    its timeline entry and audit row, in one statement each."""
    now = timezone.now()
    ComplaintStage.objects.filter(pk__in=stage_ids, overdue_at__isnull=True).update(overdue_at=now)
    if not complaints:
        return 0
    Complaint.objects.filter(pk__in=[c.pk for c in complaints], overdue_at__isnull=True).update(
        overdue_at=now
    )
    latest = dict(ComplaintEvent.objects.filter(complaint__in=complaints).values("complaint")
                  .annotate(latest=Max("at")).values_list("complaint", "latest"))
    ComplaintEvent.objects.bulk_create(
        ComplaintEvent(complaint=c, actor=None, at=max(now, latest.get(c.pk) or now),
                       action="marked_overdue", stage=c.stage,
                       data={"due_date": c.due_date.isoformat()})
        for c in complaints)
    audit_record_many(
        {"actor": None, "action": "complaint_marked_overdue", "target": c,
         "changes": {"due_date": c.due_date.isoformat()}}
        for c in complaints)
    for complaint in complaints:
        complaint.overdue_at = now
    return len(complaints)


def _remind_ombudsman_follow_ups(today: date, cal) -> int:
    cases = (Complaint.objects.unresolved().filter(ombudsman_follow_up_date__isnull=False,
                                                   ombudsman_follow_up_date__gte=today - timedelta(days=30),
                                                   ombudsman_follow_up_date__lte=today + timedelta(days=60))
             .filter(ombudsman_decision__isnull=True)  # decided: nothing left to follow up
             .select_related("assigned_to", "rule_set").order_by("ombudsman_follow_up_date", "pk"))
    legal = list(User.objects.filter(is_active=True, groups__name=Role.LEGAL).order_by("pk"))
    messages = []
    for complaint in cases:
        follow_up = complaint.ombudsman_follow_up_date
        remind_on = cal.subtract_working_days(follow_up, complaint.rule_set.ombudsman_reminder_working_days)
        if today < remind_on:
            continue
        owner = complaint.assigned_to
        recipients = [owner] if owner is not None and owner.is_active else legal
        messages.extend(
            Outgoing(
                dedupe_key=f"complaint:{complaint.pk}:ombudsman-follow-up:{follow_up.isoformat()}:"
                           f"{recipient.pk}",
                message=Message(
                    subject=f"Ombudsman follow-up on {follow_up:%d %B %Y}: complaint {complaint.reference}",
                    body=f"The Ombudsman follows up complaint {complaint.reference} "
                         f"(reference {complaint.ombudsman_reference or 'not yet known'}) on "
                         f"{follow_up:%A %d %B %Y}.",
                ),
                recipient_user=recipient,
                about=complaint,
            )
            for recipient in recipients
        )
    with transaction.atomic():
        return len(outbox_send_many(messages))


# --- Triage (issue 18, "People change") ---------------------------------------------------------


def complaints_alert_triage(today: date | None = None) -> int:
    """A complaint still awaiting allocation more than TRIAGE_WORKING_DAYS working days after its
    stage began (stage 1: received; later stages: escalation or referral) alerts the managers of
    the team that allocates it: the line managers of the active corporate complaints officers, or
    of the social care complaints monitoring officers for a statutory complaint; with none, every
    active manager. Once per stage and manager (outbox dedupe keys), so the sweep may run often."""
    today = today or timezone.localdate()
    cal = calendar()
    limit = settings.TRIAGE_WORKING_DAYS
    # The stage began on or before this day: a coarse bound read from the index, refined below.
    earliest_late = today - timedelta(days=limit)
    waiting = list(
        ComplaintStage.objects.filter(complaint__status=Status.AWAITING_ALLOCATION,
                                      stage=F("complaint__stage"), started_at__date__lt=earliest_late)
        .select_related("complaint__service").order_by("started_at", "pk")
    )
    managers = {process: triage_managers(process) for process in Process.values}
    messages = []
    for stage in waiting:
        complaint = stage.complaint
        triage_by = cal.add_working_days(local_date(stage.started_at), limit)
        if today <= triage_by:
            continue
        days = cal.working_days_between(local_date(stage.started_at), today)
        for manager in managers[complaint.process]:
            messages.append(Outgoing(
                dedupe_key=f"complaint-stage:{stage.pk}:triage:{manager.pk}",
                message=Message(
                    subject=f"Not allocated: complaint {complaint.reference} ({complaint.service.name})",
                    body=f"Complaint {complaint.reference} ({complaint.get_process_display().lower()}, "
                         f"{stage.get_stage_display().lower()}, {complaint.service.name}) has waited "
                         f"{days} working days for an officer since {stage.started_at:%d %B %Y}; "
                         f"the triage limit is {limit} working days.",
                ),
                recipient_user=manager, about=complaint,
            ))
    with transaction.atomic():
        return len(outbox_send_many(messages))


def triage_managers(process: str) -> list[User]:
    """Who is told of a complaint nobody has picked up (see `complaints_alert_triage`)."""
    role = Role.SOCIAL_CARE_COMPLAINTS if process == Process.STATUTORY else Role.COMPLAINTS_OFFICER
    managers = list(User.objects.filter(
        is_active=True,
        pk__in=User.objects.filter(is_active=True, groups__name=role).values("line_manager"),
    ).order_by("pk"))
    return managers or list(User.objects.filter(is_active=True, groups__name=Role.MANAGER).order_by("pk"))


# --- Remedies, the Ombudsman's decision, learning actions, the review panel (issue 18, items 2,
# 3 and 5) --------------------------------------------------------------------------------------

def _day(day) -> str:
    return f"{day.day} {day:%B %Y}"


REMEDY_MAX_PENCE = 100_000_000  # £1,000,000: beyond any complaint remedy, so a typo is caught
REMEDY_KINDS_IN_WORDS = "apology, financial, service_action or other"


def _remedy_error(message: str, part: str) -> ValidationError:
    # The part (kind, amount_pounds, detail) rides on the error's code, so a page form can put
    # the message by the box it is about; the API shows it under "remedy" (API.md's 400 shape).
    return ValidationError({"remedy": ValidationError(message, code=part)})


def remedy_parse(remedy) -> dict | None:
    """A remedy as `respond` and `ombudsman-decision` take it (API.md v1.2): {"kind", "amount_pounds"?,
    "detail"?} -> the values of a ComplaintRemedy, or None for no remedy.

    The rules: the kind is one of apology, financial, service_action, other; an amount is pounds
    and pence (a number or a numeric string, more than £0, at most 2 decimal places, under
    £1,000,000) and a financial remedy must have one; any kind may carry an amount (what an
    apology visit or a service action cost, when known); "other" must say what it was. A plain
    string (what `respond` took before v1.2) is kept as an "other" remedy in those words."""
    if remedy is None or remedy == "" or remedy == {}:
        return None
    if isinstance(remedy, str):
        remedy = {"kind": RemedyKind.OTHER, "detail": remedy}
    if not isinstance(remedy, dict):
        raise _remedy_error(f"Enter the remedy as an object with its kind ({REMEDY_KINDS_IN_WORDS}).", "kind")
    kind = remedy.get("kind")
    if kind not in RemedyKind.values:
        raise _remedy_error(f"Select the kind of remedy: {REMEDY_KINDS_IN_WORDS}.", "kind")
    detail = remedy.get("detail")
    if detail is None:
        detail = ""
    if not isinstance(detail, str):
        raise _remedy_error("Enter the remedy's detail as text.", "detail")
    detail = detail.strip()
    if len(detail) > TEXT_MAX_LENGTH:
        raise _remedy_error(f"The remedy's detail must be {TEXT_MAX_LENGTH:,} characters or fewer.", "detail")
    amount = remedy.get("amount_pounds")
    pence = None
    if amount is not None and amount != "":
        if isinstance(amount, bool) or not isinstance(amount, (int, float, str, Decimal)):
            raise _remedy_error("Enter the amount in pounds as a number, like 50 or 49.99.", "amount_pounds")
        try:
            pounds = Decimal(str(amount).strip().removeprefix("£").replace(",", ""))
        except InvalidOperation:
            raise _remedy_error("Enter the amount in pounds as a number, like 50 or 49.99.",
                                "amount_pounds") from None
        if not pounds.is_finite():
            raise _remedy_error("Enter the amount in pounds as a number, like 50 or 49.99.", "amount_pounds")
        if pounds <= 0:
            raise _remedy_error("Enter an amount of more than £0.", "amount_pounds")
        if pounds != pounds.quantize(Decimal("0.01")):
            raise _remedy_error("Enter the amount in pounds and pence, with at most 2 decimal places.",
                                "amount_pounds")
        pence = int(pounds * 100)
        if pence >= REMEDY_MAX_PENCE:
            raise _remedy_error("Enter an amount of less than £1,000,000.", "amount_pounds")
    if kind == RemedyKind.FINANCIAL and pence is None:
        raise _remedy_error("Enter the amount of the financial remedy, in pounds.", "amount_pounds")
    if kind == RemedyKind.OTHER and not detail:
        raise _remedy_error("Describe the remedy.", "detail")
    return {"kind": kind, "amount_pence": pence, "detail": detail}


def remedy_in_words(values: dict | None) -> str:
    """The remedy as a sentence, for the stage's `remedy` text that letters quote."""
    if not values:
        return ""
    words = RemedyKind(values["kind"]).label
    if values.get("amount_pence") is not None:
        words += f" of £{Decimal(values['amount_pence']) / 100:,.2f}"
    return f"{words}: {values['detail']}" if values.get("detail") else words


def _remedy_save(stage: ComplaintStage, values: dict | None, at) -> ComplaintRemedy | None:
    if not values:
        return None
    stage.remedy = remedy_in_words(values)
    stage.save(update_fields=["remedy"])
    return ComplaintRemedy.objects.create(stage=stage, recorded_at=at, **values)


def _remedy_data(values: dict | None) -> dict | None:
    if not values:
        return None
    return {"kind": values["kind"], "amount_pence": values["amount_pence"], "detail": values["detail"]}


def _due_date(value, field: str) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValidationError({field: "Enter the due date as YYYY-MM-DD, like 2026-03-31."})


MAX_RECOMMENDATIONS = 50


def recommendations_parse(recommendations, *, decided_on: date) -> list[dict]:
    """The Ombudsman's recommendations: each an action (what the council must do) and a due date
    no earlier than the decision."""
    if recommendations in (None, ""):
        return []
    if not isinstance(recommendations, list):
        raise ValidationError({"recommendations": "Enter the recommendations as a list of "
                                                  "{\"action\", \"due_date\"}."})
    if len(recommendations) > MAX_RECOMMENDATIONS:
        raise ValidationError({"recommendations": f"Enter at most {MAX_RECOMMENDATIONS} recommendations."})
    parsed = []
    for number, item in enumerate(recommendations, start=1):
        prefix = f"Recommendation {number}: "
        if not isinstance(item, dict):
            raise ValidationError({"recommendations": f"{prefix}enter an action and a due date."})
        action = item.get("action")
        if not isinstance(action, str) or not action.strip():
            raise ValidationError({"recommendations": f"{prefix}enter what the council must do."})
        if len(action) > TEXT_MAX_LENGTH:
            raise ValidationError({"recommendations": f"{prefix}the action must be {TEXT_MAX_LENGTH:,} "
                                                      f"characters or fewer."})
        try:
            due = _due_date(item.get("due_date"), "recommendations")
        except ValidationError:
            raise ValidationError({"recommendations": f"{prefix}enter the due date as YYYY-MM-DD, "
                                                      f"like 2026-03-31."}) from None
        if due < decided_on:
            raise ValidationError({"recommendations": f"{prefix}the due date cannot be before the "
                                                      f"decision ({_day(decided_on)})."})
        parsed.append({"action": action.strip(), "due_date": due})
    return parsed


@transaction.atomic
def complaint_ombudsman_decision(*, complaint: Complaint, actor, decision: str, remedy=None,
                                 recommendations=None, at=None) -> Complaint:
    """Record the Ombudsman's decision on a referred complaint, with the remedy and the
    recommendations (each with a due date) it asks of the council (API.md v1.2; DOMAIN.md,
    "Complaints": the Ombudsman stage). Once per complaint, only while the case is with the
    Ombudsman (the transition table); the recommendations are then tracked to done by the
    deadline sweep. It moves no status: closing the council's side stays its own step."""
    if decision not in OmbudsmanDecisionKind.values:
        raise ValidationError({"decision": "Select the Ombudsman's decision: upheld, not_upheld, "
                                           "closed_after_initial_enquiries or premature."})
    remedy_values = remedy_parse(remedy)
    complaint, _ = _lock(complaint, Action.OMBUDSMAN_DECISION)
    if OmbudsmanDecision.objects.filter(complaint=complaint).exists():
        raise StateConflict("The Ombudsman's decision on this complaint is already recorded.")
    at = _at(complaint, at)
    items = recommendations_parse(recommendations, decided_on=local_date(at))
    stage = _current_stage(complaint)
    OmbudsmanDecision.objects.create(complaint=complaint, decision=decision, decided_at=at,
                                     recorded_by=actor if getattr(actor, "pk", None) else None)
    _remedy_save(stage, remedy_values, at)
    created = OmbudsmanRecommendation.objects.bulk_create(
        OmbudsmanRecommendation(complaint=complaint, action=item["action"], due_date=item["due_date"],
                                created_at=at) for item in items)
    _record(complaint, actor=actor, action=Action.OMBUDSMAN_DECISION, at=at,
            note=OmbudsmanDecisionKind(decision).label,
            data={"decision": decision, "remedy": _remedy_data(remedy_values),
                  "recommendations": [{"id": r.pk, "action": r.action, "due_date": _iso(r.due_date)}
                                      for r in created]},
            changes={"ombudsman_decision": [None, decision]})
    return complaint


@transaction.atomic
def ombudsman_recommendation_done(*, complaint: Complaint, actor, recommendation: int,
                                  at=None) -> Complaint:
    """Record that the council did what one of the Ombudsman's recommendations asked (its
    compliance: done by the due date or late). Marking a done recommendation done again changes
    nothing and answers as the first time did (a retry is safe). An unknown recommendation, or
    another complaint's, raises OmbudsmanRecommendation.DoesNotExist (404)."""
    complaint, _ = _lock(complaint, Action.RECOMMENDATION_DONE)
    item = (OmbudsmanRecommendation.objects.select_for_update()
            .filter(complaint=complaint, pk=recommendation).first())
    if item is None:
        raise OmbudsmanRecommendation.DoesNotExist("No such recommendation on this complaint.")
    if item.done_at is not None:
        return complaint
    at = _at(complaint, at)
    item.done_at = at
    item.done_by = actor if getattr(actor, "pk", None) else None
    item.save(update_fields=["done_at", "done_by"])
    _record(complaint, actor=actor, action=Action.RECOMMENDATION_DONE, at=at, note=item.action,
            data={"recommendation": item.pk, "due_date": _iso(item.due_date),
                  "on_time": local_date(at) <= item.due_date},
            changes={"recommendation": item.pk, "done_at": [None, at.isoformat()]})
    return complaint


def _ombudsman_team(complaint: Complaint) -> list[User]:
    """Who coordinates a complaint's Ombudsman case when nobody owns it: Legal Services for a
    corporate complaint, the social care complaints team for a statutory one (which only that
    team sees)."""
    role = Role.SOCIAL_CARE_COMPLAINTS if complaint.process == Process.STATUTORY else Role.LEGAL
    return list(User.objects.filter(is_active=True, groups__name=role).order_by("pk"))


def ombudsman_referral_tell_legal(complaint: Complaint) -> int:
    """A referral to the Ombudsman is told to Legal Services (issue 18, item 2), each active
    member of the legal role, once per referral (outbox dedupe keys). A statutory complaint's
    notice names only its references: its details stay with the social care complaints team."""
    legal = list(User.objects.filter(is_active=True, groups__name=Role.LEGAL).order_by("pk"))
    statutory = complaint.process == Process.STATUTORY
    body = (f"Complaint {complaint.reference} has been referred to the Local Government and Social "
            f"Care Ombudsman (reference {complaint.ombudsman_reference}) on "
            f"{_day(timezone.localtime(complaint.ombudsman_referred_at))}. The Ombudsman follows up "
            f"on {complaint.ombudsman_follow_up_date:%A %d %B %Y}.")
    body += (" It is a statutory social care complaint: the social care complaints team holds the case."
             if statutory else f" Service: {complaint.service.name}.")
    return len(outbox_send_many(
        Outgoing(dedupe_key=f"complaint:{complaint.pk}:ombudsman-referral:"
                            f"{complaint.ombudsman_referred_at.isoformat()}:legal:{user.pk}",
                 message=Message(subject=f"Referred to the Ombudsman: complaint {complaint.reference}",
                                 body=body),
                 recipient_user=user, about=complaint)
        for user in legal))


# Learning from complaints (issue 18, item 3) -------------------------------------------------

LEARNING_ACTION_REMINDER_WORKING_DAYS = 2


def _learning_items_parse(complaint: Complaint, items, *, created_on: date) -> list[dict]:
    parsed = []
    for item in items or []:
        action = (item.get("action") or "").strip()
        if not action:
            raise ValidationError({"learning_action": "Enter the action to take."})
        if len(action) > TEXT_MAX_LENGTH:
            raise ValidationError({"learning_action": f"The action must be {TEXT_MAX_LENGTH:,} characters "
                                                      f"or fewer."})
        owner = item.get("owner")
        if owner is None or not getattr(owner, "is_active", False) or not is_staff_member(owner):
            raise ValidationError({"learning_owner": "Choose an active member of staff to own the action."})
        due = item.get("due_date")
        if due is None:
            raise ValidationError({"learning_due_date": "Enter the date the action is due."})
        due = _due_date(due, "learning_due_date")
        if due < created_on:
            raise ValidationError({"learning_due_date": "The due date cannot be in the past."})
        parsed.append({"action": action, "owner": owner, "due_date": due})
    return parsed


def _learning_actions_create(complaint: Complaint, stage: ComplaintStage | None, actor, items: list[dict],
                             at) -> list[LearningAction]:
    created = []
    for item in items:
        action = LearningAction.objects.create(
            complaint=complaint, stage=stage, action=item["action"], owner=item["owner"],
            due_date=item["due_date"], created_by=actor if getattr(actor, "pk", None) else None,
            created_at=at)
        _record(complaint, actor=actor, action="learning_action_added", at=at, note=action.action,
                data={"learning_action": action.pk, "owner": item["owner"].username,
                      "due_date": _iso(action.due_date)},
                changes={"learning_action": action.pk})
        created.append(action)
    return created


@transaction.atomic
def learning_action_add(*, complaint: Complaint, actor, action: str, owner: User, due_date,
                        at=None) -> LearningAction:
    """A lesson learned from a complaint becomes an action with an owner and a due date
    (issue 18, item 3), on the timeline of the complaint; reminded before it is due and noticed
    to the owner's line manager once overdue (`complaints_enforce_deadlines`)."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    at = _at(complaint, at)
    items = _learning_items_parse(complaint, [{"action": action, "owner": owner, "due_date": due_date}],
                                  created_on=local_date(at))
    stage = complaint.stages.filter(stage=complaint.stage).first()
    return _learning_actions_create(complaint, stage, actor, items, at)[0]


@transaction.atomic
def learning_action_done(*, learning_action: LearningAction, actor, at=None) -> LearningAction:
    """The action is done; done again changes nothing (a retry is safe)."""
    complaint = Complaint.objects.select_for_update().get(pk=learning_action.complaint_id)
    learning_action = LearningAction.objects.select_for_update().get(pk=learning_action.pk)
    if learning_action.done_at is not None:
        return learning_action
    at = _at(complaint, at)
    learning_action.done_at = at
    learning_action.done_by = actor if getattr(actor, "pk", None) else None
    learning_action.save(update_fields=["done_at", "done_by"])
    _record(complaint, actor=actor, action="learning_action_done", at=at, note=learning_action.action,
            data={"learning_action": learning_action.pk, "due_date": _iso(learning_action.due_date),
                  "on_time": local_date(at) <= learning_action.due_date},
            changes={"learning_action": learning_action.pk, "done_at": [None, at.isoformat()]})
    return learning_action


# Statutory stage 3 (issue 18, item 5) ----------------------------------------------------------


@transaction.atomic
def complaint_review_panel(*, complaint: Complaint, actor, panel_date=None, members: str = "",
                           recommendations: str = "", director_decision: str = "", at=None) -> Complaint:
    """Record statutory stage 3's review panel (its date, members and recommendations) and the
    Director's decision on them (DOMAIN.md, "Complaints": stage 3, a review panel). Recorded as it
    happens, so each save updates what was recorded; the Director's decision is dated when it is
    first entered, and needs the panel's recommendations first."""
    complaint, _ = _lock(complaint, Action.REVIEW_PANEL)
    at = _at(complaint, at)
    stage = _current_stage(complaint)
    members = "\n".join(line.strip() for line in (members or "").splitlines() if line.strip())
    recommendations = (recommendations or "").strip()
    director_decision = (director_decision or "").strip()
    if panel_date is not None:
        panel_date = _due_date(panel_date, "panel_date")
        if panel_date < local_date(stage.started_at):
            raise ValidationError({"panel_date": "The panel date cannot be before stage 3 began."})
    if director_decision and not recommendations:
        raise ValidationError({"recommendations": "Enter the panel's recommendations before the "
                                                  "Director's decision."})
    panel = ReviewPanel.objects.filter(stage=stage).first() or ReviewPanel(stage=stage, changed_at=at)
    before = {"panel_date": _iso(panel.panel_date), "members": panel.members,
              "recommendations": panel.recommendations, "director_decision": panel.director_decision}
    panel.panel_date, panel.members = panel_date, members
    panel.recommendations, panel.director_decision = recommendations, director_decision
    if director_decision and panel.director_decided_at is None:
        panel.director_decided_at = at
    elif not director_decision:
        panel.director_decided_at = None
    panel.changed_at = at
    panel.save()
    after = {"panel_date": _iso(panel.panel_date), "members": panel.members,
             "recommendations": panel.recommendations, "director_decision": panel.director_decision}
    changed = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    _record(complaint, actor=actor, action=Action.REVIEW_PANEL, at=at,
            data={"panel_date": _iso(panel.panel_date), "members": panel.member_names,
                  "director_decided": panel.director_decided_at is not None},
            changes={key: "changed" for key in changed})
    return complaint


ACTION_SERVICES.update({
    Action.OMBUDSMAN_DECISION: complaint_ombudsman_decision,
    Action.RECOMMENDATION_DONE: ombudsman_recommendation_done,
    Action.REVIEW_PANEL: complaint_review_panel,
})


# The sweep's part for the Ombudsman's recommendations and learning actions ------------------------


def due_actions_enforce(today: date | None = None) -> dict[str, int]:
    """Remind before, and notice after, the due dates of the Ombudsman's outstanding
    recommendations and of learning actions (issue 18, items 2 and 3), like any deadline.

    A recommendation is reminded the rule set's Ombudsman reminder offset (default 5) working
    days before it is due, to the complaint's officer, or, with none active, to Legal Services
    (corporate) or the social care complaints team (statutory); once overdue, the officer's line
    manager is told, or that team. A learning action is reminded 2 working days before it is due
    to its owner (a leaver is reminded of nothing), and once overdue the owner's line manager is
    told, or with none every active manager. Each message once (outbox dedupe keys), so the sweep
    may run often and catches up after downtime."""
    today = today or timezone.localdate()
    cal = calendar()
    counts = {"recommendation_reminders": 0, "recommendation_overdue_notices": 0,
              "learning_action_reminders": 0, "learning_action_overdue_notices": 0}
    messages: list[tuple[str, Outgoing]] = []
    longest = max([5, *ComplaintRuleSet.objects.values_list("ombudsman_reminder_working_days", flat=True)])
    recommendations = (OmbudsmanRecommendation.objects.outstanding()
                       .filter(due_date__lte=cal.add_working_days(today, longest))
                       .select_related("complaint__assigned_to__line_manager", "complaint__rule_set",
                                       "complaint__service").order_by("due_date", "pk"))
    teams: dict[str, list[User]] = {}
    for item in recommendations:
        complaint, due = item.complaint, item.due_date
        if complaint.process not in teams:
            teams[complaint.process] = _ombudsman_team(complaint)
        owner = complaint.assigned_to if complaint.assigned_to and complaint.assigned_to.is_active else None
        what = (f"The Ombudsman's recommendation on complaint {complaint.reference} "
                f"(reference {complaint.ombudsman_reference or 'not known'}): {item.action}")
        if today >= cal.subtract_working_days(due, complaint.rule_set.ombudsman_reminder_working_days):
            for user in ([owner] if owner else teams[complaint.process]):
                messages.append(("recommendation_reminders", Outgoing(
                    dedupe_key=f"ombudsman-recommendation:{item.pk}:reminder:{due.isoformat()}:{user.pk}",
                    message=Message(subject=f"Ombudsman recommendation due {_day(due)}: complaint "
                                            f"{complaint.reference}",
                                    body=f"{what}\n\nIt is due on {due:%A %d %B %Y}."),
                    recipient_user=user, about=complaint)))
        if today > due:
            manager = getattr(owner, "line_manager", None)
            days = cal.working_days_between(due, today)
            for user in ([manager] if manager and manager.is_active else teams[complaint.process]):
                messages.append(("recommendation_overdue_notices", Outgoing(
                    dedupe_key=f"ombudsman-recommendation:{item.pk}:overdue:{due.isoformat()}:{user.pk}",
                    message=Message(subject=f"Overdue: Ombudsman recommendation on complaint "
                                            f"{complaint.reference}",
                                    body=f"{what}\n\nIt was due on {due:%A %d %B %Y} and is overdue by "
                                         f"{days} working day{'s' if days != 1 else ''}."),
                    recipient_user=user, about=complaint)))
    actions = (LearningAction.objects.outstanding()
               .filter(due_date__lte=cal.add_working_days(today, LEARNING_ACTION_REMINDER_WORKING_DAYS))
               .select_related("owner__line_manager", "complaint__service").order_by("due_date", "pk"))
    managers = None
    for item in actions:
        complaint, due, owner = item.complaint, item.due_date, item.owner
        what = (f"Learning action from complaint {complaint.reference} ({complaint.service.name}): "
                f"{item.action}")
        if owner.is_active and today >= cal.subtract_working_days(due, LEARNING_ACTION_REMINDER_WORKING_DAYS):
            messages.append(("learning_action_reminders", Outgoing(
                dedupe_key=f"learning-action:{item.pk}:reminder:{due.isoformat()}",
                message=Message(subject=f"Learning action due {_day(due)}: complaint {complaint.reference}",
                                body=f"{what}\n\nIt is due on {due:%A %d %B %Y}."),
                recipient_user=owner, about=item)))
        if today > due:
            manager = owner.line_manager
            if manager is None or not manager.is_active:
                if managers is None:
                    managers = list(User.objects.filter(is_active=True, groups__name=Role.MANAGER)
                                    .order_by("pk"))
                recipients = managers
            else:
                recipients = [manager]
            days = cal.working_days_between(due, today)
            for user in recipients:
                messages.append(("learning_action_overdue_notices", Outgoing(
                    dedupe_key=f"learning-action:{item.pk}:overdue:{due.isoformat()}:{user.pk}",
                    message=Message(subject=f"Overdue: learning action from complaint {complaint.reference} "
                                            f"({owner})",
                                    body=f"{what}\n\nOwned by {owner}, it was due on {due:%A %d %B %Y} "
                                         f"and is overdue by {days} working day{'s' if days != 1 else ''}."),
                    recipient_user=user, about=item)))
    with transaction.atomic():
        stored = {message.dedupe_key for message in outbox_send_many(item for _, item in messages)}
    for kind, item in messages:
        if item.dedupe_key in stored:
            counts[kind] += 1
    return counts
