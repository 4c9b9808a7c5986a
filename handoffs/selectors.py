"""Reads of the hand-offs app: who may see which hand-off, the queues, the timeline."""

from dataclasses import dataclass
from datetime import date

from django.db.models import BooleanField, Case, Exists, Max, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from contacts.models import ContactPhoto
from contacts.selectors import contact_open_enquiries, customer_ids_matching
from core.models import Team
from core.roles import Role, has_role, is_staff_member
from core.working_days import calendar
from core.worklists import Column
from handoffs.models import ACTION_STATUSES, Handoff, HandoffUpdate

SYSTEM_KINDS = (HandoffUpdate.Kind.REMINDER, HandoffUpdate.Kind.OVERDUE)


def handoffs_visible_to(user) -> QuerySet[Handoff]:
    """Who sees which hand-off (issue 4, "an officer sees only their teams' hand-offs"):
    managers and admins all; back-office officers their teams'; advisers the ones they advocate
    or whose contact they handled; partner systems those of contacts they created; others none."""
    handoffs = Handoff.objects.all()
    if has_role(user, Role.MANAGER, Role.ADMIN):
        return handoffs
    scope = Q(pk__in=[])
    if has_role(user, Role.BACK_OFFICE):
        scope |= Q(team__in=Team.objects.filter(members=user).values("pk"))
    if has_role(user, Role.ADVISER):
        scope |= Q(advocate=user) | Q(contact__handled_by=user)
    if has_role(user, Role.PARTNER):
        scope |= Q(contact__created_by=user)
    return handoffs.filter(scope)


def handoff_can(user, handoff: Handoff, action: str) -> bool:
    """Which actions a user may take on a hand-off they can see: the receiving team (and
    managers, admins) work it; the advocate may add updates, as they keep the customer
    informed. Whether the hand-off's status allows it is the service's rule (StateConflict)."""
    if has_role(user, Role.MANAGER, Role.ADMIN):
        return True
    if has_role(user, Role.BACK_OFFICE) and handoff.team.members.filter(pk=user.pk).exists():
        return True
    return action == "update" and handoff.advocate_id == user.pk and has_role(user, Role.ADVISER)


def handoff_actions_for(user, handoff: Handoff) -> set[str]:
    """The actions the pages offer this user now: allowed for them and in the current status."""
    return {action for action, statuses in ACTION_STATUSES.items()
            if handoff.status in statuses and handoff_can(user, handoff, action)}


def handoff_due_soon_date(today: date | None = None) -> date:
    """The last due date that counts as "due soon": one working day from today."""
    return calendar().add_working_days(today or timezone.localdate(), 1)


def with_deadline_flags(handoffs: QuerySet[Handoff], today: date | None = None) -> QuerySet[Handoff]:
    """Annotate `is_overdue` (unresolved and due before today, as in API.md) and `is_due_soon`
    (unresolved and due today or the next working day)."""
    today = today or timezone.localdate()
    soon = handoff_due_soon_date(today)
    unresolved = ~Q(status=Handoff.Status.RESOLVED)
    return handoffs.annotate(
        is_overdue=Case(When(unresolved & Q(due_date__lt=today), then=Value(True)),
                        default=Value(False), output_field=BooleanField()),
        is_due_soon=Case(When(unresolved & Q(due_date__gte=today, due_date__lte=soon),
                              then=Value(True)),
                         default=Value(False), output_field=BooleanField()),
    )


@dataclass(frozen=True)
class QueueFilters:
    team: str = ""
    status: str = ""
    method: str = ""
    overdue: bool = False
    q: str = ""
    assigned: str = ""  # "me", "none" or "" (anyone)


# The sortable columns of the hand-off lists (issue 20): each has an index behind it among the
# unresolved hand-offs (handoff_open_due_idx, handoff_queue_idx, the primary key).
QUEUE_COLUMNS = [
    Column("reference", "Hand-off", ("pk",)),
    Column("customer", "Customer"),
    Column("enquiry", "Enquiry", classes="govuk-!-width-one-quarter"),
    Column("status", "Status", ("status", "due_date", "pk"), classes="govuk-!-width-one-quarter"),
    Column("due", "Due", ("due_date", "pk")),
]
QUEUE_DEFAULT_SORT = "due"


