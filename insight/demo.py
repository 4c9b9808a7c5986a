"""Demo insight data for `manage.py seed_demo` (called from InsightConfig.seed_demo, after the
contacts, hand-offs and complaints apps have seeded theirs).

Sampling percentages per channel, Tell Us Once routes on the demo catalogue, survey answers for
a sample of the resolved enquiries (never the same customer twice in the suppression period;
people who had to chase are less satisfied), and a few life events told to several services
through the real service. Each part runs only while its table is empty, so running seed_demo
again adds nothing.
"""

import hashlib
import secrets
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from contacts.models import Contact, Customer
from core.models import ChannelCode, EnquiryType, HandoffMethod, Service, User
from core.roles import Role
from handoffs.services import handoff_accept, handoff_resolve
from insight.models import (
    LifeEvent,
    LifeEventKind,
    Survey,
    SurveySampling,
    SweepMark,
    TellUsOnceContactType,
    TellUsOnceRoute,
)
from insight.services import SWEEP_NAME, life_event_record, suppression_days

SAMPLING = {  # channel -> percent of resolved enquiries sent a survey by email
    ChannelCode.FACE_TO_FACE: 20, ChannelCode.TELEPHONE: 10, ChannelCode.WEB: 5,
    ChannelCode.EMAIL: 10, ChannelCode.LETTER: 0, ChannelCode.SOCIAL_MEDIA: 5,
    ChannelCode.PARTNER: 0,
}

ROUTES = {  # kind -> [(service code, enquiry type code)]
    LifeEventKind.BEREAVEMENT: [
        ("council-tax", "single-person-discount"), ("benefits", "change-of-circumstances"),
        ("housing", "housing-register"), ("adult-social-care", "blue-badge"),
        ("registrars", "death-registration"),
    ],
    LifeEventKind.MOVING_HOME: [
        ("council-tax", "change-of-address"), ("benefits", "change-of-circumstances"),
        ("waste", "new-bin"), ("housing", "housing-register"),
    ],
    LifeEventKind.NEW_BABY: [
        ("benefits", "change-of-circumstances"), ("housing", "housing-register"),
        ("registrars", "certificate-copy"),
    ],
}

CONTACT_TYPES = {  # kind -> enquiry type code in the tell-us-once service
    LifeEventKind.BEREAVEMENT: "bereavement", LifeEventKind.MOVING_HOME: "moving-home",
    LifeEventKind.NEW_BABY: "new-baby",
}

LIFE_EVENTS = [
    (LifeEventKind.BEREAVEMENT, 12, "Mr Derek Lees died on the date given. His wife now lives "
     "alone at the address and will be the only adult liable for Council Tax."),
    (LifeEventKind.MOVING_HOME, 6, "Moving from the address held to 14 Penny Meadow, Ashton-under-Lyne "
     "OL6 6AB on the date given. Two adults, one child."),
    (LifeEventKind.NEW_BABY, 3, "Baby girl born on the date given. Household now two adults and "
     "two children."),
]

OUTCOMES = [
    "Account updated from the date of the event; revised bill sent.",
    "Record updated; the customer was told by letter.",
    "Claim reassessed; new award letter sent.",
]

COMMENTS = {
    5: ["Sorted on the first call, thank you.", "Very helpful adviser.", "Quick and easy online."],
    4: ["Good, but I had to wait a while on the phone.", "Fine once I got through."],
    3: ["It got done in the end.", "The letter was confusing, the adviser explained it."],
    2: ["I had to ring three times before anyone did anything.", "Nobody told me what was happening."],
    1: ["Still not sorted and no one called me back.", "I was passed from one department to another."],
}


def seed_insight(*, command, rng, today: date, days: int) -> None:
    with transaction.atomic():
        for channel, percent in SAMPLING.items():
            SurveySampling.objects.get_or_create(channel=channel, defaults={"percent": percent})
        routes = _seed_routes()
        _seed_contact_types()
        surveys = _seed_surveys(rng, today)
        # The sweep starts from now: the demo's history is not emailed to anyone.
        SweepMark.objects.get_or_create(name=SWEEP_NAME, defaults={"swept_to": timezone.now()})
    events = _seed_life_events(rng, today)
    command.stdout.write(f"Insight: {routes} Tell Us Once routes, {surveys} survey answers, "
                         f"{events} life events.")


def _seed_contact_types() -> None:
    """What the customer's own Tell Us Once contact is recorded as: the demo catalogue's Tell Us
    Once service (core/demo_catalogue.py), one enquiry type per kind of event."""
    for kind, type_code in CONTACT_TYPES.items():
        enquiry_type = EnquiryType.objects.filter(service__code="tell-us-once", code=type_code).first()
        if enquiry_type is not None:
            TellUsOnceContactType.objects.get_or_create(kind=kind,
                                                        defaults={"enquiry_type": enquiry_type})


