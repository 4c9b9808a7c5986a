"""Reads of the insight app (issue 11): survey results, customer journeys, services used
together, Tell Us Once progress. Nothing here writes."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import combinations

from django.conf import settings
from django.db.models import Avg, Count, Prefetch, Q
from django.utils import timezone

from complaints.models import Complaint
from contacts.models import Contact
from core.models import Channel, ChannelCode, HandoffMethod, Service
from core.roles import Role, has_role
from core.working_days import calendar, local_date
from handoffs.models import Handoff
from insight.models import LifeEvent, Survey, TellUsOnceRoute

# --- Who may see what --------------------------------------------------------------------------

REPORT_ROLES = (Role.MANAGER, Role.ADMIN)
FRONT_OFFICE_ROLES = (Role.ADVISER, Role.MANAGER, Role.ADMIN)


def can_see_insight(user) -> bool:
    return has_role(user, *REPORT_ROLES)


def can_record_at_front_office(user) -> bool:
    """Counter surveys and Tell Us Once are the front office's (advisers; managers and admins
    may stand in)."""
    return has_role(user, *FRONT_OFFICE_ROLES)


# --- Survey results ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyRow:
    label: str
    asked: int
    answered: int
    satisfaction: float | None
    ease: float | None
    resolved_percent: float | None

    @property
    def response_percent(self) -> float | None:
        return round(100 * self.answered / self.asked, 1) if self.asked else None


def _period(date_from: date, date_to: date):
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(date_from, datetime.min.time()), tz)
    end = timezone.make_aware(datetime.combine(date_to + timedelta(days=1), datetime.min.time()), tz)
    return start, end


def surveys_in(date_from: date, date_to: date):
    start, end = _period(date_from, date_to)
    return Survey.objects.filter(asked_at__gte=start, asked_at__lt=end)


def survey_results(date_from: date, date_to: date) -> dict[str, list[SurveyRow]]:
    """Surveys asked in the period, by service, channel, team and method: how many asked and
    answered, average satisfaction and ease (1-5), and the share who said it was resolved."""
    surveys = surveys_in(date_from, date_to)
    labels = {
        "service": ("service__name", dict(Service.objects.values_list("name", "name"))),
        "channel": ("channel", dict(ChannelCode.choices)),
        "team": ("team__name", {None: "Front office (One & Done)"}),
        "method": ("method", dict(Survey.Method.choices)),
    }
    tables = {}
    for name, (key, names) in labels.items():
        rows = (surveys.values(key).annotate(
            asked=Count("pk"), answered=Count("pk", filter=Q(responded_at__isnull=False)),
            satisfaction=Avg("satisfaction"), ease=Avg("ease"),
            resolved_yes=Count("pk", filter=Q(resolved=True))).order_by(key))
        tables[name] = [
            SurveyRow(label=names.get(row[key], row[key]), asked=row["asked"], answered=row["answered"],
                      satisfaction=_round(row["satisfaction"]), ease=_round(row["ease"]),
                      resolved_percent=round(100 * row["resolved_yes"] / row["answered"], 1)
                      if row["answered"] else None)
            for row in rows
        ]
    return tables


def survey_headline(date_from: date, date_to: date) -> SurveyRow:
    totals = surveys_in(date_from, date_to).aggregate(
        asked=Count("pk"), answered=Count("pk", filter=Q(responded_at__isnull=False)),
        satisfaction=Avg("satisfaction"), ease=Avg("ease"),
        resolved_yes=Count("pk", filter=Q(resolved=True)))
    return SurveyRow(label="All", asked=totals["asked"], answered=totals["answered"],
                     satisfaction=_round(totals["satisfaction"]), ease=_round(totals["ease"]),
                     resolved_percent=round(100 * totals["resolved_yes"] / totals["answered"], 1)
                     if totals["answered"] else None)


def recent_comments(date_from: date, date_to: date, limit: int = 10):
    return (surveys_in(date_from, date_to).answered().exclude(comments="")
            .select_related("service").order_by("-responded_at", "-pk")[:limit])


def _round(value) -> float | None:
    return None if value is None else round(float(value), 2)


def counter_survey_candidates(user, today: date | None = None):
    """Resolved face-to-face contacts with a known customer, logged today by this adviser, whose
    customer has not been asked in the suppression period: the ones to ask at the counter."""
    today = today or timezone.localdate()
    asked_since = timezone.now() - timedelta(days=int(getattr(settings, "SURVEY_SUPPRESSION_DAYS", 90)))
    recently_asked = Survey.objects.filter(asked_at__gte=asked_since).values("customer_id")
    return (Contact.objects.filter(received_date=today, handled_by=user, customer__isnull=False,
                                   channel=ChannelCode.FACE_TO_FACE, enquiry_closed_at__isnull=False)
            .exclude(customer_id__in=recently_asked)
            .filter(Q(handoff_method=HandoffMethod.ONE_AND_DONE, resolved_at_first_contact=True)
                    | ~Q(handoff_method=HandoffMethod.ONE_AND_DONE))
            .exclude(insight_survey__isnull=False)
            .select_related("customer", "service", "enquiry_type").order_by("-received_at", "-pk"))


# --- Customer journeys -------------------------------------------------------------------------


def channel_costs() -> dict[str, Decimal]:
    return dict(Channel.objects.values_list("code", "unit_cost"))


@dataclass
class JourneyStep:
    contact_id: int
    at: datetime
    channel: str
    channel_label: str
    enquiry: str
    avoidable: bool
    avoidable_reason: str
    handoff: str
    cost: Decimal
    dearer_than_before: bool = False
    complaints: list = field(default_factory=list)


@dataclass
class Journey:
    """One customer's contacts about one need, from the first contact to resolution."""

    service: str
    enquiry_type_id: int | None
    enquiry: str
    steps: list[JourneyStep] = field(default_factory=list)
    open: bool = False
    resolved_at: datetime | None = None
    working_days: int = 0
    complaints: list = field(default_factory=list)

    @property
    def contacts(self) -> int:
        return len(self.steps)

    @property
    def avoidable(self) -> int:
        return sum(step.avoidable for step in self.steps)

    @property
    def cost(self) -> Decimal:
        return sum((step.cost for step in self.steps), Decimal("0"))

    @property
    def channels(self) -> tuple[str, ...]:
        return tuple(step.channel for step in self.steps)

    @property
    def started_at(self) -> datetime:
        return self.steps[0].at


