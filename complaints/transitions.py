"""The complaint workflow as one table (DOMAIN.md, "Complaints"; STYLE.md, "one explicit
transition table").

(process, stage, status) x action -> the next stage and status and what happens to the clock.
Services refuse anything not in the table (StateConflict: 409 in the API, a message on the page),
pages offer only the actions it allows, and tests walk every row and every missing row.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.db import models

from complaints.models import Process, Stage, Status
from core.api_errors import StateConflict


class Action(models.TextChoices):
    ALLOCATE = "allocate", "Allocate to an officer"
    ACKNOWLEDGE = "acknowledge", "Acknowledge the complaint"
    INTERIM_RESPONSE = "interim_response", "Send an interim response"
    EXTEND = "extend", "Extend the response deadline"
    RESPOND = "respond", "Record the stage response"
    ESCALATE = "escalate", "Escalate to the next stage"
    MAKE_STATUTORY = "make_statutory", "Reclassify as a statutory complaint"
    REFER_TO_OMBUDSMAN = "refer_to_ombudsman", "Refer to the Ombudsman"
    CLOSE = "close", "Close the complaint"
    # Issue 18, items 2 and 5: the Ombudsman's decision and compliance with its recommendations,
    # and the statutory stage 3 review panel with the Director's decision.
    OMBUDSMAN_DECISION = "ombudsman_decision", "Record the Ombudsman's decision"
    RECOMMENDATION_DONE = "recommendation_done", "Record a recommendation as done"
    REVIEW_PANEL = "review_panel", "Record the review panel and the Director's decision"

    @property
    def slug(self) -> str:
        """The action's name in URLs (API.md: /complaints/{id}/interim-response/)."""
        return self.value.replace("_", "-")

    @classmethod
    def from_slug(cls, slug: str) -> "Action | None":
        value = slug.replace("-", "_")
        return cls(value) if value in cls.values else None


class ClockEvent(StrEnum):
    """What an action is to the clocks. Each transition names its event; the stage's rule (its
    rule set's data, `clock_effects`) says which clock the event starts, stops or moves."""

    RECEIPT = "receipt"  # the complaint is logged: stage 1 starts
    ESCALATION = "escalation"  # the complainant asks for the next stage: it starts
    ALLOCATION = "allocation"  # the stage's first officer (a reallocation starts nothing)
    ACKNOWLEDGEMENT = "acknowledgement"
    INTERIM_RESPONSE = "interim_response"
    EXTENSION = "extension"
    RESPONSE = "response"
    RECLASSIFICATION = "reclassification"  # corporate to statutory: the clocks are replayed
    REFERRAL = "referral"  # to the Ombudsman: no deadline; follow-up = referral + 84 days
    CLOSE = "close"
    NONE = "none"  # a reallocation


class ClockEffect(StrEnum):
    START_ACKNOWLEDGEMENT = "start_acknowledgement"
    STOP_ACKNOWLEDGEMENT = "stop_acknowledgement"
    START_RESPONSE = "start_response"
    REVISE_TARGET = "revise_target"  # an interim response's revised target becomes the deadline
    EXTEND_RESPONSE = "extend_response"  # an extension with a reason, within the rule's limit
    STOP = "stop"  # responded, closed or referred: no clock runs


# The event that starts each stage: its acknowledgement clock starts here.
STAGE_START_EVENT = {Stage.ONE: ClockEvent.RECEIPT, Stage.TWO: ClockEvent.ESCALATION,
                     Stage.THREE: ClockEvent.ESCALATION}


@dataclass(frozen=True)
class ClockRule:
    """A stage's clock rule, from its rule set's stage rule (or the copy a running stage keeps)."""

    stage: str
    working_days: int | None
    acknowledge_working_days: int | None
    response_clock_starts: str
    extensions_allowed: bool
    interim_response_revises_target: bool
    extension_working_days: int

    @classmethod
    def of_stage_rule(cls, rule) -> "ClockRule":
        return cls(rule.stage, rule.working_days, rule.acknowledge_working_days, rule.response_clock_starts,
                   rule.extensions_allowed, rule.interim_response_revises_target, rule.extension_working_days)

    @classmethod
    def of_stage(cls, stage) -> "ClockRule":
        return cls(stage.stage, stage.rule_working_days, stage.rule_acknowledge_working_days,
                   stage.rule_response_clock_starts, stage.rule_extensions_allowed,
                   stage.rule_interim_response_revises_target, stage.rule_extension_working_days)