def _seed_routes() -> int:
    made = 0
    for kind, pairs in ROUTES.items():
        for service_code, type_code in pairs:
            enquiry_type = (EnquiryType.objects.filter(service__code=service_code, code=type_code)
                            .exclude(handoff_method=HandoffMethod.ONE_AND_DONE).first())
            if enquiry_type is None:
                continue
            _, created = TellUsOnceRoute.objects.get_or_create(
                kind=kind, service=enquiry_type.service, defaults={"enquiry_type": enquiry_type})
            made += created
    return made


def _seed_surveys(rng, today: date) -> int:
    if Survey.objects.exists():
        return 0
    percents = dict(SurveySampling.objects.values_list("channel", "percent"))
    contacts = (Contact.objects.filter(customer__isnull=False, enquiry_closed_at__isnull=False,
                                       customer__anonymised_at__isnull=True)
                .select_related("customer").prefetch_related("handoffs")
                .order_by("enquiry_closed_at", "pk"))
    last_asked: dict[int, object] = {}
    surveys = []
    gap = timedelta(days=suppression_days())
    for contact in contacts:
        if contact.handoff_method == HandoffMethod.ONE_AND_DONE and not contact.resolved_at_first_contact:
            continue
        handoffs = list(contact.handoffs.all())
        handoff = handoffs[0] if len(handoffs) == 1 else None
        if contact.handoff_method != HandoffMethod.ONE_AND_DONE and handoff is None:
            continue
        counter = contact.channel == ChannelCode.FACE_TO_FACE and rng.random() < 0.15
        sampled = rng.randint(0, 99) < percents.get(contact.channel, 0)
        if not counter and (not contact.customer.email or not sampled):
            continue
        asked_at = contact.enquiry_closed_at + timedelta(minutes=rng.randint(10, 600))
        if asked_at > timezone.now():
            continue
        previous = last_asked.get(contact.customer_id)
        if previous is not None and asked_at - previous < gap:
            continue
        last_asked[contact.customer_id] = asked_at
        survey = Survey(
            contact=contact, customer_id=contact.customer_id, service_id=contact.service_id,
            channel=contact.channel, team_id=handoff.team_id if handoff else None,
            resolution=Survey.Resolution.HANDOFF if handoff else Survey.Resolution.ONE_AND_DONE,
            method=Survey.Method.COUNTER if counter else Survey.Method.EMAIL, asked_at=asked_at,
            token_hash=None if counter else hashlib.sha256(secrets.token_bytes(32)).hexdigest(),
        )
        if counter or rng.random() < 0.45:
            _answer(survey, contact, handoff, rng)
        surveys.append(survey)
    Survey.objects.bulk_create(surveys, batch_size=500)
    return sum(1 for s in surveys if s.responded_at)


def _answer(survey: Survey, contact, handoff, rng) -> None:
    score = 4.4
    if contact.avoidable:
        score -= 1.2
    if contact.repeat_of_id:
        score -= 0.8
    if handoff is not None:
        score -= 0.4 + (0.9 if handoff.overdue_at else 0)
    satisfaction = max(1, min(5, round(score + rng.gauss(0, 0.8))))
    survey.satisfaction = satisfaction
    survey.ease = max(1, min(5, round(score - 0.2 + rng.gauss(0, 0.9))))
    survey.resolved = satisfaction >= 3 or rng.random() < 0.3
    survey.comments = rng.choice(COMMENTS[satisfaction]) if rng.random() < 0.5 else ""
    survey.responded_at = survey.asked_at + timedelta(hours=rng.randint(1, 72))
    survey.responded_at = min(survey.responded_at, timezone.now())


def _seed_life_events(rng, today: date) -> int:
    if LifeEvent.objects.exists():
        return 0
    adviser = User.objects.filter(username=Role.ADVISER).first()
    customers = list(Customer.objects.active().order_by("pk")[:60])
    if adviser is None or not customers:
        return 0
    made = 0
    for kind, days_ago, details in LIFE_EVENTS:
        service_ids = TellUsOnceRoute.objects.filter(kind=kind, is_active=True).values("service_id")
        services = list(Service.objects.filter(pk__in=service_ids).order_by("name", "pk"))
        if not services:
            continue
        chosen = rng.sample(services, k=max(2, len(services) - 1)) if len(services) > 2 else services
        event = life_event_record(actor=adviser, customer=rng.choice(customers), kind=kind,
                                  event_date=today - timedelta(days=days_ago), details=details,
                                  channel=ChannelCode.FACE_TO_FACE, services=chosen)
        _progress(event, rng)
        made += 1
    return made


def _progress(event: LifeEvent, rng) -> None:
    """The back office has picked some of them up already, so the progress page shows a mix."""
    for index, notice in enumerate(event.notices.select_related("handoff__team__lead")
                                   .order_by("service__name", "pk")):
        handoff = notice.handoff
        officer = (handoff.team.members.filter(groups__name=Role.BACK_OFFICE, is_active=True)
                   .order_by("pk").first() or handoff.team.lead)
        if officer is None or index % 3 == 2:
            continue
        handoff_accept(handoff=handoff, actor=officer)
        if index % 3 == 0:
            handoff_resolve(handoff=handoff, actor=officer, outcome=rng.choice(OUTCOMES))