def _repeat_window() -> int:
    return int(getattr(settings, "REPEAT_CONTACT_WINDOW_WORKING_DAYS", 10))


def assemble_journeys(contacts, complaints=(), *, costs: dict, today: date | None = None,
                      cal=None) -> list[Journey]:
    """Group one customer's contacts (oldest first) into journeys, one per need.

    A contact joins the customer's current journey about the same service when it comes while
    that journey is still open, when it chases one of its contacts (`repeat_of`), or when it is
    avoidable and comes within the repeat-contact window (working days) after the journey was
    resolved: the NI14 sign of a need that was not met the first time. Otherwise it starts a new
    journey. A journey is
    resolved when every contact in it is closed; its length is in working days from the first
    contact to that moment (or to today while it is open). A step is "dearer than before" when
    its channel costs more than the previous step's: where people drop to expensive channels.
    Complaints about the service received during a journey belong to it.
    """
    cal = cal or calendar()
    today = today or timezone.localdate()
    window = _repeat_window()
    current: dict[int, Journey] = {}
    closings: dict[int, list] = {}  # id(journey) -> each contact's enquiry_closed_at (None: open)
    contact_journey: dict[int, Journey] = {}
    journeys: list[Journey] = []
    for contact in contacts:
        at = contact.received_at
        journey = current.get(contact.service_id)
        joins = False
        if journey is not None:
            closed = closings[id(journey)]
            open_then = any(moment is None or moment > at for moment in closed)
            chases = contact.repeat_of_id is not None and contact.repeat_of_id in contact_journey
            joins = open_then or chases or (contact.avoidable and cal.working_days_between(
                local_date(max(closed)), local_date(at)) <= window)
        if not joins:
            journey = Journey(
                service=contact.service.name, enquiry_type_id=contact.enquiry_type_id,
                enquiry=contact.enquiry_type.name if contact.enquiry_type_id else contact.service.name)
            journeys.append(journey)
            current[contact.service_id] = journey
            closings[id(journey)] = []
        handoffs = getattr(contact, "handoff_list", None)
        if handoffs is None:
            handoffs = list(contact.handoffs.select_related("team").order_by("pk"))
        step = JourneyStep(
            contact_id=contact.pk, at=at, channel=contact.channel,
            channel_label=contact.get_channel_display(),
            enquiry=contact.enquiry_type.name if contact.enquiry_type_id else contact.service.name,
            avoidable=contact.avoidable,
            avoidable_reason=contact.avoidable_reason.name if contact.avoidable_reason_id else "",
            handoff="; ".join(f"{handoff.get_method_display()} to {handoff.team.name}: "
                              f"{handoff.get_status_display().lower()}" for handoff in handoffs),
            cost=costs.get(contact.channel, Decimal("0")),
        )
        step.dearer_than_before = bool(journey.steps) and step.cost > journey.steps[-1].cost
        journey.steps.append(step)
        contact_journey[contact.pk] = journey
        closings[id(journey)].append(contact.enquiry_closed_at)
    for journey in journeys:
        closed = closings[id(journey)]
        journey.open = any(moment is None for moment in closed)
        journey.resolved_at = None if journey.open else max(closed)
        end = local_date(journey.resolved_at) if journey.resolved_at else today
        journey.working_days = max(cal.working_days_between(local_date(journey.started_at), end), 0)
    _attach_complaints(journeys, complaints)
    return journeys


