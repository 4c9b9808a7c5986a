"""Writes of resident self service (issue 10): one submission becomes a `web` contact (source
`self_service`, the self-service door of `intake.services.contact_log`) with its hand-off as the
enquiry type says, or with a complaint, and the resident is sent a receipt with their reference
number."""

import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from complaints.models import Process
from contacts.models import Contact, Customer
from contacts.services import customer_create
from core.models import ChannelCode, Service, Site
from core.services import Message, audit_record, outbox_send
from intake.services import ComplaintAsked, contact_log
from selfservice.models import Kind, SelfServiceOffer, SelfServiceSubmission

# No 0/O, 1/I/L: a reference is read out over the phone and typed from a letter.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def reference_normalise(text: str) -> str:
    """'nwd 7k3m-9qx2' -> 'NWD-7K3M-9QX2', however the resident typed it."""
    compact = "".join(ch for ch in (text or "").upper() if ch.isalnum())
    if compact.startswith("NWD") and len(compact) == 11:
        return f"NWD-{compact[3:7]}-{compact[7:]}"
    return compact


def _new_reference() -> str:
    body = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"NWD-{body[:4]}-{body[4:]}"


@dataclass(frozen=True)
class Answers:
    """A resident's answers, as the wizard's forms cleaned them."""

    kind: str
    first_name: str
    last_name: str
    email: str
    description: str
    offer: SelfServiceOffer | None = None
    service: Service | None = None  # a complaint's service
    location: str = ""

    @property
    def kind_label(self) -> str:
        return Kind(self.kind).label


def _customer(answers: Answers) -> Customer:
    """The resident as a customer: the one already known by this email address and surname, so
    their history stays in one place, or a new one. A name alone never merges two people."""
    known = (Customer.objects.active()
             .filter(email=answers.email.lower(), last_name__iexact=answers.last_name)
             .order_by("pk"))
    if known.count() == 1:
        return known.get()
    return customer_create(actor=None, first_name=answers.first_name, last_name=answers.last_name,
                           email=answers.email, preferred_channel=ChannelCode.WEB)


def _summary(answers: Answers) -> str:
    if answers.location:
        return f"{answers.description}\n\nWhere: {answers.location}"
    return answers.description


@transaction.atomic
def submission_create(*, answers: Answers, ip_address: str | None = None) -> SelfServiceSubmission:
    """Record what a resident sent online, in one transaction: the customer; a `web` contact
    with source `self_service` taken by the rules every door uses (`intake.services.contact_log`)
    with its hand-off as the enquiry type says or, for a complaint, the corporate stage 1 case
    (officers switch it to statutory if it is) on the same contact, counted once; the submission
    with its unique reference, the audit row and the email receipt."""
    customer = _customer(answers)
    site = Site.objects.filter(kind=Site.Kind.ONLINE, is_active=True).order_by("pk").first()
    complaint = None
    if answers.kind == Kind.COMPLAINT:
        service, enquiry_type = answers.service, None
        complaint = ComplaintAsked(process=Process.CORPORATE, summary=answers.description)
    else:
        service, enquiry_type = answers.offer.enquiry_type.service, answers.offer.enquiry_type
    taken = contact_log(actor=None, channel=ChannelCode.WEB, source=Contact.Source.SELF_SERVICE,
                        service=service, enquiry_type=enquiry_type, customer=customer,
                        summary=_summary(answers), site=site, complaint=complaint)
    contact, complaint = taken.contact, taken.complaint
    submission = None
    for _attempt in range(5):  # 31^8 references: a clash is rare, but never an error page
        try:
            with transaction.atomic():
                submission = SelfServiceSubmission.objects.create(
                    reference=_new_reference(), kind=answers.kind, offer=answers.offer,
                    contact=contact, complaint=complaint, email=answers.email.lower(),
                    location=answers.location, created_at=contact.received_at)
            break
        except IntegrityError:
            continue
    if submission is None:
        raise RuntimeError("Could not find a free reference number.")
    audit_record(actor=None, action="self_service_submitted", target=submission,
                 changes={"kind": answers.kind, "contact": contact.pk}, ip_address=ip_address)
    _send_receipt(submission, answers, taken.handoff)
    return submission


def _send_receipt(submission: SelfServiceSubmission, answers: Answers, handoff) -> None:
    context = {"submission": submission, "answers": answers, "handoff": handoff}
    outbox_send(
        dedupe_key=f"selfservice:{submission.reference}:receipt",
        message=Message(
            subject=f"{submission.get_kind_display()}: your reference is {submission.reference}",
            body=render_to_string("selfservice/email/receipt.txt", context)),
        to_email=submission.email, about=submission,
    )
