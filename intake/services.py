"""Taking a contact at any door (DOMAIN.md, "No wrong door means every door, one set of rules";
issue 15): the one use case behind the adviser's and the back office's pages, the partner API,
Open311, self service and Tell Us Once. The import applies the same rules to a file
(`intake.importer`).

`contact_log` reads the few facts the rules need, lets `intake.rules.contact_decide` decide the
contact, and then writes it with its hand-offs and, if the customer complains, the complaint, in
one transaction (the lower services join it without savepoints of their own).
"""

from contextlib import nullcontext
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from complaints.models import Complaint
from complaints.selectors import user_may_create
from complaints.services import complaint_create
from contacts.models import Contact
from contacts.selectors import sampling_period_on
from contacts.services import contact_create
from core.models import AvoidableReason
from handoffs.models import Handoff
from handoffs.selectors import handoff_for_chasing, repeat_candidate
from handoffs.services import handoff_open
from intake import rules


@dataclass(frozen=True)
class ComplaintAsked:
    """The customer wants to complain: what the complaint is about and which process takes it.
    `service` defaults to the contact's."""

    process: str
    summary: str
    service: object = None


@dataclass
class Taken:
    """What taking a contact stored: the contact, its hand-offs (none for One & Done, one per
    service told of a life event), the complaint it raised, the enquiry it chases and the open
    enquiry it may repeat (each a hand-off)."""

    contact: Contact
    handoffs: list[Handoff] = field(default_factory=list)
    complaint: Complaint | None = None
    chased: Handoff | None = None
    possible_repeat: Handoff | None = None

    @property
    def handoff(self) -> Handoff | None:
        """The hand-off of a contact handed off to one team."""
        return self.handoffs[0] if self.handoffs else None


def contact_log(
    *,
    actor,
    source: str,
    channel: str,
    service,
    summary: str,
    enquiry_type=None,
    customer=None,
    received_at=None,
    site=None,
    direction: str = Contact.Direction.INBOUND,
    avoidable: bool = False,
    avoidable_reason=None,
    resolved_at_first_contact: bool | None = None,
    handoff_method: str | None = None,
    handoff_override_reason: str = "",
    external_ref: str = "",
    chasing: int | None = None,
    handling_time_seconds: int | None = None,
    handoff_to: tuple = (),
    complaint: ComplaintAsked | None = None,
    set_by: str = "",
    handled_by=None,
) -> Taken:
    """Take one contact by the rules of `intake.rules.contact_decide` (ValidationError naming
    the fields when one is broken, and nothing stored).

    Reads, each only when needed: the hand-off `chasing` names, the progress-chasing reason
    (chasing without a reason), and the customer's open enquiry about the same service inside
    the repeat window (a customer given, not chasing); then the sampling period of the day. The
    writes: the contact and its audit row, each hand-off with its timeline entry and audit row,
    the complaint with its stage, event and audit row.
    """
    if complaint is not None and getattr(actor, "pk", None) and not user_may_create(
            actor, complaint.process):
        raise ValidationError({"complaint_process": "You may not log this kind of complaint."})
    now = timezone.now()
    chased = handoff_for_chasing(chasing) if chasing is not None else None
    progress_chasing = None
    if chasing is not None and avoidable_reason is None:
        progress_chasing = AvoidableReason.objects.filter(code=rules.PROGRESS_CHASING).first()
    open_enquiry = None
    if customer is not None and chasing is None:
        open_enquiry = repeat_candidate(customer, service, received_at or now)
    decision = rules.contact_decide(
        source=source, channel=channel, service=service, summary=summary, now=now,
        enquiry_type=enquiry_type, customer=customer, received_at=received_at,
        direction=direction, avoidable=avoidable, avoidable_reason=avoidable_reason,
        resolved_at_first_contact=resolved_at_first_contact, handoff_method=handoff_method,
        handoff_override_reason=handoff_override_reason, handoff_to=handoff_to,
        external_ref=external_ref, chasing=chasing, handling_time_seconds=handling_time_seconds,
        chased=chased,
        progress_chasing=progress_chasing, open_enquiry=open_enquiry,
        complaint=complaint is not None, set_by=set_by, sampling_period_for=sampling_period_on,
    )
    taken = _store(decision, actor=actor, source=source, site=site, handled_by=handled_by,
                   customer=customer, service=service, complaint=complaint)
    taken.chased = chased if chasing is not None else None
    taken.possible_repeat = open_enquiry if decision.contact["possible_repeat_of"] else None
    return taken


def _store(decision: rules.Decision, *, actor, source, site, handled_by, customer, service,
           complaint: ComplaintAsked | None) -> Taken:
    """The writes of taking a contact, all or nothing. The rules were applied before the
    transaction began, so a refused contact leaves a caller's transaction as it was.

    A contact that opens no hand-off and no complaint (One & Done, most of them) is one
    statement, atomic by itself (`contacts.services.contact_create`), so no transaction is begun
    for it (issue 23: BEGIN and COMMIT were two of a partner's seven round trips)."""
    one_statement = not decision.handoffs and complaint is None
    with nullcontext() if one_statement else transaction.atomic():
        contact = contact_create(actor=actor, source=source, site=site, handled_by=handled_by,
                                 **decision.contact)
        taken = Taken(contact=contact)
        for enquiry_type, method in decision.handoffs:
            taken.handoffs.append(handoff_open(contact=contact, actor=actor, enquiry_type=enquiry_type,
                                               method=method))
        if complaint is not None:
            try:
                taken.complaint = complaint_create(
                    actor=actor, customer=customer, service=complaint.service or service,
                    summary=complaint.summary, process=complaint.process,
                    received_at=contact.received_at, contact=contact)
            except ValidationError as error:
                # The complaint's own fields, told apart from the contact's ("summary").
                raise ValidationError({f"complaint_{name}": messages
                                       for name, messages in error.message_dict.items()}) from None
        return taken