def _attach_complaints(journeys: list[Journey], complaints) -> None:
    for complaint in complaints:
        for journey in journeys:
            end = journey.resolved_at or timezone.now()
            if (journey.service == complaint.service.name
                    and journey.started_at <= complaint.received_at <= end + timedelta(days=28)):
                journey.complaints.append(complaint)
                break


def _journey_contacts(queryset):
    return (queryset.select_related("service", "enquiry_type", "avoidable_reason")
            .prefetch_related(Prefetch("handoffs", to_attr="handoff_list",
                                       queryset=Handoff.objects.select_related("team").order_by("pk")))
            .order_by("received_at", "pk"))


def customer_journeys(customer, today: date | None = None) -> list[Journey]:
    """A customer's journeys, newest first (issue 11, "Customer journey mapping")."""
    contacts = _journey_contacts(Contact.objects.filter(customer=customer))
    complaints = (Complaint.objects.filter(customer=customer).select_related("service")
                  .order_by("received_at", "pk"))
    journeys = assemble_journeys(contacts, complaints, costs=channel_costs(), today=today)
    return sorted(journeys, key=lambda j: j.started_at, reverse=True)


@dataclass(frozen=True)
class JourneyPattern:
    channels: tuple[str, ...]
    labels: tuple[str, ...]
    count: int
    resolved: int
    avg_contacts: float
    avg_avoidable: float
    avg_working_days: float
    cost_each: Decimal
    total_cost: Decimal


@dataclass(frozen=True)
class JourneySummary:
    journeys: int
    resolved: int
    avg_contacts: float
    avg_working_days: float
    avoidable_share: float
    total_cost: Decimal
    patterns: list[JourneyPattern]
    drops: list[tuple[str, str, int]]


MAX_PATTERN_STEPS = 6


def enquiry_type_journeys(enquiry_type, date_from: date, date_to: date,
                          today: date | None = None) -> JourneySummary:
    """Journeys that started in the period with a contact of this enquiry type: the most common
    channel sequences with their count and cost (channel unit costs from the catalogue), and the
    steps where customers moved to a dearer channel.

    Reads the contacts of the enquiry type's service for the customers concerned, from the
    period's start to today, in one ordered query (contact_customer_idx)."""
    start, end = _period(date_from, date_to)
    customers = (Contact.objects.filter(enquiry_type=enquiry_type, customer__isnull=False,
                                        received_at__gte=start, received_at__lt=end)
                 .values("customer_id").distinct())
    contacts = _journey_contacts(Contact.objects.filter(
        customer_id__in=customers, service_id=enquiry_type.service_id, received_at__gte=start))
    costs, cal = channel_costs(), calendar()
    by_customer = defaultdict(list)
    for contact in contacts:
        by_customer[contact.customer_id].append(contact)
    journeys = []
    for customer_contacts in by_customer.values():
        for journey in assemble_journeys(customer_contacts, costs=costs, today=today, cal=cal):
            if journey.enquiry_type_id == enquiry_type.pk and start <= journey.started_at < end:
                journeys.append(journey)
    labels = dict(ChannelCode.choices)
    grouped = defaultdict(list)
    drops = Counter()
    for journey in journeys:
        grouped[journey.channels[:MAX_PATTERN_STEPS]].append(journey)
        for before, after in zip(journey.steps, journey.steps[1:], strict=False):
            if after.dearer_than_before:
                drops[(labels[before.channel], labels[after.channel])] += 1
    patterns = []
    for channels, members in grouped.items():
        total = sum((j.cost for j in members), Decimal("0"))
        patterns.append(JourneyPattern(
            channels=channels, labels=tuple(labels[c] for c in channels), count=len(members),
            resolved=sum(not j.open for j in members),
            avg_contacts=round(sum(j.contacts for j in members) / len(members), 1),
            avg_avoidable=round(sum(j.avoidable for j in members) / len(members), 1),
            avg_working_days=round(sum(j.working_days for j in members) / len(members), 1),
            cost_each=(total / len(members)).quantize(Decimal("0.01")), total_cost=total))
    patterns.sort(key=lambda p: (-p.count, -p.total_cost, p.channels))
    contacts_total = sum(j.contacts for j in journeys)
    return JourneySummary(
        journeys=len(journeys), resolved=sum(not j.open for j in journeys),
        avg_contacts=round(contacts_total / len(journeys), 1) if journeys else 0,
        avg_working_days=round(sum(j.working_days for j in journeys) / len(journeys), 1)
        if journeys else 0,
        avoidable_share=round(100 * sum(j.avoidable for j in journeys) / contacts_total, 1)
        if contacts_total else 0,
        total_cost=sum((j.cost for j in journeys), Decimal("0")),
        patterns=patterns,
        drops=[(before, after, n) for (before, after), n in drops.most_common()],
    )


