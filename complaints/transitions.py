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
    INTERIM_RESPONSE = "interim_response", "Send an interim response"
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


class Clock(StrEnum):
    """What a transition does to the deadline."""

    KEEP = "keep"  # nothing changes
    START_AT_ALLOCATION = "start_at_allocation"  # stage 1: N working days from allocation
    START_AT_ESCALATION = "start_at_escalation"  # the new stage: N working days from escalation
    REVISE_TARGET = "revise_target"  # interim response: the revised target becomes the deadline
    STOP = "stop"  # responded or closed: no deadline runs
    RECOMPUTE_STATUTORY = "recompute_statutory"  # statutory stage 1 from the original allocation
    OMBUDSMAN_FOLLOW_UP = "ombudsman_follow_up"  # no deadline; follow-up = referral + 84 days


@dataclass(frozen=True)
class Transition:
    process: str
    stage: str
    status: str
    action: str
    next_stage: str
    next_status: str
    clock: Clock
    next_process: str = ""

    @property
    def resulting_process(self) -> str:
        return self.next_process or self.process


C, S = Process.CORPORATE, Process.STATUTORY
AWAITING, OPEN, RESPONDED, CLOSED = Status.AWAITING_ALLOCATION, Status.OPEN, Status.RESPONDED, Status.CLOSED
ONE, TWO, THREE, OMBUDSMAN = Stage.ONE, Stage.TWO, Stage.THREE, Stage.OMBUDSMAN


def _rows() -> list[Transition]:
    rows = []
    for process, stages, final in ((C, (ONE, TWO), TWO), (S, (ONE, TWO, THREE), THREE)):
        for stage in stages:
            # Allocation: stage 1's clock starts here; later stages' clocks started at
            # escalation, so allocating a senior officer or investigator leaves it alone.
            rows.append(Transition(process, stage, AWAITING, Action.ALLOCATE, stage, OPEN,
                                   Clock.START_AT_ALLOCATION if stage == ONE else Clock.KEEP))
            rows.append(Transition(process, stage, OPEN, Action.ALLOCATE, stage, OPEN, Clock.KEEP))
            rows.append(Transition(process, stage, OPEN, Action.INTERIM_RESPONSE, stage, OPEN,
                                   Clock.REVISE_TARGET))
            rows.append(Transition(process, stage, OPEN, Action.RESPOND, stage, RESPONDED, Clock.STOP))
            rows.append(Transition(process, stage, RESPONDED, Action.CLOSE, stage, CLOSED, Clock.STOP))
            if stage != final:
                # Unhappy with the response, or with the timescale (still open).
                following = stages[stages.index(stage) + 1]
                for status in (OPEN, RESPONDED):
                    rows.append(Transition(process, stage, status, Action.ESCALATE, following,
                                           AWAITING, Clock.START_AT_ESCALATION))
        for status in (RESPONDED, CLOSED):
            rows.append(Transition(process, final, status, Action.REFER_TO_OMBUDSMAN, OMBUDSMAN,
                                   AWAITING, Clock.OMBUDSMAN_FOLLOW_UP))
        rows.append(Transition(process, OMBUDSMAN, AWAITING, Action.ALLOCATE, OMBUDSMAN, OPEN, Clock.KEEP))
        rows.append(Transition(process, OMBUDSMAN, OPEN, Action.ALLOCATE, OMBUDSMAN, OPEN, Clock.KEEP))
        for status in (AWAITING, OPEN):
            rows.append(Transition(process, OMBUDSMAN, status, Action.CLOSE, OMBUDSMAN, CLOSED, Clock.STOP))
    rows.extend(_ombudsman_and_panel_rows())
    # A corporate stage 1 complaint found to be a statutory one switches process before the
    # stage 1 response (DOMAIN.md: "switches to the statutory rules and timescales").
    for status in (AWAITING, OPEN):
        rows.append(Transition(C, ONE, status, Action.MAKE_STATUTORY, ONE, status,
                               Clock.RECOMPUTE_STATUTORY, next_process=S))
    return rows


def _ombudsman_and_panel_rows() -> list[Transition]:
    """The Ombudsman's decision is recorded once (the service refuses a second) while the case is
    with the Ombudsman, also after the council closed its side; it moves no status and no clock.
    Its recommendations are marked done whatever the case's status, since compliance is tracked
    past closure. The review panel sits at statutory stage 3, before or after the response."""
    rows = []
    for process in (C, S):
        for status in (AWAITING, OPEN, CLOSED):
            rows.append(Transition(process, OMBUDSMAN, status, Action.OMBUDSMAN_DECISION, OMBUDSMAN,
                                   status, Clock.KEEP))
            rows.append(Transition(process, OMBUDSMAN, status, Action.RECOMMENDATION_DONE, OMBUDSMAN,
                                   status, Clock.KEEP))
    for status in (OPEN, RESPONDED):
        rows.append(Transition(S, THREE, status, Action.REVIEW_PANEL, THREE, status, Clock.KEEP))
    return rows


TRANSITIONS: dict[tuple[str, str, str, str], Transition] = {
    (row.process, row.stage, row.status, row.action): row for row in _rows()
}


def transition_for(complaint, action: str) -> Transition | None:
    return TRANSITIONS.get((complaint.process, complaint.stage, complaint.status, action))


def allowed_actions(complaint) -> list[Action]:
    """The actions the table allows in the complaint's current state, in display order."""
    return [action for action in Action if transition_for(complaint, action) is not None]


def require_transition(complaint, action: str) -> Transition:
    transition = transition_for(complaint, action)
    if transition is None:
        raise StateConflict(
            f"You cannot {Action(action).label.lower()} when a {complaint.get_process_display().lower()} "
            f"complaint is at {complaint.get_stage_display().lower()} and "
            f"{complaint.get_status_display().lower()}."
        )
    return transition
