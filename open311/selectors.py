"""Reads of the Open311 app: the services offered and the requests partners posted, with their
status as their hand-offs say (issue 10)."""

from dataclasses import dataclass
from datetime import datetime, time

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from core.models import ApiToken
from core.roles import Role, has_role
from core.services import hash_api_key
from handoffs.models import Handoff, HandoffUpdate
from open311.models import Open311Attribute, Open311Request, Open311Service

MAX_REQUESTS = 1000  # GeoReport v2, "Response Volume"


def services_offered() -> QuerySet[Open311Service]:
    return (Open311Service.objects.filter(is_active=True, enquiry_type__is_active=True)
            .select_related("enquiry_type__service")
            .prefetch_related(Prefetch("attributes",
                                       queryset=Open311Attribute.objects.order_by("order", "pk")))
            .order_by("service_code", "pk"))


def service_offered(service_code: str) -> Open311Service | None:
    return services_offered().filter(service_code=service_code).first()


def partner_for_api_key(api_key: str):
    """The partner service account behind an api_key, or None: a staff key, a revoked key or an
    inactive account is not a partner key."""
    if not api_key:
        return None
    token = (ApiToken.objects.select_related("user")
             .filter(key_hash=hash_api_key(api_key), revoked_at__isnull=True).first())
    if token is None or not token.user.is_active or not has_role(token.user, Role.PARTNER):
        return None
    return token.user


def requests_with_progress() -> QuerySet[Open311Request]:
    return Open311Request.objects.select_related("service__enquiry_type", "contact").prefetch_related(
        Prefetch("contact__handoffs", to_attr="handoff_list",
                 queryset=Handoff.objects.select_related("team").order_by("pk").prefetch_related(
                     Prefetch("updates", queryset=HandoffUpdate.objects.order_by("at", "pk")))))


def requests_matching(*, ids=None, service_codes=None, start=None, end=None,
                      statuses=None) -> list[Open311Request]:
    """GET requests.json: ids override everything else; otherwise requests received in
    [start, end], newest first, at most MAX_REQUESTS."""
    requests = requests_with_progress()
    if ids is not None:
        return list(requests.filter(contact_id__in=ids).order_by("-requested_at", "-pk")[:MAX_REQUESTS])
    requests = requests.filter(requested_at__gte=start, requested_at__lte=end)
    if service_codes:
        requests = requests.filter(service__service_code__in=service_codes)
    if statuses and set(statuses) != {"open", "closed"}:
        requests = requests.filter(contact__enquiry_closed_at__isnull="open" in statuses)
    return list(requests.order_by("-requested_at", "-pk")[:MAX_REQUESTS])


@dataclass(frozen=True)
class Progress:
    status: str  # "open" or "closed", GeoReport v2
    status_notes: str
    agency_responsible: str
    updated_at: datetime
    expected_at: datetime | None


def request_progress(open311_request: Open311Request) -> Progress:
    """Status follows the enquiry: closed when One & Done or when the back office resolved the
    hand-off. The expected time is the end of the hand-off's due date (its service standard)."""
    contact = open311_request.contact
    # A street report opens one hand-off at most (its enquiry type's).
    handoffs = contact.handoff_list if hasattr(contact, "handoff_list") else contact.handoffs.all()
    handoff = next(iter(handoffs), None)
    closed = contact.enquiry_closed_at is not None
    updated_at = contact.enquiry_closed_at or contact.received_at
    expected_at = None
    if handoff is None:
        notes, agency = ("Dealt with when received." if closed else "Received."), ""
    else:
        agency = handoff.team.name
        updates = list(handoff.updates.all())
        if updates:
            updated_at = max(updated_at, updates[-1].at)
        notes = {"open": "Passed to the team responsible.", "in_progress": "The team is working on it.",
                 "resolved": "Resolved by the team responsible."}[handoff.status]
        if not closed:
            expected_at = timezone.make_aware(datetime.combine(handoff.due_date, time(23, 59, 59)))
    return Progress(status="closed" if closed else "open", status_notes=notes,
                    agency_responsible=agency, updated_at=updated_at, expected_at=expected_at)