# --- Services used together --------------------------------------------------------------------


@dataclass(frozen=True)
class ServicePair:
    first: str
    second: str
    customers: int
    first_customers: int
    second_customers: int
    lift: float
    also_used_percent: float  # of the first service's customers, how many also used the second


def services_used_together(date_from: date, date_to: date, min_customers: int = 3) -> dict:
    """Which services the same customers contacted in the period (issue 11, "Services used
    together"): for each pair, how many customers used both, and the lift (how much more often
    than if use of one said nothing about the other: above 1 means they go together)."""
    start, end = _period(date_from, date_to)
    rows = (Contact.objects.filter(customer__isnull=False, received_at__gte=start, received_at__lt=end)
            .values_list("customer_id", "service_id").distinct())
    services_of = defaultdict(set)
    for customer_id, service_id in rows:
        services_of[customer_id].add(service_id)
    names = dict(Service.objects.values_list("pk", "name"))
    users = Counter()
    pairs = Counter()
    for services in services_of.values():
        users.update(services)
        pairs.update(combinations(sorted(services), 2))
    total = len(services_of)
    result = []
    for (a, b), both in pairs.items():
        if both < min_customers:
            continue
        lift = round(both * total / (users[a] * users[b]), 2)
        first, second = (a, b) if users[a] >= users[b] else (b, a)
        result.append(ServicePair(
            first=names[first], second=names[second], customers=both,
            first_customers=users[first], second_customers=users[second], lift=lift,
            also_used_percent=round(100 * both / users[first], 1)))
    result.sort(key=lambda p: (-p.lift, -p.customers, p.first, p.second))
    return {"customers": total, "pairs": result,
            "services": sorted(((names[s], n) for s, n in users.items()), key=lambda x: (-x[1], x[0]))}


# --- Tell Us Once ------------------------------------------------------------------------------


def tell_us_once_services(kind: str | None = None):
    """Services that can be told of a life event (of this kind), with their routes."""
    routes = TellUsOnceRoute.objects.filter(is_active=True)
    if kind:
        routes = routes.filter(kind=kind)
    return Service.objects.filter(pk__in=routes.values("service_id"), is_active=True).order_by("name", "pk")


def life_events_recent(limit: int = 50):
    return (LifeEvent.objects.select_related("customer", "recorded_by")
            .annotate(services=Count("notices"),
                      resolved=Count("notices", filter=Q(notices__handoff__status="resolved")))
            .order_by("-recorded_at", "-pk")[:limit])


def life_event_progress(life_event_id: int) -> tuple[LifeEvent, list]:
    """A life event and, for each service told, its hand-off: team, status, due date."""
    event = LifeEvent.objects.select_related("customer", "recorded_by", "contact").get(
        pk=life_event_id)
    notices = list(event.notices.select_related(
        "service", "handoff__team", "handoff__assigned_to").order_by("service__name", "pk"))
    routes = dict(TellUsOnceRoute.objects.filter(kind=event.kind)
                  .values_list("service_id", "enquiry_type__name"))
    for notice in notices:
        notice.told_as = routes.get(notice.service_id, "")
    return event, notices


def life_events_for_customer(customer):
    return (LifeEvent.objects.filter(customer=customer).annotate(services=Count("notices"))
            .order_by("-recorded_at", "-pk"))


def tell_us_once_routes() -> list[tuple[str, list]]:
    """For the form's hint: each kind of life event and the services that can be told of it."""
    routes = (TellUsOnceRoute.objects.filter(is_active=True, service__is_active=True)
              .select_related("service", "enquiry_type__team").order_by("kind", "service__name", "pk"))
    by_kind = defaultdict(list)
    for route in routes:
        by_kind[route.get_kind_display()].append(route)
    return list(by_kind.items())
