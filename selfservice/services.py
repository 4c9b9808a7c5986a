"""Writes of resident self service (issue 10): one submission becomes a `web` contact (source
`self_service`, the self-service door of `intake.services.contact_log`) with its hand-off as the
enquiry type says, or with a complaint, and the resident is sent a receipt with their reference
number."""

import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from complaints.models import Process
from contacts import gazetteer, normalise
from contacts.models import Contact, Customer, GazetteerAddress
from contacts.photos import StoredPhoto, contact_photos_attach
from contacts.services import customer_create, customer_details_clean
from core.models import ChannelCode, Service, Site
from core.services import Message, audit_record, outbox_send
from intake.rules import SUMMARY_MAX_LENGTH
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


NO_WAY_TO_REPLY = "Enter an email address, phone number or postal address."
ADDRESS_LINE_MISSING = "Enter address line 1, typically the building and street."
POSTCODE_MISSING = "Enter a postcode."
POSTCODE_INVALID = "Enter a full UK postcode, like OL6 6AB."
PHONE_INVALID = "Enter a phone number, like 0161 342 8355 or 07700 900 982."
EMAIL_INVALID = "Enter an email address in the correct format, like name@example.com."


@dataclass(frozen=True)
class ContactDetails:
    """How the council can reply to a resident: at least one of the three (`contact_details_check`)."""

    email: str = ""
    phone: str = ""
    address_line_1: str = ""
    town: str = ""
    postcode: str = ""

    @property
    def has_address(self) -> bool:
        return bool(self.address_line_1 and self.postcode)

    @property
    def address(self) -> str:
        return ", ".join(part for part in (self.address_line_1, self.town, self.postcode) if part)


def contact_details_check(*, email: str = "", phone: str = "", address_line_1: str = "",
                          town: str = "", postcode: str = "") -> ContactDetails:
    """A resident may leave out their email address when a phone number or a postal address will
    do (issue 20, "e-mail optional where a phone or postal address will do"): at least one of the
    three, each in a form the council can use (a postal address is its first line and postcode).
    Normalised as customers' details are (`contacts.services.customer_details_clean`);
    ValidationError {field: message} otherwise."""
    errors = {}
    details = {"email": email or "", "phone": phone or "", "address_line_1": address_line_1 or "",
               "town": town or "", "postcode": postcode or ""}
    try:
        cleaned = customer_details_clean(details)
    except ValidationError as error:
        cleaned = {**details, **{key: "" for key in error.message_dict}}
        wording = {"email": EMAIL_INVALID, "phone": PHONE_INVALID, "postcode": POSTCODE_INVALID}
        errors.update({key: wording.get(key, messages[0]) for key, messages in error.message_dict.items()})
    if "postcode" not in errors:
        if cleaned["postcode"] and not cleaned["address_line_1"]:
            errors["address_line_1"] = ADDRESS_LINE_MISSING
        elif cleaned["address_line_1"] and not cleaned["postcode"]:
            errors["postcode"] = POSTCODE_MISSING
    elif not cleaned["address_line_1"]:
        errors["address_line_1"] = ADDRESS_LINE_MISSING
    if not errors and not (cleaned["email"] or cleaned["phone"] or cleaned["address_line_1"]):
        errors["email"] = NO_WAY_TO_REPLY
    if errors:
        raise ValidationError(errors)
    return ContactDetails(**cleaned)


# Where the problem is (issue 20, item 4): an address found by postcode, or words for a place
# with no address, in GOV.UK's wording.
PLACE_MISSING = "Enter a postcode to find the address, or describe where the problem is."
PLACE_NOT_SELECTED = "Select the address, or describe where the problem is."
PLACE_UNKNOWN_ADDRESS = "Select the address from the list."
PLACE_POINT_INVALID = ("We could not use your location. Find the address by postcode, or describe "
                       "where the problem is.")
LOCATION_MAX_LENGTH = 300


def place_no_addresses(postcode: str) -> str:
    return (f"We cannot find any addresses at {postcode}. Check the postcode, or describe where "
            "the problem is.")


def place_addresses(postcode: str) -> list[GazetteerAddress]:
    """The addresses a resident may choose from at a postcode: the gazetteer's
    (`contacts.gazetteer.addresses_at_postcode`). ValidationError on `lookup_postcode` for no
    postcode, one that is not a postcode, or one with no addresses."""
    postcode = (postcode or "").strip()
    if not postcode:
        raise ValidationError({"lookup_postcode": POSTCODE_MISSING})
    if not normalise.is_postcode(postcode):
        raise ValidationError({"lookup_postcode": POSTCODE_INVALID})
    addresses = gazetteer.addresses_at_postcode(postcode)
    if not addresses:
        raise ValidationError({"lookup_postcode": place_no_addresses(normalise.postcode(postcode))})
    return addresses


