"""The rules for taking a contact, whatever door it comes through (DOMAIN.md, "No wrong door
means every door, one set of rules"; issue 15).

`contact_decide` is the one place they are enforced. The use case `intake.services.contact_log`
calls it for each contact taken on the adviser's and the back office's pages, through the partner
API, Open311, self service and Tell Us Once; the import (`intake.importer`) calls it for each row
of a file. It is a pure function of what the door was told and of the few facts the caller read
first (the enquiry being chased, the customer's open enquiry about the same service, the sampling
period of a day), so a million imported rows are checked by the same code without a query each.

Each broken rule is an error on the field it concerns, all of them at once: the pages show them by
their fields and the API answers 400 with them (API.md, "Errors").
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError

from contacts.models import HANDLING_TIME_MAX_SECONDS, Contact
from core.input_guard import moment_error
from core.models import ChannelCode, HandoffMethod
from core.working_days import local_date

SUMMARY_MAX_LENGTH = 2000
OVERRIDE_REASON_MAX_LENGTH = 500
EXTERNAL_REF_MAX_LENGTH = 100
# A clock a little ahead of the server's is not "the future".
CLOCK_TOLERANCE = timedelta(minutes=1)
PROGRESS_CHASING = "progress_chasing"

ONE_AND_DONE = HandoffMethod.ONE_AND_DONE
_CHANNELS = frozenset(ChannelCode.values)
_DIRECTIONS = frozenset(Contact.Direction.values)
_METHODS = frozenset(HandoffMethod.values)
_LABELS = dict(HandoffMethod.choices)


@dataclass(frozen=True)
class Decision:
    """A contact as the rules decide it: `contact` holds the fields
    `contacts.services.contact_create` stores, `handoffs` the hand-offs to open as (enquiry
    type, method): the enquiry type names the team and the service standard."""

    contact: dict
    handoffs: tuple = ()


def contact_decide(
    *,
    source: str,
    channel: str,
    service,
    summary: str,
    now: datetime,
    enquiry_type=None,
    customer=None,
    received_at: datetime | None = None,
    direction: str = Contact.Direction.INBOUND,
    avoidable: bool = False,
    avoidable_reason=None,
    resolved_at_first_contact: bool | None = None,
    handoff_method: str | None = None,
    handoff_override_reason: str = "",
    handoff_to: tuple = (),
    external_ref: str = "",
    chasing: int | None = None,
    handling_time_seconds: int | None = None,
    chased=None,
    progress_chasing=None,
    open_enquiry=None,
    complaint: bool = False,
    set_by: str = "",
    sampling_period_for: Callable[[date], object] | None = None,
) -> Decision:
    """Decide the contact, or raise ValidationError({field: message}) naming every rule broken.

    What the door was told: the contact's fields as API.md names them (with issue 22's optional
    `handling_time_seconds`); `chasing` the id of the
    hand-off the contact chases, if it says so; `handoff_to` the enquiry types to hand off to when
    there are several (Tell Us Once); `complaint` whether the contact raises a complaint;
    `set_by` who a system door is ("partner street-reporting"), for the rules that let a system
    choose without giving a reason.

    `service` may be None only where the caller has already reported it unknown (an imported row,
    checked for every other problem too).

    What the caller read: `chased`, the hand-off `chasing` names (None when there is none);
    `progress_chasing`, the NI14 reason of that code (when chasing without a reason);
    `open_enquiry`, the newest unresolved hand-off of the same customer and service inside the
    repeat window (`handoffs.selectors.repeat_candidate`); `sampling_period_for(day)`.
    """
    errors: dict[str, str] = {}
    history = source == Contact.Source.IMPORT

    received_at = received_at or now
    if received_at > now + CLOCK_TOLERANCE:
        errors["received_at"] = "The time the contact was received cannot be in the future."
    elif problem := moment_error(received_at):
        errors["received_at"] = problem
    summary = (summary or "").strip()
    if not summary:
        errors["summary"] = "Enter a summary of the contact."
    elif len(summary) > SUMMARY_MAX_LENGTH:
        errors["summary"] = f"The summary must be {SUMMARY_MAX_LENGTH} characters or fewer."
    if channel not in _CHANNELS:
        errors["channel"] = "Select a channel."
    if direction not in _DIRECTIONS:
        errors["direction"] = "Must be inbound or outbound."
    external_ref = (external_ref or "").strip()
    if len(external_ref) > EXTERNAL_REF_MAX_LENGTH:
        errors["external_ref"] = f"Must be {EXTERNAL_REF_MAX_LENGTH} characters or fewer."
    if enquiry_type is not None and service is not None and enquiry_type.service_id != service.pk:
        errors["enquiry_type"] = "The enquiry type does not belong to the service."
    if problem := handling_time_error(handling_time_seconds):
        errors["handling_time_seconds"] = problem

    default_method = enquiry_type.handoff_method if enquiry_type is not None else ONE_AND_DONE
    override_reason = (handoff_override_reason or "").strip()
    repeat_of = possible_repeat_of = None

    if chasing is not None:
        # Chasing an open enquiry (API.md v1.1, "chasing"): answered now, One & Done, avoidable
        # as progress chasing unless the caller names another reason, linked to the enquiry; the
        # hand-off already open covers the work, so no second one.
        chase_error = _chase_error(chasing, chased, customer, service)
        if chase_error:
            errors["chasing"] = chase_error
        else:
            repeat_of = chased.contact
        if handoff_method not in (None, ONE_AND_DONE):
            errors["handoff_method"] = ("A contact chasing an open enquiry opens no new hand-off: "
                                        "it is One & Done.")
        handoff_method = ONE_AND_DONE
        if default_method != ONE_AND_DONE and not override_reason:
            override_reason = f"Chases enquiry {chasing}, already with the back office."
        avoidable = True
        avoidable_reason = avoidable_reason or progress_chasing
    elif open_enquiry is not None and not history:
        # A suspected repeat nobody declared as chasing (DOMAIN.md: flagged, and the adviser
        # decides): it opens its own enquiry, and the flag says which one it may repeat.
        possible_repeat_of = open_enquiry.contact

    method = handoff_method or default_method
    if method not in _METHODS:
        errors["handoff_method"] = "Select a hand-off method."
        method = default_method
    if method != default_method:
        # Overriding the enquiry type's hand-off records why (issue 15): staff say why; a system
        # door that does not is recorded as having set it.
        if not override_reason and set_by:
            override_reason = f"set by {set_by}"
        if not override_reason:
            errors["handoff_override_reason"] = (
                f"Say why this contact needs {_LABELS[method]} rather than {_LABELS[default_method]}.")
        elif len(override_reason) > OVERRIDE_REASON_MAX_LENGTH:
            errors["handoff_override_reason"] = (
                f"Must be {OVERRIDE_REASON_MAX_LENGTH} characters or fewer.")
    else:
        override_reason = ""

    handoffs: tuple = ()
    if method != ONE_AND_DONE:
        targets = tuple(handoff_to) or ((enquiry_type,) if enquiry_type is not None else ())
        if not targets:
            errors.setdefault("handoff_method", "Hand-offs need an enquiry type with a receiving team.")
        for target in targets:
            if target.team_id is None:
                errors.setdefault("handoff_method", f"{target.name} has no back-office team to hand "
                                                    "off to: choose One & Done.")
        if not history:  # imported history opens no hand-offs
            handoffs = tuple((target, method if len(targets) == 1 else target.handoff_method)
                             for target in targets)

    # First-contact resolution (NI14's companion figure): a contact handed off, or one that
    # raises a complaint, is not resolved at first contact; One & Done is, unless said otherwise.
    if resolved_at_first_contact is None:
        resolved_at_first_contact = method == ONE_AND_DONE and not complaint
    elif resolved_at_first_contact and method != ONE_AND_DONE:
        errors["resolved_at_first_contact"] = "A contact handed off is not resolved at first contact."
    elif resolved_at_first_contact and complaint:
        errors["resolved_at_first_contact"] = ("A contact that raises a complaint is not resolved at "
                                               "first contact: the complaint is still to be answered.")
    if complaint and customer is None:
        errors["customer"] = "A complaint needs the customer: find them, or add them first."

    # NI14: an avoidable contact has exactly one reason, any other contact none.
    if avoidable and avoidable_reason is None:
        errors["avoidable_reason"] = "Select why the contact was avoidable."
    if not avoidable and avoidable_reason is not None:
        errors["avoidable_reason"] = "Only an avoidable contact has an avoidable reason."

    if errors:
        raise ValidationError(errors)
    received_date = local_date(received_at)
    # Imported history, and a One & Done contact, close their enquiry when received; a hand-off
    # keeps it open until the back office resolves it.
    closed = history or method == ONE_AND_DONE
    return Decision(
        contact={
            "channel": channel, "direction": direction, "service": service,
            "enquiry_type": enquiry_type, "customer": customer, "received_at": received_at,
            "received_date": received_date, "summary": summary,
            "resolved_at_first_contact": resolved_at_first_contact, "avoidable": avoidable,
            "avoidable_reason": avoidable_reason if avoidable else None, "handoff_method": method,
            "handoff_override_reason": override_reason, "external_ref": external_ref,
            "handling_time_seconds": handling_time_seconds,
            "repeat_of": repeat_of, "possible_repeat_of": possible_repeat_of,
            "enquiry_closed_at": received_at if closed else None,
            # A council measuring by samples records the period each contact falls in.
            "sampling_period": sampling_period_for(received_date) if sampling_period_for else None,
        },
        handoffs=handoffs,
    )


def handling_time_error(seconds) -> str:
    """Why `seconds` is not a handling time a contact may record ("" when it is, or is None):
    a whole number of seconds from 0 to HANDLING_TIME_MAX_SECONDS (issue 22), where the channel
    records one (the telephony system through the API, an import)."""
    if seconds is None:
        return ""
    if isinstance(seconds, bool) or not isinstance(seconds, int) or not (
            0 <= seconds <= HANDLING_TIME_MAX_SECONDS):
        return (f"Enter the handling time as a whole number of seconds from 0 to "
                f"{HANDLING_TIME_MAX_SECONDS:,} (8 hours).")
    return ""


def _chase_error(chasing: int, chased, customer, service) -> str:
    """Why a contact may not chase hand-off `chasing` (API.md v1.1: "An unknown, resolved or
    other customer's enquiry -> 400"), or "" when it may."""
    if chased is None:
        return f"There is no enquiry {chasing}."
    if customer is None or chased.contact.customer_id != customer.pk:
        return f"Enquiry {chasing} is not this customer's."
    if chased.resolved_at is not None:
        return f"Enquiry {chasing} is resolved: a new contact about it is a new enquiry."
    if service is not None and chased.contact.service_id != service.pk:
        return (f"Enquiry {chasing} is about {chased.contact.service.name}: log the contact under "
                "that service.")
    return ""
