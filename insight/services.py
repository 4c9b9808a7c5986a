"""Writes of the insight app (issue 11): survey invitations and answers, Tell Us Once."""

import hashlib
import secrets
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from contacts.models import Contact, Customer
from core.models import AuditEvent, ChannelCode, HandoffMethod
from core.services import Message, audit_record, outbox_send
from handoffs.models import Handoff
from insight.models import (
    LifeEvent,
    LifeEventKind,
    LifeEventNotice,
    Survey,
    SurveySampling,
    SweepMark,
    TellUsOnceContactType,
    TellUsOnceRoute,
)
from intake.services import contact_log

# --- Surveys -----------------------------------------------------------------------------------

SWEEP_NAME = "surveys"
# Re-read this much before the watermark: a transaction that committed late still has its
# audit row read by the next sweep; the one-survey-per-contact constraint makes re-reading safe.
SWEEP_OVERLAP = timedelta(minutes=15)
FIRST_SWEEP_LOOKBACK = timedelta(days=1)
SWEEP_BATCH = 500


def suppression_days() -> int:
    return int(getattr(settings, "SURVEY_SUPPRESSION_DAYS", 90))


def max_age_days() -> int:
    """Enquiries closed longer ago than this are not surveyed (back-dated imports, catch-up)."""
    return int(getattr(settings, "SURVEY_MAX_AGE_DAYS", 14))


