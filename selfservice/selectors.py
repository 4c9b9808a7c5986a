"""Reads of resident self service: what residents may report or request, and the progress of
what they sent, found only by reference and email together."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, Q, QuerySet

from complaints.models import Status as ComplaintStatus
from contacts import normalise
from core.models import Service
from handoffs.models import Handoff
from selfservice.models import SelfServiceOffer, SelfServiceSubmission
from selfservice.services import reference_normalise


def offers(kind: str) -> QuerySet[SelfServiceOffer]:
    return (SelfServiceOffer.objects
            .filter(kind=kind, is_active=True, enquiry_type__is_active=True,
                    enquiry_type__service__is_active=True)
            .select_related("enquiry_type__service").order_by("order", "title", "pk"))


def complaint_services() -> QuerySet[Service]:
    return Service.objects.filter(is_active=True).order_by("name", "pk")


def _with_handoff(submissions):
    return submissions.prefetch_related(Prefetch(
        "contact__handoffs", to_attr="handoff_list",
        queryset=Handoff.objects.select_related("team").order_by("pk")))


def submission_find(reference: str, detail: str) -> SelfServiceSubmission | None:
    """The submission with this reference, only if the email address, phone number or postcode
    the resident gave with it matches too, so that a reference alone (read over a shoulder,
    guessed) shows nothing."""
    detail = (detail or "").strip()
    if not detail:
        return None
    matches = Q(email=normalise.email(detail)) if "@" in detail else Q(pk__in=[])
    if normalise.is_postcode(detail):
        matches |= Q(postcode=normalise.postcode(detail))
    elif normalise.looks_like_phone_or_uprn(detail):
        matches |= Q(phone=normalise.phone(detail))
    return (_with_handoff(SelfServiceSubmission.objects
                          .select_related("offer", "contact__service", "complaint"))
            .filter(matches, reference=reference_normalise(reference))
            .first())


def submission_by_reference(reference: str) -> SelfServiceSubmission:
    """For the confirmation page only: the reference comes from the sender's own session."""
    return _with_handoff(SelfServiceSubmission.objects.select_related("offer", "contact")).get(
        reference=reference)


def submission_handoff(submission: SelfServiceSubmission) -> Handoff | None:
    """The hand-off what the resident sent opened, if any (one at most: its enquiry type's)."""
    contact = submission.contact
    handoffs = contact.handoff_list if hasattr(contact, "handoff_list") else contact.handoffs.all()
    return next(iter(handoffs), None)


@dataclass(frozen=True)
class Progress:
    status: str  # a GOV.UK tag text
    colour: str  # a GOV.UK tag modifier
    explanation: str
    expected_date: date | None = None


def submission_progress(submission: SelfServiceSubmission) -> Progress:
    """In the resident's words: the hand-off's status and due date, or the complaint's."""
    complaint = submission.complaint
    if complaint is not None:
        if complaint.status == ComplaintStatus.AWAITING_ALLOCATION:
            return Progress("Received", "blue", "We are passing your complaint to an officer.")
        if complaint.status == ComplaintStatus.OPEN:
            return Progress("Being investigated", "yellow",
                            "An officer is looking into your complaint.",
                            complaint.effective_due_date)
        if complaint.status == ComplaintStatus.RESPONDED:
            return Progress("Responded", "green", "We have sent you our response.")
        return Progress("Closed", "grey", "Your complaint is closed.")
    handoff = submission_handoff(submission)
    if handoff is None:
        return Progress("Done", "green", "We dealt with this when you sent it.")
    if handoff.status == Handoff.Status.RESOLVED:
        return Progress("Done", "green", f"{handoff.team.name} have dealt with this.")
    if handoff.status == Handoff.Status.IN_PROGRESS:
        return Progress("In progress", "yellow", f"{handoff.team.name} are working on this.",
                        handoff.due_date)
    return Progress("Received", "blue", f"We have passed this to {handoff.team.name}.",
                    handoff.due_date)