@dataclass(frozen=True)
class ReportPlace:
    """Where a reported problem is: the resident's words, the property (UPRN and its address)
    when they chose one, and the point when their report carries one."""

    location: str = ""
    uprn: str = ""
    address: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None

    def __bool__(self) -> bool:
        return bool(self.location or self.uprn or self.latitude is not None)


def report_place_check(*, location: str = "", uprn: str = "", latitude=None, longitude=None,
                       lookup_postcode: str = "", required: bool = True) -> ReportPlace:
    """Where a resident says the problem is (issue 20, item 4): an address of the council's
    gazetteer, chosen by postcode (its UPRN must be the gazetteer's, at `lookup_postcode` when
    one is given), or words for a place with
    no address (a park, a stretch of road), which carry no UPRN, or both; a point (latitude and
    longitude, WGS84) may come with either. With `required`, at least one of them (a postcode
    alone is not a place: its address must be selected). The UPRN of a
    report given only a point is found when it is sent (`submission_create`, through
    `contacts.gazetteer.report_uprn`, Open311's rule). ValidationError {field: message}."""
    location = " ".join((location or "").split())
    uprn = (uprn or "").strip()
    errors, address = {}, None
    if len(location) > LOCATION_MAX_LENGTH:
        errors["location"] = f"Where the problem is must be {LOCATION_MAX_LENGTH} characters or less."
    if uprn:
        # The address must be one of those listed for the postcode looked up: a UPRN sent with
        # another postcode (or made up) is not the one the resident saw.
        address = gazetteer.address_by_uprn(uprn)
        postcode = (lookup_postcode or "").strip()
        if address is None or (postcode and (not normalise.is_postcode(postcode)
                                             or address.postcode != normalise.postcode(postcode))):
            address = None
            errors["address"] = PLACE_UNKNOWN_ADDRESS
    point = (None, None)
    if latitude not in (None, "") or longitude not in (None, ""):
        try:
            point = (gazetteer.coordinate(latitude, 90), gazetteer.coordinate(longitude, 180))
        except gazetteer.CoordinateError:
            errors["location"] = PLACE_POINT_INVALID
    if not errors and required and not (location or uprn or point[0] is not None):
        if (lookup_postcode or "").strip():
            errors["address"] = PLACE_NOT_SELECTED
        else:
            errors["lookup_postcode"] = PLACE_MISSING
    if errors:
        raise ValidationError(errors)
    return ReportPlace(location=location, uprn=address.uprn if address else "",
                       address=str(address) if address else "", latitude=point[0], longitude=point[1])


@dataclass(frozen=True)
class Answers:
    """A resident's answers, as the wizard's forms cleaned them."""

    kind: str
    first_name: str
    last_name: str
    description: str
    email: str = ""
    phone: str = ""
    address_line_1: str = ""
    town: str = ""
    postcode: str = ""
    offer: SelfServiceOffer | None = None
    service: Service | None = None  # a complaint's service
    location: str = ""
    uprn: str = ""  # the address the resident chose for where the problem is
    address: str = ""  # that address as one line, to show them (the service reads its own)
    latitude: Decimal | None = None  # the point their report carries, if any
    longitude: Decimal | None = None
    photos: tuple[StoredPhoto, ...] = ()

    @property
    def kind_label(self) -> str:
        return Kind(self.kind).label

    @property
    def where(self) -> str:
        """Where the problem is, as the resident is shown it: the address chosen and its UPRN,
        their words."""
        uprn = f"Property reference (UPRN): {self.uprn}" if self.uprn else ""
        point = ""
        if self.latitude is not None and not self.uprn:
            # The property the report will be filed against (`submission_create`: report_uprn).
            nearest = gazetteer.nearest_address(self.latitude, self.longitude)
            point = (f"Your current location, near {nearest}" if nearest
                     else f"Your current location ({self.latitude}, {self.longitude})")
        return "\n".join(part for part in (self.address, uprn, point, self.location) if part)

    @property
    def contact_details(self) -> ContactDetails:
        return ContactDetails(self.email, self.phone, self.address_line_1, self.town, self.postcode)