def clock_effects(rule: ClockRule, event: str) -> list[ClockEffect]:
    """What one event does to a stage's clocks under its rule: the clock column of the table,
    as data (README, "Complaint rule sets")."""
    effects = []
    if event == STAGE_START_EVENT.get(rule.stage) and rule.acknowledge_working_days is not None:
        effects.append(ClockEffect.START_ACKNOWLEDGEMENT)
    if event == ClockEvent.ACKNOWLEDGEMENT:
        effects.append(ClockEffect.STOP_ACKNOWLEDGEMENT)
    if event == rule.response_clock_starts and rule.working_days is not None:
        effects.append(ClockEffect.START_RESPONSE)
    if event == ClockEvent.INTERIM_RESPONSE and rule.interim_response_revises_target:
        effects.append(ClockEffect.REVISE_TARGET)
    if event == ClockEvent.EXTENSION and rule.extensions_allowed:
        effects.append(ClockEffect.EXTEND_RESPONSE)
    if event in (ClockEvent.RESPONSE, ClockEvent.CLOSE, ClockEvent.REFERRAL):
        effects.append(ClockEffect.STOP)
    return effects


def clock_table(stage_rules) -> list[dict]:
    """Each stage rule's clocks in words: which event starts and stops each clock, how long it
    runs, how the response may be extended (the `complaint_rules list` command and the README)."""
    rows = []
    for rule in stage_rules:
        clock = ClockRule.of_stage_rule(rule)
        start_event = STAGE_START_EVENT.get(rule.stage)
        starts = {effect: event for event in ClockEvent for effect in clock_effects(clock, event)}
        if clock.extensions_allowed:
            extension = f"extend by up to {clock.extension_working_days} working days, with a reason"
        elif clock.interim_response_revises_target:
            extension = ("interim response revises the target"
                         + (f", up to {clock.extension_working_days} working days"
                            if clock.extension_working_days else ", no limit"))
        else:
            extension = "none"
        rows.append({
            "process": rule.process, "stage": rule.stage,
            "acknowledgement": (f"{clock.acknowledge_working_days} working days from {start_event}, "
                                f"stops at acknowledgement"
                                if ClockEffect.START_ACKNOWLEDGEMENT in starts else "none"),
            "response": (f"{clock.working_days} working days from "
                         f"{starts[ClockEffect.START_RESPONSE]}, stops at response"
                         if ClockEffect.START_RESPONSE in starts else "none"),
            "extension": extension,
        })
    return rows


@dataclass(frozen=True)
class Transition:
    process: str
    stage: str
    status: str
    action: str
    next_stage: str
    next_status: str
    event: ClockEvent
    next_process: str = ""
    # The stage field that records this action when it may happen once per stage.
    once_per_stage: str = ""
    # Where the case goes when the action leaves it with nobody to own it (reclassification
    # with no social care complaints monitoring officer in post).
    next_status_without_owner: str = ""

    @property
    def resulting_process(self) -> str:
        return self.next_process or self.process


C, S = Process.CORPORATE, Process.STATUTORY
AWAITING, OPEN, RESPONDED, CLOSED = Status.AWAITING_ALLOCATION, Status.OPEN, Status.RESPONDED, Status.CLOSED
ONE, TWO, THREE, OMBUDSMAN = Stage.ONE, Stage.TWO, Stage.THREE, Stage.OMBUDSMAN
E = ClockEvent


