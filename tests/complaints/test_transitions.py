"""Every action in every state of both processes: allowed ones do what the table says, the rest
are refused with StateConflict (409 in the API) and change nothing."""

import pytest
from django.core.exceptions import ValidationError

from complaints.models import Complaint, Process, Stage, Status
from complaints.transitions import TRANSITIONS, Action, allowed_actions
from core.api_errors import StateConflict
from core.roles import Role
from tests.complaints.factories import complaint, user_with, walk

C, S = Process.CORPORATE, Process.STATUTORY
AA, OPEN, RESP, CLOSED = Status.AWAITING_ALLOCATION, Status.OPEN, Status.RESPONDED, Status.CLOSED


def _paths(process, stages):
    paths = {}
    route: list[str] = []
    for stage in stages:
        paths[(process, stage, AA)] = list(route)
        paths[(process, stage, OPEN)] = [*route, "allocate"]
        paths[(process, stage, RESP)] = [*route, "allocate", "respond"]
        paths[(process, stage, CLOSED)] = [*route, "allocate", "respond", "close"]
        route = [*route, "allocate", "respond", "escalate"]
    final = paths[(process, stages[-1], CLOSED)]
    paths[(process, Stage.OMBUDSMAN, AA)] = [*final, "refer_to_ombudsman"]
    paths[(process, Stage.OMBUDSMAN, OPEN)] = [*final, "refer_to_ombudsman", "allocate"]
    paths[(process, Stage.OMBUDSMAN, CLOSED)] = [*final, "refer_to_ombudsman", "close"]
    return paths


STATES = {**_paths(C, [Stage.ONE, Stage.TWO]), **_paths(S, [Stage.ONE, Stage.TWO, Stage.THREE])}
CASES = [(state, action) for state in STATES for action in Action]


def test_the_table_only_names_reachable_states():
    for process, stage, status, _ in TRANSITIONS:
        assert (process, stage, status) in STATES


@pytest.mark.django_db
@pytest.mark.parametrize(("state", "action"), CASES, ids=[f"{'-'.join(s)}-{a.value}" for s, a in CASES])
def test_action_is_allowed_exactly_when_the_table_says_so(state, action):
    process, stage, status = state
    officer = user_with(Role.COMPLAINTS_OFFICER, is_senior_officer=True)
    user_with(Role.SOCIAL_CARE_COMPLAINTS)
    case = walk(complaint(process=process), STATES[state], officer=officer)
    assert (case.process, case.stage, case.status) == state
    transition = TRANSITIONS.get((*state, action))
    assert (action in allowed_actions(case)) == (transition is not None)
    if transition is not None and action == Action.EXTEND:
        # The table allows it; the strategy's rules (the default) allow no extension: 400.
        with pytest.raises(ValidationError, match="no extension"):
            walk(case, [action.value], officer=officer)
        case.refresh_from_db()
        assert (case.process, case.stage, case.status) == state
        assert case.events.count() == len(STATES[state]) + 1
    elif transition is None:
        with pytest.raises(StateConflict):
            walk(case, [action.value], officer=officer)
        case.refresh_from_db()
        assert (case.process, case.stage, case.status) == state
        assert case.events.count() == len(STATES[state]) + 1
    else:
        case = walk(case, [action.value], officer=officer)
        case = Complaint.objects.get(pk=case.pk)
        expected_status = transition.next_status
        assert (case.process, case.stage, case.status) == (
            transition.resulting_process, transition.next_stage, expected_status
        )
        assert case.events.order_by("-at", "-pk").first().action == action.value


@pytest.mark.django_db
def test_an_interim_response_can_be_sent_once_per_stage():
    case = walk(complaint(), ["allocate", "interim_response"])
    with pytest.raises(StateConflict, match="already"):
        walk(case, ["interim_response"])


@pytest.mark.django_db
def test_every_action_writes_a_timeline_event_and_an_audit_row():
    from core.models import AuditEvent

    case = walk(complaint(), ["allocate", "interim_response", "respond", "escalate", "allocate", "respond",
                              "refer_to_ombudsman", "close"])
    audit = AuditEvent.objects.filter(object_type="complaints.complaint", object_id=str(case.pk))
    assert audit.count() == case.events.count() == 9
    assert [row.action for row in audit.order_by("pk")][:3] == [
        "complaint_created", "complaint_allocate", "complaint_interim_response"]


@pytest.mark.django_db
def test_legal_services_coordinate_ombudsman_cases():
    from complaints.selectors import complaint_actions_for

    legal = user_with(Role.LEGAL)
    case = walk(complaint(), ["allocate", "respond", "escalate", "allocate", "respond", "refer_to_ombudsman"])
    assert complaint_actions_for(legal, case) == [Action.ALLOCATE, Action.CLOSE, Action.OMBUDSMAN_DECISION]
    assert complaint_actions_for(legal, walk(complaint(), ["allocate"])) == []
