"""Writes of the Open311 app: a partner's GeoReport v2 service request (issue 10).

A request becomes one contact on the `partner` channel (source `open311`) and, as its enquiry
type says, a hand-off, taken by the rules every door uses (`intake.services.contact_log`, in one
transaction); the Open311Request row that keeps the GeoReport fields is written in the same one.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from contacts.gazetteer import report_uprn
from contacts.models import Contact
from contacts.services import contact_log_once, request_fingerprint
from core.models import ChannelCode
from core.services import audit_record
from intake.rules import SUMMARY_MAX_LENGTH
from intake.services import contact_log
from open311.models import Open311Request, Open311Service

# A partner app that retries a POST it thinks failed sends the same form again within seconds;
# within this window the same form from the same partner answers with the first request.
DOUBLE_SUBMISSION_WINDOW = timedelta(minutes=10)


@dataclass(frozen=True)
class ServiceRequestInput:
    """A POST requests.json, already checked (open311.forms.parse_service_request)."""

    service: Open311Service
    lat: Decimal | None = None
    long: Decimal | None = None
    address_string: str = ""
    address_id: str = ""
    description: str = ""
    media_url: str = ""
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    device_id: str = ""
    account_id: str = ""
    attributes: dict = field(default_factory=dict)


def _summary(request: ServiceRequestInput) -> str:
    """The contact's summary: the reporter's description (GeoReport allows 4,000 characters; a
    contact summary holds 2,000, and the full text stays on the Open311Request), else the
    service name and place."""
    text = request.description.strip()
    if not text:
        where = request.address_string or (f"UPRN {request.address_id}" if request.address_id
                                           else f"{request.lat}, {request.long}")
        text = f"{request.service.enquiry_type.name} reported at {where}."
    if len(text) > SUMMARY_MAX_LENGTH:
        text = text[: SUMMARY_MAX_LENGTH - 1] + "…"
    return text


def _record(partner, request: ServiceRequestInput, request_hash: str) -> Contact:
    enquiry_type = request.service.enquiry_type
    contact = contact_log(
        actor=partner, channel=ChannelCode.PARTNER, source=Contact.Source.OPEN311,
        service=enquiry_type.service, enquiry_type=enquiry_type, summary=_summary(request),
        set_by=f"partner {partner}",
    ).contact
    open311_request = Open311Request.objects.create(
        contact=contact, service=request.service, partner=partner, lat=request.lat,
        long=request.long, address_string=request.address_string,
        # The UPRN sent, else the nearest to the point sent: the rule every reporting door uses.
        address_id=report_uprn(request.address_id, request.lat, request.long),
        description=request.description, media_url=request.media_url, email=request.email,
        first_name=request.first_name, last_name=request.last_name, phone=request.phone,
        device_id=request.device_id, account_id=request.account_id, attributes=request.attributes,
        request_hash=request_hash, requested_at=contact.received_at,
    )
    # Names the fields given, not their values: the audit trail is append-only (personal data).
    audit_record(actor=partner, action="open311_request_received", target=open311_request,
                 changes={"service_code": request.service.service_code, "contact": contact.pk})
    return contact


def service_request_create(*, partner, request: ServiceRequestInput, posted: dict,
                           idempotency_key: str = "") -> tuple[Contact, bool]:
    """Record a partner's service request once; returns (contact, created).

    Idempotent two ways: with an `Idempotency-Key` header, through the same keyed, concurrency
    safe path as the partner contacts API (`contacts.services.contact_log_once`); without one,
    the same form from the same partner within DOUBLE_SUBMISSION_WINDOW answers with the first
    request. Atomic: contact, hand-off, Open311Request and audit rows commit together or not at
    all. Raises contacts.services.IdempotencyKeyReused for a key reused with another form.
    """
    request_hash = request_fingerprint(posted)

    def log() -> Contact:
        return _record(partner, request, request_hash)

    if idempotency_key:
        return contact_log_once(user=partner, key=f"open311:{idempotency_key}",
                                fingerprint=request_hash, log=log)
    with transaction.atomic():
        earlier = (Open311Request.objects.select_related("contact")
                   .filter(partner=partner, request_hash=request_hash,
                           requested_at__gte=timezone.now() - DOUBLE_SUBMISSION_WINDOW)
                   .order_by("-requested_at", "-pk").first())
        if earlier is not None:
            return earlier.contact, False
        return log(), True
