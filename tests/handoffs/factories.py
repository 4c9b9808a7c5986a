"""Hand-off factories: built through the services, so due dates and timelines are real."""

from datetime import datetime

from django.contrib.auth.models import Group
from django.utils import timezone

from core.models import ChannelCode, HandoffMethod
from core.roles import Role
from intake.services import contact_log
from tests.factories import CustomerFactory, EnquiryTypeFactory, TeamFactory, UserFactory

FAF = HandoffMethod.FIRE_AND_FORGET
CA = HandoffMethod.CUSTOMER_ADVOCATE


def at(day: str, hour: int = 10, minute: int = 0):
    """A moment on a date in the council's time zone."""
    return timezone.make_aware(datetime.fromisoformat(f"{day}T{hour:02d}:{minute:02d}"))


def user_with(role: str | None, **kwargs):
    user = UserFactory(**kwargs)
    if role is not None:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


def team_with_lead(**kwargs):
    team = TeamFactory(lead=user_with(Role.MANAGER), **kwargs)
    return team


def officer_in(team, role: str = Role.BACK_OFFICE, **kwargs):
    officer = user_with(role, **kwargs)
    team.members.add(officer)
    return officer


def open_handoff(*, method: str = FAF, team=None, days: int = 5, received_at=None, adviser=None,
                 customer=None, no_customer: bool = False, actor=None):
    """Log a contact through `contact_log` and return its hand-off. For Customer Advocate the
    adviser who logs it (made if not given) becomes the advocate."""
    team = team or team_with_lead()
    enquiry_type = EnquiryTypeFactory(handoff_method=method, team=team, target_working_days=days)
    if adviser is None and method == CA:
        adviser = user_with(Role.ADVISER)
    contact = contact_log(
        actor=actor or adviser,
        channel=ChannelCode.TELEPHONE,
        service=enquiry_type.service,
        enquiry_type=enquiry_type,
        customer=None if no_customer else (customer or CustomerFactory()),
        summary="Missed bin collection on Oak Street, third week running.",
        source="adviser",
        received_at=received_at,
    )
    return contact.handoff