def handoff_search(handoffs: QuerySet[Handoff], query: str) -> QuerySet[Handoff]:
    """Hand-offs found by reference (the hand-off number) or by their customer's name, postcode,
    phone or UPRN (the customer search's own rules, `contacts.selectors.customer_search`)."""
    query = " ".join(query.split())
    if not query:
        return handoffs
    # By the copy of the contact's customer on the hand-off, read from its index (a common
    # surname's thousand customers would otherwise join every open hand-off with its contact).
    match = Q(contact_customer_id__in_array=customer_ids_matching(query))
    if query.isdigit() and len(query) <= 18:
        match |= Q(pk=int(query))
    return handoffs.filter(match)


def handoff_list(user, filters: QueueFilters, *, unresolved_only: bool = False,
                 today: date | None = None, order_by=("due_date", "pk")) -> QuerySet[Handoff]:
    """The hand-offs a user may see, filtered (team by code; search; assigned to the user or to
    nobody), soonest due first unless `order_by` says otherwise."""
    today = today or timezone.localdate()
    handoffs = handoffs_visible_to(user)
    if filters.q:
        handoffs = handoff_search(handoffs, filters.q)
    if filters.assigned == "me":
        handoffs = handoffs.filter(assigned_to=user)
    elif filters.assigned == "none":
        handoffs = handoffs.filter(assigned_to__isnull=True)
    if unresolved_only and not filters.status:
        handoffs = handoffs.unresolved()
    if filters.team:
        handoffs = handoffs.filter(team__code=filters.team)
    if filters.status:
        handoffs = handoffs.filter(status=filters.status)
    if filters.method:
        handoffs = handoffs.filter(method=filters.method)
    if filters.overdue:
        handoffs = handoffs.unresolved().filter(due_date__lt=today)
    return _for_a_list(with_deadline_flags(handoffs, today)).order_by(*order_by)


def _for_a_list(handoffs: QuerySet[Handoff]) -> QuerySet[Handoff]:
    """What a list of hand-offs shows with each: its contact and customer joined (one of each
    per row), and the few teams, officers, services and enquiry types a page names read once
    each (a fixed number of small queries). Joining all nine tables cost PostgreSQL more to plan
    (about 15 ms a page on this machine) than to run (issue 20, "under 100 ms")."""
    return (handoffs.select_related("contact__customer")
            .prefetch_related("team", "assigned_to", "advocate", "contact__service",
                              "contact__enquiry_type"))


def team_queue_teams(user) -> QuerySet[Team]:
    """The teams whose queues a user works: all back-office teams for managers and admins."""
    teams = Team.objects.filter(is_front_office=False)
    if not has_role(user, Role.MANAGER, Role.ADMIN):
        teams = teams.filter(members=user)
    return teams.order_by("name", "pk")


def advocate_cases(user, today: date | None = None, *, q: str = "",
                   order_by=("due_date", "pk")) -> QuerySet[Handoff]:
    """The adviser's open Customer Advocate cases (issue 4: "the advocate sees it on their own
    list until it is resolved"), soonest due first; searched as the team queue is."""
    handoffs = handoff_search(Handoff.objects.unresolved().filter(advocate=user), q)
    return _for_a_list(with_deadline_flags(handoffs, today)).order_by(*order_by)


def handoff_may_assign(user, handoff: Handoff) -> bool:
    """Who may assign a hand-off to an officer from the queue (issue 20, bulk actions): its
    team's lead, managers and admins."""
    if has_role(user, Role.MANAGER, Role.ADMIN):
        return True
    return has_role(user, Role.BACK_OFFICE) and handoff.team.lead_id == user.pk


def teams_led_by(user) -> QuerySet[Team]:
    """The back-office teams whose work the user may assign: all for managers and admins, the
    teams they lead for a team lead."""
    teams = Team.objects.filter(is_front_office=False)
    if not has_role(user, Role.MANAGER, Role.ADMIN):
        teams = teams.filter(lead=user) if has_role(user, Role.BACK_OFFICE) else teams.none()
    return teams


def assignable_officers(teams) -> QuerySet:
    """Active members of these teams, for the bulk assign choice."""
    from core.models import User

    return (User.objects.filter(is_active=True, teams__in=teams).distinct()
            .order_by("first_name", "last_name", "pk"))