def _customer(answers: Answers, details: ContactDetails) -> Customer:
    """The resident as a customer: the one already known by this email address (or, without
    one, this phone number) and surname, so their history stays in one place, or a new one. A
    name alone never merges two people."""
    known = Customer.objects.none()
    if details.email:
        known = Customer.objects.active().filter(email=details.email)
    elif details.phone:
        known = Customer.objects.active().filter(phone=details.phone)
    known = known.filter(last_name__iexact=answers.last_name).order_by("pk")
    if known.count() == 1:
        return known.get()
    return customer_create(actor=None, first_name=answers.first_name, last_name=answers.last_name,
                           email=details.email, phone=details.phone,
                           address_line_1=details.address_line_1, town=details.town,
                           postcode=details.postcode, preferred_channel=ChannelCode.WEB)


def _summary(answers: Answers, place: ReportPlace, uprn: str) -> str:
    """The description and, for the receiving team, where: the address chosen with its UPRN,
    then the resident's words; a UPRN found from a point is named as such."""
    where = []
    if place.address:
        where.append(f"{place.address} (UPRN {uprn})")
    elif uprn:
        where.append(f"Nearest property: UPRN {uprn}")
    if place.location:
        where.append(place.location)
    text = f"{answers.description}\n\nWhere: {chr(10).join(where)}" if where else answers.description
    return text if len(text) <= SUMMARY_MAX_LENGTH else text[: SUMMARY_MAX_LENGTH - 1] + "…"


@transaction.atomic
def submission_create(*, answers: Answers, ip_address: str | None = None) -> SelfServiceSubmission:
    """Record what a resident sent online, in one transaction: the customer; a `web` contact
    with source `self_service` taken by the rules every door uses (`intake.services.contact_log`)
    with its hand-off as the enquiry type says or, for a complaint, the corporate stage 1 case
    (officers switch it to statutory if it is) on the same contact, counted once; the photos it
    came with; the submission with its unique reference, the audit row and, when the resident
    gave an email address, the email receipt (without one, the reference is only on screen).
    Where the problem is goes on the submission with the UPRN of the address the resident chose,
    else of the property nearest the point their report carries (`contacts.gazetteer.report_uprn`,
    the rule Open311 uses), else none (`report_place_check`).
    ValidationError when the resident gave no way to reply (`contact_details_check`) or a place
    that is not the gazetteer's."""
    details = contact_details_check(email=answers.email, phone=answers.phone,
                                    address_line_1=answers.address_line_1, town=answers.town,
                                    postcode=answers.postcode)
    place = report_place_check(location=answers.location, uprn=answers.uprn,
                               latitude=answers.latitude, longitude=answers.longitude,
                               required=False)
    uprn = gazetteer.report_uprn(place.uprn, place.latitude, place.longitude)
    customer = _customer(answers, details)
    site = Site.objects.filter(kind=Site.Kind.ONLINE, is_active=True).order_by("pk").first()
    complaint = None
    if answers.kind == Kind.COMPLAINT:
        service, enquiry_type = answers.service, None
        complaint = ComplaintAsked(process=Process.CORPORATE, summary=answers.description)
    else:
        service, enquiry_type = answers.offer.enquiry_type.service, answers.offer.enquiry_type
    taken = contact_log(actor=None, channel=ChannelCode.WEB, source=Contact.Source.SELF_SERVICE,
                        service=service, enquiry_type=enquiry_type, customer=customer,
                        summary=_summary(answers, place, uprn), site=site, complaint=complaint)
    contact, complaint = taken.contact, taken.complaint
    if answers.photos:
        contact_photos_attach(contact=contact, photos=list(answers.photos))
    submission = None
    for _attempt in range(5):  # 31^8 references: a clash is rare, but never an error page
        try:
            with transaction.atomic():
                submission = SelfServiceSubmission.objects.create(
                    reference=_new_reference(), kind=answers.kind, offer=answers.offer,
                    contact=contact, complaint=complaint, email=details.email,
                    phone=details.phone, postcode=details.postcode,
                    location=place.location, address=place.address, uprn=uprn,
                    latitude=place.latitude, longitude=place.longitude,
                    created_at=contact.received_at)
            break
        except IntegrityError:
            continue
    if submission is None:
        raise RuntimeError("Could not find a free reference number.")
    audit_record(actor=None, action="self_service_submitted", target=submission,
                 changes={"kind": answers.kind, "contact": contact.pk}, ip_address=ip_address)
    if submission.email:
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