def _rows() -> list[Transition]:
    rows = []
    for process, stages, final in ((C, (ONE, TWO), TWO), (S, (ONE, TWO, THREE), THREE)):
        for stage in stages:
            # Allocation: the stage's first officer (the clock starts here if the rule says so);
            # a reallocation starts nothing.
            rows.append(Transition(process, stage, AWAITING, Action.ALLOCATE, stage, OPEN, E.ALLOCATION))
            rows.append(Transition(process, stage, OPEN, Action.ALLOCATE, stage, OPEN, E.NONE))
            for status in (AWAITING, OPEN):
                # The complaints team acknowledges on receipt, before or after allocation; the
                # extension is theirs too once the response clock runs.
                rows.append(Transition(process, stage, status, Action.ACKNOWLEDGE, stage, status,
                                       E.ACKNOWLEDGEMENT, once_per_stage="acknowledged_at"))
                rows.append(Transition(process, stage, status, Action.EXTEND, stage, status, E.EXTENSION))
            rows.append(Transition(process, stage, OPEN, Action.INTERIM_RESPONSE, stage, OPEN,
                                   E.INTERIM_RESPONSE, once_per_stage="interim_response_at"))
            rows.append(Transition(process, stage, OPEN, Action.RESPOND, stage, RESPONDED, E.RESPONSE))
            rows.append(Transition(process, stage, RESPONDED, Action.CLOSE, stage, CLOSED, E.CLOSE))
            if stage != final:
                # Unhappy with the response, or with the timescale (still open).
                following = stages[stages.index(stage) + 1]
                for status in (OPEN, RESPONDED):
                    rows.append(Transition(process, stage, status, Action.ESCALATE, following,
                                           AWAITING, E.ESCALATION))
        for status in (RESPONDED, CLOSED):
            rows.append(Transition(process, final, status, Action.REFER_TO_OMBUDSMAN, OMBUDSMAN,
                                   AWAITING, E.REFERRAL))
        rows.append(Transition(process, OMBUDSMAN, AWAITING, Action.ALLOCATE, OMBUDSMAN, OPEN, E.NONE))
        rows.append(Transition(process, OMBUDSMAN, OPEN, Action.ALLOCATE, OMBUDSMAN, OPEN, E.NONE))
        for status in (AWAITING, OPEN):
            rows.append(Transition(process, OMBUDSMAN, status, Action.CLOSE, OMBUDSMAN, CLOSED, E.CLOSE))
    rows.extend(_ombudsman_and_panel_rows())
    # A corporate stage 1 complaint found to be a statutory one switches process before the
    # stage 1 response (DOMAIN.md: "switches to the statutory rules and timescales"), passing to
    # the social care complaints monitoring officer; with none in post it awaits allocation.
    for status in (AWAITING, OPEN):
        rows.append(Transition(C, ONE, status, Action.MAKE_STATUTORY, ONE, status, E.RECLASSIFICATION,
                               next_process=S, next_status_without_owner=AWAITING))
    return rows


def _ombudsman_and_panel_rows() -> list[Transition]:
    """The Ombudsman's decision is recorded once (`once_per_stage`) while the case is
    with the Ombudsman, also after the council closed its side; it moves no status and no clock.
    Its recommendations are marked done whatever the case's status, since compliance is tracked
    past closure. The review panel sits at statutory stage 3, before or after the response."""
    rows = []
    for process in (C, S):
        for status in (AWAITING, OPEN, CLOSED):
            rows.append(Transition(process, OMBUDSMAN, status, Action.OMBUDSMAN_DECISION, OMBUDSMAN,
                                   status, E.NONE, once_per_stage="ombudsman_decided_at"))
            rows.append(Transition(process, OMBUDSMAN, status, Action.RECOMMENDATION_DONE, OMBUDSMAN,
                                   status, E.NONE))
    for status in (OPEN, RESPONDED):
        rows.append(Transition(S, THREE, status, Action.REVIEW_PANEL, THREE, status, E.NONE))
    return rows


TRANSITIONS: dict[tuple[str, str, str, str], Transition] = {
    (row.process, row.stage, row.status, row.action): row for row in _rows()
}


def transition_for(complaint, action: str, stage=None) -> Transition | None:
    """The row for this action in the complaint's state; None when the table has none, or when a
    once-per-stage action has already happened at the current stage (`stage`: its record)."""
    transition = TRANSITIONS.get((complaint.process, complaint.stage, complaint.status, action))
    if transition is not None and transition.once_per_stage:
        stage = stage if stage is not None else complaint.stages.filter(stage=complaint.stage).first()
        if stage is not None and getattr(stage, transition.once_per_stage) is not None:
            return None
    return transition


def offered(transition: Transition, stage) -> bool:
    """Whether the case page offers an action the table allows: an extension only where the
    stage's rule allows one and its response clock runs (elsewhere the API answers 400 or 409, as
    API.md v1.2 says)."""
    if transition.event == ClockEvent.EXTENSION:
        return bool(stage is not None and stage.rule_extensions_allowed and stage.due_date)
    return True


def allowed_actions(complaint, stage=None) -> list[Action]:
    """The actions the table allows in the complaint's current state, in display order."""
    stage = stage if stage is not None else complaint.stages.filter(stage=complaint.stage).first()
    return [action for action in Action if transition_for(complaint, action, stage) is not None]


def require_transition(complaint, action: str, stage=None) -> Transition:
    transition = TRANSITIONS.get((complaint.process, complaint.stage, complaint.status, action))
    if transition is None:
        raise StateConflict(
            f"You cannot {Action(action).label.lower()} when a {complaint.get_process_display().lower()} "
            f"complaint is at {complaint.get_stage_display().lower()} and "
            f"{complaint.get_status_display().lower()}."
        )
    if transition_for(complaint, action, stage) is None:
        raise StateConflict(f"{_DONE[transition.once_per_stage]} at this stage.")
    return transition


_DONE = {"acknowledged_at": "The complaint has already been acknowledged",
         "interim_response_at": "An interim response has already been sent",
         "ombudsman_decided_at": "The Ombudsman's decision has already been recorded"}