def handoff_detail(user, handoff_id: int) -> Handoff:
    """One hand-off the user may see (Handoff.DoesNotExist otherwise: 404)."""
    return (with_deadline_flags(handoffs_visible_to(user))
            .select_related("team", "assigned_to", "advocate", "contact__service",
                            "contact__enquiry_type", "contact__customer", "contact__handled_by")
            .get(pk=handoff_id))


def handoff_photos(handoff: Handoff) -> QuerySet[ContactPhoto]:
    """The photos the hand-off's contact arrived with (a resident's problem report, issue 20), in
    the order they were sent. Only for a user `handoff_detail` found it for."""
    return ContactPhoto.objects.filter(contact=handoff.contact_id).order_by("position", "pk")


def handoff_timeline(handoff: Handoff) -> QuerySet[HandoffUpdate]:
    return handoff.updates.select_related("author").order_by("at", "pk")


def handoff_previous_event_at(handoff: Handoff):
    """The time of the hand-off's latest event, for API.md's rule on `at`. The sweep's own
    reminders and overdue marks do not count: an officer may still record work done before them."""
    return (handoff.updates.exclude(kind__in=SYSTEM_KINDS)
            .aggregate(latest=Max("at"))["latest"])


def team_officers(handoff: Handoff):
    return handoff.team.members.filter(is_active=True).order_by("first_name", "last_name", "pk")


def handoff_counts_for_officer(user, today: date | None = None) -> tuple[int, int]:
    """(open, overdue) unresolved hand-offs in the user's teams, for the home page."""
    today = today or timezone.localdate()
    handoffs = Handoff.objects.unresolved().filter(
        team__in=Team.objects.filter(members=user).values("pk"))
    return handoffs.count(), handoffs.filter(due_date__lt=today).count()


def _known_to(user) -> QuerySet[Handoff]:
    """The hand-offs a user may know of, each with `visible`: whether they may open it. Staff
    know of every hand-off (team, status, due date: the customer's story, issue 15); a partner
    system only of those it may see."""
    handoffs = Handoff.objects.all() if is_staff_member(user) else handoffs_visible_to(user)
    return (handoffs.annotate(visible=Exists(handoffs_visible_to(user).filter(pk=OuterRef("pk"))))
            .select_related("team", "assigned_to", "contact__service", "contact__enquiry_type"))


def handoffs_about_customer(customer, user) -> QuerySet[Handoff]:
    """Every hand-off of the customer the user may know of, newest first (the 360 page and the
    API timeline): one query."""
    return _known_to(user).filter(contact__customer=customer).order_by("-opened_at", "-pk")


def handoffs_about_contact(contact, user) -> QuerySet[Handoff]:
    """The hand-offs a contact opened (one, or one per service told of a life event)."""
    return _known_to(user).filter(contact=contact).order_by("opened_at", "pk")


def with_timeline(handoffs: QuerySet[Handoff]) -> QuerySet[Handoff]:
    """Prefetch each hand-off's updates in time order as `timeline` (for the API)."""
    return handoffs.prefetch_related(Prefetch(
        "updates", queryset=HandoffUpdate.objects.select_related("author").order_by("at", "pk"),
        to_attr="timeline"))


# --- Open enquiries: chasing and repeat-contact detection ----------------------------------------


def open_enquiries(customer, at=None) -> QuerySet[Handoff]:
    """The customer's unresolved hand-offs whose contacts were received inside the repeat window
    before `at` (`contacts.selectors.contact_open_enquiries`), newest first: what a new contact
    may be chasing. One query."""
    return (Handoff.objects.unresolved()
            .filter(contact__in=contact_open_enquiries(customer, at).values("pk"))
            .select_related("team", "contact__service", "contact__enquiry_type__service")
            .order_by("-contact__received_at", "-pk"))


def repeat_candidate(customer, service, at=None) -> Handoff | None:
    """The newest open enquiry of the same customer and service inside the repeat window: a new
    contact about that service may be repeating it (DOMAIN.md, "Contacts and NI14")."""
    if customer is None:
        return None
    return open_enquiries(customer, at).filter(contact__service=service).first()


def handoff_for_chasing(handoff_id) -> Handoff | None:
    """The hand-off a new contact says it chases, with what the intake rules check."""
    try:
        handoff_id = int(handoff_id)
    except (TypeError, ValueError):
        return None
    if not 0 < handoff_id < 2 ** 63:
        return None
    return (Handoff.objects.select_related("team", "contact__service")
            .filter(pk=handoff_id).first())
