"""Complaint factories: built through the services, so stages, events and deadlines are real."""

from datetime import datetime

from django.contrib.auth.models import Group
from django.utils import timezone

from complaints import services
from complaints.models import Outcome, Process
from core.roles import Role
from tests.factories import CustomerFactory, ServiceFactory, UserFactory


def at(day: str, hour: int = 10):
    """A moment on a date in the council's time zone."""
    return timezone.make_aware(datetime.fromisoformat(f"{day}T{hour:02d}:00"))


def user_with(role: str | None, **kwargs):
    user = UserFactory(**kwargs)
    if role is not None:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


def complaint(*, process=Process.CORPORATE, actor=None, received_at=None, **kwargs):
    return services.complaint_create(
        actor=actor,
        customer=kwargs.pop("customer", None) or CustomerFactory(),
        service=kwargs.pop("service", None) or ServiceFactory(),
        summary=kwargs.pop("summary", "The bin was not collected three weeks running."),
        process=process,
        received_at=received_at,
        **kwargs,
    )


def walk(case, steps, *, officer=None, at_times=None):
    """Drive a complaint through actions by name: walk(c, ["allocate", "respond", "escalate"])."""
    # A senior officer by default, who may take any stage (issue 18: stage 2 and premature
    # Ombudsman complaints go only to senior officers).
    officer = officer or user_with(Role.COMPLAINTS_OFFICER, is_senior_officer=True)
    for step in steps:
        moment = at_times.pop(0) if at_times else None
        if step == "allocate":
            case = services.complaint_allocate(complaint=case, actor=None, officer=officer, at=moment)
        elif step == "acknowledge":
            case = services.complaint_acknowledge(complaint=case, actor=None, at=moment)
        elif step == "extend":
            case = services.complaint_extend(complaint=case, actor=None, working_days=5,
                                             reason="Waiting for the contractor's report.", at=moment)
        elif step == "interim_response":
            case = services.complaint_interim_response(complaint=case, actor=None, note="Update", at=moment)
        elif step == "respond":
            case = services.complaint_respond(complaint=case, actor=None, outcome=Outcome.UPHELD,
                                              response="Sorry.", at=moment)
        elif step == "escalate":
            case = services.complaint_escalate(complaint=case, actor=None, reason="Unhappy", at=moment)
        elif step == "make_statutory":
            case = services.complaint_make_statutory(complaint=case, actor=None, at=moment)
        elif step == "refer_to_ombudsman":
            case = services.complaint_refer_to_ombudsman(complaint=case, actor=None, reference="LGO/1",
                                                         at=moment)
        elif step == "ombudsman_decision":
            case = services.complaint_ombudsman_decision(
                complaint=case, actor=None, decision="upheld", at=moment,
                recommendations=[{"action": "Apologise in writing.", "due_date": "2099-01-01"}])
        elif step == "recommendation_done":
            first = case.ombudsman_recommendations.order_by("pk").first()
            if first is None and case.stage == "ombudsman":
                case = walk(case, ["ombudsman_decision"])
                first = case.ombudsman_recommendations.order_by("pk").first()
            case = services.ombudsman_recommendation_done(complaint=case, actor=None,
                                                          recommendation=getattr(first, "pk", 0), at=moment)
        elif step == "review_panel":
            case = services.complaint_review_panel(complaint=case, actor=None, members="A Member",
                                                   recommendations="Apologise.", at=moment)
        elif step == "close":
            case = services.complaint_close(complaint=case, actor=None, at=moment)
        else:
            raise ValueError(step)
    return case