def survey_sampled(contact_id: int, percent: int) -> bool:
    """Whether a contact falls in the sample at `percent`: a hash of its id, so the same contact
    always gets the same answer (rerunning the sweep cannot draw it again), the share is
    `percent` over many contacts, and a test can predict it."""
    digest = hashlib.sha256(f"survey-sample:{contact_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 100 < percent


def sampling_percents() -> dict[str, int]:
    return dict(SurveySampling.objects.values_list("channel", "percent"))


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _suppressed(customer: Customer, now: datetime) -> bool:
    since = now - timedelta(days=suppression_days())
    return Survey.objects.asked_since(customer, since).exists()


def _lock_customer(customer_id: int) -> Customer:
    # One survey decision per customer at a time: the sweep and an adviser at the counter
    # cannot both ask the same customer inside the suppression period.
    return Customer.objects.select_for_update().get(pk=customer_id)


_HANDOFFS = Prefetch("handoffs", to_attr="handoff_list",
                     queryset=Handoff.objects.select_related("team").order_by("pk"))


def _handoffs(contact: Contact) -> list[Handoff]:
    handoffs = getattr(contact, "handoff_list", None)
    if handoffs is None:
        handoffs = list(contact.handoffs.select_related("team").order_by("pk"))
    return handoffs


def _resolution(contact: Contact) -> tuple[str, object]:
    """How the enquiry was resolved, and by which team (none when a life event told to several
    services was resolved by several)."""
    if contact.handoff_method == HandoffMethod.ONE_AND_DONE:
        return Survey.Resolution.ONE_AND_DONE, None
    teams = {handoff.team for handoff in _handoffs(contact)}
    return Survey.Resolution.HANDOFF, teams.pop() if len(teams) == 1 else None


def _resolved(contact: Contact) -> bool:
    """One & Done resolved at first contact, or hand-offs the back office all resolved."""
    if contact.enquiry_closed_at is None:
        return False
    if contact.handoff_method == HandoffMethod.ONE_AND_DONE:
        return contact.resolved_at_first_contact
    handoffs = _handoffs(contact)
    return bool(handoffs) and all(h.status == Handoff.Status.RESOLVED for h in handoffs)


@transaction.atomic
def survey_invite(*, contact: Contact, now: datetime | None = None,
                  percents: dict[str, int] | None = None) -> Survey | None:
    """Email the customer a survey about a resolved enquiry, if it is sampled (issue 11,
    "Satisfaction measurement"): the contact's channel's percentage (SurveySampling), never a
    customer asked in the last SURVEY_SUPPRESSION_DAYS days, only customers with an email
    address. None when not asked. Idempotent: one survey per contact, one email per survey."""
    now = now or timezone.now()
    if contact.customer_id is None or not _resolved(contact):
        return None
    percents = sampling_percents() if percents is None else percents
    if not survey_sampled(contact.pk, percents.get(contact.channel, 0)):
        return None
    customer = _lock_customer(contact.customer_id)
    if not customer.email or customer.anonymised_at is not None:
        return None
    if Survey.objects.filter(contact=contact).exists() or _suppressed(customer, now):
        return None
    token = secrets.token_urlsafe(32)
    resolution, team = _resolution(contact)
    survey = Survey.objects.create(
        contact=contact, customer=customer, service_id=contact.service_id, channel=contact.channel,
        team=team, resolution=resolution, method=Survey.Method.EMAIL, token_hash=_hash_token(token),
        asked_at=now,
    )
    audit_record(actor=None, action="survey_sent", target=survey, changes={"contact": contact.pk})
    link = f"{getattr(settings, 'PUBLIC_BASE_URL', '').rstrip('/')}" \
           f"{reverse('insight:survey-answer', args=[token])}"
    context = {"customer": customer, "contact": contact, "link": link,
               "council_name": settings.COUNCIL_NAME}
    outbox_send(
        dedupe_key=f"survey:{survey.pk}:invitation",
        message=Message(subject=f"How did we do? {settings.COUNCIL_NAME}",
                        body=render_to_string("insight/email/survey_invitation.txt", context)),
        to_email=customer.email, about=survey,
    )
    return survey


def surveys_sweep(now: datetime | None = None) -> dict[str, int]:
    """Find enquiries resolved since the last sweep and invite the sampled customers.

    Reads the audit trail by its time index: a contact's "created" row (One & Done closes when
    it is logged) and a hand-off's "handoff_resolved" row, written in the same transaction as
    the change, so nothing resolved is missed and the sweep needs no hook in the other apps.
    The watermark row is locked for the run, so concurrent sweeps queue rather than overlap.
    """
    now = now or timezone.now()
    counts = {"considered": 0, "invited": 0}
    with transaction.atomic():
        mark, _ = SweepMark.objects.select_for_update().get_or_create(
            name=SWEEP_NAME, defaults={"swept_to": now - FIRST_SWEEP_LOOKBACK})
        since = mark.swept_to - SWEEP_OVERLAP
        events = AuditEvent.objects.filter(at__gt=since, at__lte=now).filter(
            Q(object_type="contacts.contact", action="created")
            | Q(object_type="handoffs.handoff", action="handoff_resolved"))
        contact_ids, handoff_ids = set(), set()
        for object_type, object_id in events.values_list("object_type", "object_id"):
            (contact_ids if object_type == "contacts.contact" else handoff_ids).add(int(object_id))
        contact_ids |= set(Handoff.objects.filter(pk__in=handoff_ids).values_list("contact_id", flat=True))
        oldest = now - timedelta(days=max_age_days())
        percents = sampling_percents()
        ordered = sorted(contact_ids)
        for start in range(0, len(ordered), SWEEP_BATCH):
            batch = (Contact.objects.filter(pk__in=ordered[start:start + SWEEP_BATCH],
                                            customer__isnull=False, enquiry_closed_at__gte=oldest)
                     .exclude(insight_survey__isnull=False).select_related("customer")
                     .prefetch_related(_HANDOFFS).order_by("enquiry_closed_at", "pk"))
            for contact in batch:
                counts["considered"] += 1
                if survey_invite(contact=contact, now=now, percents=percents):
                    counts["invited"] += 1
        mark.swept_to = now
        mark.save(update_fields=["swept_to"])
    return counts


def _answers(*, satisfaction, ease, resolved, comments: str) -> dict:
    errors = {}
    if satisfaction not in range(1, 6):
        errors["satisfaction"] = "Select how satisfied you were, from 1 to 5."
    if ease not in range(1, 6):
        errors["ease"] = "Select how easy it was, from 1 to 5."
    if resolved not in (True, False):
        errors["resolved"] = "Select whether it was resolved."
    comments = (comments or "").strip()
    if len(comments) > 2000:
        errors["comments"] = "Comments must be 2000 characters or fewer."
    if errors:
        raise ValidationError(errors)
    return {"satisfaction": satisfaction, "ease": ease, "resolved": resolved, "comments": comments}


def survey_for_token(token: str) -> Survey | None:
    return (Survey.objects.select_related("contact__service", "contact__enquiry_type")
            .filter(method=Survey.Method.EMAIL, token_hash=_hash_token(token or "")).first())


@transaction.atomic
def survey_answer(*, survey: Survey, satisfaction: int, ease: int, resolved: bool,
                  comments: str = "") -> Survey:
    """The customer's answers from the emailed link: once only (a second submission changes
    nothing and says so)."""
    answers = _answers(satisfaction=satisfaction, ease=ease, resolved=resolved, comments=comments)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.responded_at is not None:
        raise ValidationError("You have already answered this survey. Thank you.")
    for field, value in answers.items():
        setattr(survey, field, value)
    survey.responded_at = timezone.now()
    survey.save(update_fields=[*answers, "responded_at"])
    audit_record(actor=None, action="survey_answered", target=survey)
    return survey


@transaction.atomic
def survey_record_at_counter(*, contact: Contact, actor, satisfaction: int, ease: int,
                             resolved: bool, comments: str = "") -> Survey:
    """An adviser records a customer's answers at the counter about a resolved enquiry. The
    same suppression applies: a customer asked in the period is not asked again."""
    answers = _answers(satisfaction=satisfaction, ease=ease, resolved=resolved, comments=comments)
    contact = Contact.objects.prefetch_related(_HANDOFFS).get(pk=contact.pk)  # as it is now
    if contact.customer_id is None:
        raise ValidationError("Only a contact with a known customer can be surveyed.")
    if not _resolved(contact):
        raise ValidationError("The enquiry is not resolved yet.")
    now = timezone.now()
    customer = _lock_customer(contact.customer_id)
    if Survey.objects.filter(contact=contact).exists():
        raise ValidationError("This contact already has a survey.")
    if _suppressed(customer, now):
        raise ValidationError(f"{customer} was asked for feedback in the last "
                              f"{suppression_days()} days; please do not ask again.")
    resolution, team = _resolution(contact)
    survey = Survey.objects.create(
        contact=contact, customer=customer, service_id=contact.service_id, channel=contact.channel,
        team=team, resolution=resolution, method=Survey.Method.COUNTER, asked_at=now, asked_by=actor,
        responded_at=now, **answers,
    )
    audit_record(actor=actor, action="survey_recorded", target=survey, changes={"contact": contact.pk})
    return survey


# --- Tell Us Once ------------------------------------------------------------------------------


@transaction.atomic
def life_event_record(*, actor, customer: Customer, kind: str, event_date: date, details: str,
                      channel: str, services) -> LifeEvent:
    """Tell Us Once (DOMAIN.md, "Beyond the basics" and "No wrong door"; issues 11 and 15): the
    adviser records a life event once. The customer's notification is one inbound contact on the
    channel it came by, taken by the rules every door uses (`intake.services.contact_log`), of the
    enquiry type TellUsOnceContactType names for the kind of event: NI14, the channel mix and
    cost count the life event once. Each chosen service gets a hand-off of that contact, on the
    enquiry type its TellUsOnceRoute names (team, method, service standard), not a contact.

    Exactly one hand-off per chosen service (a unique notice per event and service) and all or
    nothing: one transaction, so a failure for any service leaves no event, contact or hand-off.
    """
    errors = {}
    if kind not in LifeEventKind.values:
        errors["kind"] = "Select the life event."
    if channel not in ChannelCode.values:
        errors["channel"] = "Select how the customer told us."
    details = (details or "").strip()
    if not details:
        errors["details"] = "Enter the details to share with the services."
    if event_date is None or event_date > timezone.localdate():
        errors["event_date"] = "The date of the event must be today or in the past."
    services = sorted({service.pk: service for service in services}.values(), key=lambda s: s.name)
    if not services:
        errors["services"] = "Select at least one service to tell."
    routes = {route.service_id: route for route in TellUsOnceRoute.objects.filter(
        kind=kind, is_active=True, service__in=services).select_related("enquiry_type__team")}
    missing = [service.name for service in services if service.pk not in routes
               or routes[service.pk].enquiry_type.handoff_method == HandoffMethod.ONE_AND_DONE]
    if missing and "services" not in errors:
        errors["services"] = f"These services cannot be told of this event: {', '.join(missing)}."
    contact_type = (TellUsOnceContactType.objects.select_related("enquiry_type__service")
                    .filter(kind=kind).first())
    if contact_type is None and "kind" not in errors:
        errors["kind"] = ("Tell Us Once is not set up for this event yet: an admin chooses what the "
                          "customer's contact is recorded as (Tell Us Once contact types).")
    if errors:
        raise ValidationError(errors)
    label = LifeEventKind(kind).label
    told = [routes[service.pk].enquiry_type for service in services]
    # The front office keeps following the event while any service works it as an advocate case.
    method = (HandoffMethod.CUSTOMER_ADVOCATE if any(
        et.handoff_method == HandoffMethod.CUSTOMER_ADVOCATE for et in told)
        else HandoffMethod.FIRE_AND_FORGET)
    enquiry_type = contact_type.enquiry_type
    taken = contact_log(
        actor=actor, source=Contact.Source.ADVISER, channel=channel,
        service=enquiry_type.service, enquiry_type=enquiry_type, customer=customer,
        summary=f"Tell Us Once: {label.lower()} on {event_date:%d %B %Y}. {details}",
        handoff_method=method, handoff_to=tuple(told),
        handoff_override_reason=f"Tell Us Once: told to {', '.join(s.name for s in services)}.",
    )
    event = LifeEvent.objects.create(
        customer=customer, kind=kind, event_date=event_date, details=details, channel=channel,
        recorded_at=taken.contact.received_at, contact=taken.contact,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    LifeEventNotice.objects.bulk_create(
        LifeEventNotice(life_event=event, service=service, handoff=handoff)
        for service, handoff in zip(services, taken.handoffs, strict=True))
    audit_record(actor=actor, action="life_event_recorded", target=event,
                 changes={"kind": kind, "services": [s.code for s in services],
                          "contact": taken.contact.pk})
    return event
