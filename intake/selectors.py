"""Reads of the intake: who takes contacts at which desk, and what a back-office officer's page
starts from."""

from django.db.models import Count, QuerySet

from core.models import EnquiryType, Team
from core.roles import Role, has_role

# The front office's screen (/contacts/log/): advisers; managers and admins may stand in.
FRONT_OFFICE_ROLES = (Role.ADVISER, Role.MANAGER, Role.ADMIN)
# A back-office team's screen for the public contact that reaches it directly
# (/contacts/log/team/): its officers; managers and admins may stand in for any team.
TEAM_ROLES = (Role.BACK_OFFICE, Role.MANAGER, Role.ADMIN)


def can_log_at_front_office(user) -> bool:
    return has_role(user, *FRONT_OFFICE_ROLES)


def can_log_for_a_team(user) -> bool:
    return has_role(user, *TEAM_ROLES)


def teams_taking_direct_contact(user) -> QuerySet[Team]:
    """The back-office teams a user logs direct contacts for: their own; every back-office team
    for managers and admins."""
    teams = Team.objects.filter(is_front_office=False).select_related("site")
    if not has_role(user, Role.MANAGER, Role.ADMIN):
        teams = teams.filter(members=user)
    return teams.order_by("name", "pk")


def teams_main_services(teams) -> dict[int, str]:
    """{team id: the code of the service it mostly works for}: the service most of the active
    enquiry types it receives belong to (the back-office page starts from it). One query."""
    counts = (EnquiryType.objects.filter(team__in=teams, is_active=True, service__is_active=True)
              .values("team_id", "service__code", "service__name").annotate(types=Count("pk"))
              .order_by("team_id", "-types", "service__name", "service__code"))
    main: dict[int, str] = {}
    for row in counts:
        main.setdefault(row["team_id"], row["service__code"])
    return main
