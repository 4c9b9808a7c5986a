"""Reads for people change: who holds open work, and whose work needs a new owner."""

from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from complaints.models import Complaint, Status
from complaints.selectors import complaints_visible_to
from core.models import HandoffMethod, User
from core.roles import Role, has_role
from handoffs.models import Handoff


def may_manage_people(user) -> bool:
    """Managers and admins pass work on (DOMAIN.md, "Who uses it": managers run performance)."""
    return has_role(user, Role.MANAGER, Role.ADMIN)


@dataclass(frozen=True)
class OfficerWork:
    officer: User
    complaints: int
    handoffs: int
    advocated: int = 0

    @property
    def needs_new_owner(self) -> bool:
        """A deactivated account still holding work: nobody is reminded of it (issue 18)."""
        return not self.officer.is_active


def _advocating(prefix: str = "") -> Q:
    """Unresolved Customer Advocate hand-offs: the front-office adviser still owns the enquiry."""
    return Q(**{f"{prefix}method": HandoffMethod.CUSTOMER_ADVOCATE}) & ~Q(
        **{f"{prefix}status": Handoff.Status.RESOLVED})


def _open_complaints():
    # Only an open complaint has an officer working it; a responded one waits for the complaints
    # team to close or escalate it.
    return Complaint.objects.filter(status=Status.OPEN)


def _count_per_officer(rows, field: str) -> Coalesce:
    """How many of `rows` each officer holds: a correlated count on the officer's index (three
    counts joined on one query would multiply the rows per officer and grow with the data)."""
    counted = (rows.filter(**{field: OuterRef("pk")}).order_by().values(field)
               .annotate(total=Count("pk")).values("total"))
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _holding_work() -> Q:
    return (Q(pk__in=_open_complaints().values("assigned_to"))
            | Q(pk__in=Handoff.objects.unresolved().values("assigned_to"))
            | Q(pk__in=Handoff.objects.filter(_advocating()).values("advocate")))


def officers_with_open_work() -> list[OfficerWork]:
    """Everyone holding open complaints or unresolved hand-offs, deactivated accounts first."""
    officers = (
        User.objects.filter(_holding_work())
        .annotate(
            open_complaints=_count_per_officer(_open_complaints(), "assigned_to"),
            open_handoffs=_count_per_officer(Handoff.objects.unresolved(), "assigned_to"),
            open_advocated=_count_per_officer(Handoff.objects.filter(_advocating()), "advocate"),
        )
        .order_by("-is_active", "last_name", "first_name", "pk")
    )
    work = [OfficerWork(officer, officer.open_complaints, officer.open_handoffs, officer.open_advocated)
            for officer in officers]
    return sorted(work, key=lambda item: not item.needs_new_owner)


def officers_needing_new_owner_count() -> int:
    return User.objects.filter(is_active=False).filter(_holding_work()).count()


def officer_open_work(officer: User, viewer) -> dict:
    """The open complaints and hand-offs an officer holds, as the reassignment page lists them."""
    return {
        "complaints": list(complaints_visible_to(viewer).filter(assigned_to=officer, status=Status.OPEN)
                           .select_related("service").order_by("received_at", "pk")),
        "handoffs": list(Handoff.objects.unresolved().filter(assigned_to=officer)
                         .select_related("team", "contact__service").order_by("due_date", "pk")),
        "advocated": list(Handoff.objects.filter(_advocating(), advocate=officer)
                          .select_related("team").order_by("due_date", "pk")),
    }


def new_owner_choices(officer: User):
    """Active staff other than the officer: who may take the work over (the services check the
    rules for each case: a senior officer at stage 2, a member of the hand-off's team)."""
    return (User.objects.filter(is_active=True).exclude(pk=officer.pk).exclude(groups__name=Role.PARTNER)
            .distinct().order_by("last_name", "first_name", "pk"))
