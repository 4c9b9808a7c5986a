"""Reads of the contacts app: customer search, duplicate warnings, repeat-contact detection,
who sees which contacts."""

import re
from datetime import date, datetime, time

from django.conf import settings
from django.db import connection
from django.db.models import Case, CharField, F, Func, Q, QuerySet, Value, When
from django.db.models.functions import Lower
from django.utils import timezone

from contacts import normalise
from contacts.models import Contact, Customer, SamplingPeriod
from core.compiled_query import CompiledQuery
from core.models import OutboundMessage
from core.roles import Role, has_role, is_staff_member
from core.working_days import calendar, local_date

# --- Who may do what (the pages and the API ask these) -----------------------------------------

# Log contacts, on a page or through the API, as a member of staff: the front office, and the
# back office for the public contact that reaches its teams directly (DOMAIN.md, "No wrong door").
LOG_ROLES = (Role.ADVISER, Role.BACK_OFFICE, Role.MANAGER, Role.ADMIN)
# Create customers and correct their details (rectification). Complaints officers log
# complaints for customers who may not be on the system yet.
CUSTOMER_EDIT_ROLES = (Role.ADVISER, Role.COMPLAINTS_OFFICER, Role.SOCIAL_CARE_COMPLAINTS,
                       Role.MANAGER, Role.ADMIN)
# Read every contact (the contacts list API; contacts on the customer 360 page). Partner
# systems read only the contacts they created (`contacts_visible_to`).
CONTACT_READ_ROLES = (Role.ADVISER, Role.BACK_OFFICE, Role.COMPLAINTS_OFFICER,
                      Role.SOCIAL_CARE_COMPLAINTS, Role.LEGAL, Role.MANAGER, Role.ADMIN)


def can_log_contacts(user) -> bool:
    return has_role(user, *LOG_ROLES)


def can_edit_customers(user) -> bool:
    return has_role(user, *CUSTOMER_EDIT_ROLES)


def can_export_personal_data(user) -> bool:
    """Subject access exports (everything held about a customer): managers and admins."""
    return has_role(user, Role.MANAGER, Role.ADMIN)


def can_view_customers(user) -> bool:
    """Every member of staff works with customers (one view of the customer); partners reach
    customers only through the API."""
    return is_staff_member(user)


def contacts_visible_to(user) -> QuerySet[Contact]:
    """Staff see every contact; a partner system sees the contacts it created; others none."""
    contacts = Contact.objects.all()
    if has_role(user, *CONTACT_READ_ROLES):
        return contacts
    if has_role(user, Role.PARTNER):
        return contacts.filter(created_by=user)
    return contacts.none()


# --- Customer search ---------------------------------------------------------------------------


class NameKey(Func):
    """lower(first_name || ' ' || last_name): exactly the expression of the trigram index in
    migration 0003, so PostgreSQL can use the index for LIKE '%term%'."""

    template = "lower(%(expressions)s)"
    arg_joiner = " || ' ' || "
    output_field = CharField()

    def __init__(self):
        super().__init__(F("first_name"), F("last_name"))


class _NotFromIndex(Func):
    """The same text, as an expression no index holds: the looser matches are listed in name
    order too, but must be found through the trigram index and then sorted. Read in the order of
    the name index, "wils" would walk the surnames from A until it reached the Wilsons (seconds
    on a million customers), as the planner takes the matches to be spread evenly."""

    template = "(%(expressions)s || '')"
    output_field = CharField()


SEARCH_ORDER = ("last_name", "first_name", "pk")
# The most customers a search lists (the customers page says "more than 1,000" past this): the
# name search on PostgreSQL ranks at most this many of each kind of match, so a common surname
# costs the same as a rare one.
SEARCH_LIMIT = 1000
# How name matches are listed: lower(last_name), lower(first_name), id, exactly the b-tree index
# customer_name_order_idx of migration 0005, so PostgreSQL reads a page in index order.
NAME_ORDER = (Lower("last_name"), Lower("first_name"), "pk")


def customer_search(query: str, *, limit: int | None = SEARCH_LIMIT + 1) -> QuerySet[Customer]:
    """Customers matching what an adviser typed: a postcode (any case, with or without the
    space), an outward code ("OL6"), a phone number (any formatting), a UPRN, an email address,
    or words of the name (each word must match; short words match the start of a name).

    Name searches list exact matches first: the surname exactly (a single word), or the first
    name and surname exactly ("jane smith"); then the looser matches (each word anywhere in the
    name, or a single word in the email address); each group in order of surname, first name.

    Each kind of query is one indexed lookup, so it stays fast with a million customers: on
    PostgreSQL a b-tree on the lower-cased surname and first name (migration 0005) answers the
    exact name matches in order, trigram GIN indexes on the lower-cased full name and email
    (migration 0003) the looser ones, b-tree pattern indexes postcode, phone and UPRN; SQLite
    runs the same lookups unindexed. Anonymised customers are never found.

    `limit`: at most this many results are wanted (pages list at most SEARCH_LIMIT and need one
    more to say there are more); it lets a name search stop reading once it has them, so a
    surname shared by 25,000 customers costs the same as a rare one. None lists every match
    (the API, whose pages count every match).
    """
    results = _search(" ".join((query or "").split()), limit)
    return results if limit is None else results[:limit]


def _search(query: str, limit: int | None) -> QuerySet[Customer]:
    customers = Customer.objects.active()
    if len(query) < 2:
        return customers.none()
    if "@" in query:
        return customers.annotate(email_key=Lower("email")).filter(
            email_key__startswith=normalise.email(query)).order_by(*SEARCH_ORDER)
    if normalise.is_postcode(query):
        return customers.filter(postcode=normalise.postcode(query)).order_by(*SEARCH_ORDER)
    if normalise.is_outward_code(query):
        return customers.filter(postcode__startswith=query.upper() + " ").order_by(*SEARCH_ORDER)
    if normalise.looks_like_phone_or_uprn(query):
        digits = re.sub(r"\D", "", query)
        return customers.filter(
            Q(phone__startswith=normalise.phone(query)) | Q(uprn=digits)
        ).order_by(*SEARCH_ORDER)
    return _name_search(customers, query.lower(), limit)


def _exact_name(query: str) -> Q:
    """The exact match of a name query: one word is the surname, more are first name(s) and
    surname ("mary ann smith"). Compares the lower-cased columns the b-tree index holds."""
    *first, last = query.split()
    exact = Q(last_key=last)
    if first:
        exact &= Q(first_key=" ".join(first))
    return exact


def _loose_name(query: str) -> Q:
    """Each word anywhere in the full name (a word too short for a trigram: the start of a word
    of the name); a single word also anywhere in the email address."""
    matches = Q()
    for term in query.split():
        if len(term) >= 3:
            matches &= Q(name_key__contains=term)
        else:
            matches &= Q(name_key__startswith=term) | Q(name_key__contains=" " + term)
    if " " not in query and len(query) >= 3:
        matches |= Q(email_key__contains=query)
    return matches


def _name_search(customers: QuerySet[Customer], query: str, limit: int | None) -> QuerySet[Customer]:
    customers = customers.alias(name_key=NameKey(), email_key=Lower("email"),
                                last_key=Lower("last_name"), first_key=Lower("first_name"))
    exact, loose = _exact_name(query), _loose_name(query)
    if connection.vendor != "postgresql" or limit is None:
        # One query ranking every match: exact first, then the looser ones.
        return customers.filter(exact | loose).alias(
            looser=Case(When(exact, then=Value(0)), default=Value(1))
        ).order_by("looser", *NAME_ORDER)
    # PostgreSQL, the first `limit`: the exact matches in index order, then (only if they are
    # fewer than asked for) the looser ones, found by the trigram index and sorted (top `limit`).
    # UNION ALL without an outer ORDER BY: the Append reads its parts in turn and stops at the
    # LIMIT, so a page of a common surname, or of "first last", reads a page of the b-tree and
    # never runs the trigram search. Each part is ordered, so the whole is.
    exact_part = customers.filter(exact).order_by(*NAME_ORDER)[:limit]
    loose_part = customers.filter(loose).exclude(exact).order_by(
        _NotFromIndex(Lower("last_name")), *NAME_ORDER[1:])[:limit]
    return exact_part.union(loose_part, all=True)


def customer_possible_duplicates(*, first_name: str = "", last_name: str = "", email: str = "",
                                 phone: str = "", postcode: str = "", date_of_birth=None,
                                 exclude_pk=None, limit: int = 10) -> list[Customer]:
    """Customers who may be the same person as the one about to be created (issue 3, duplicate
    warnings): the same email, the same phone number, or the same name with the same postcode
    or the same date of birth. Names compare without regard to case."""
    email, phone = normalise.email(email), normalise.phone(phone)
    postcode = normalise.postcode(postcode) if postcode else ""
    first_name, last_name = normalise.name(first_name), normalise.name(last_name)
    match = Q(pk__in=[])
    if email:
        match |= Q(email__iexact=email)
    if phone:
        match |= Q(phone=phone)
    if first_name and last_name:
        same_name = Q(first_name__iexact=first_name, last_name__iexact=last_name)
        if postcode:
            match |= same_name & Q(postcode=postcode)
        if date_of_birth:
            match |= same_name & Q(date_of_birth=date_of_birth)
    customers = Customer.objects.active().filter(match)
    if exclude_pk is not None:
        customers = customers.exclude(pk=exclude_pk)
    return list(customers.order_by(*SEARCH_ORDER)[:limit])


def customer_detail(customer_id: int) -> Customer:
    """One customer who has not been anonymised (Customer.DoesNotExist otherwise)."""
    return Customer.objects.active().get(pk=customer_id)


# --- Repeat-contact detection ------------------------------------------------------------------


def repeat_window_start(at: datetime) -> datetime:
    """The first moment still inside the repeat-contact window that ends at `at`: the start of
    the Nth working day before `at`'s day (REPEAT_CONTACT_WINDOW_WORKING_DAYS, default 10), so
    weekends, bank holidays and closure days do not count."""
    first_day = calendar().subtract_working_days(local_date(at),
                                                 settings.REPEAT_CONTACT_WINDOW_WORKING_DAYS)
    return timezone.make_aware(datetime.combine(first_day, time.min))


def contact_open_enquiries(customer, at: datetime | None = None) -> QuerySet[Contact]:
    """The customer's contacts received within the repeat window before `at` whose enquiry is
    still open (not One & Done, hand-off not yet resolved), newest first."""
    if customer is None:
        return Contact.objects.none()
    at = at or timezone.now()
    return (Contact.objects.enquiry_open()
            .filter(customer=customer, received_at__gte=repeat_window_start(at), received_at__lt=at)
            .select_related("service", "enquiry_type", "enquiry_type__team")
            .order_by("-received_at", "-pk"))


def contact_repeat_candidates(customer, service, at: datetime | None = None) -> QuerySet[Contact]:
    """Earlier contacts this one may be chasing (DOMAIN.md: "A repeat contact by the same
    customer about the same enquiry within a short window is a strong sign of avoidable contact
    (progress chasing)"): the same customer, the same service, enquiry still open, received
    within the window. Uses the partial index contact_customer_open_idx."""
    return contact_open_enquiries(customer, at).filter(service=service)


def repeat_contacts_on(day: date, user=None) -> QuerySet[Contact]:
    """Repeat contacts received on a day, declared chases and suspected repeats: a manager's or
    admin's view of everyone's, an adviser's or officer's of their own."""
    contacts = Contact.objects.filter(received_date=day).repeat_contacts()
    if user is not None and not has_role(user, Role.MANAGER, Role.ADMIN):
        contacts = contacts.filter(handled_by=user)
    return (contacts.select_related("customer", "service", "enquiry_type", "repeat_of",
                                    "possible_repeat_of", "handled_by")
            .order_by("-received_at", "-pk"))


# --- Reading contacts --------------------------------------------------------------------------


def contacts_for_customer(customer, user) -> QuerySet[Contact]:
    return (contacts_visible_to(user).filter(customer=customer)
            .select_related("service", "enquiry_type", "avoidable_reason")
            .order_by("-received_at", "-pk"))


def contact_detail(user, contact_id: int) -> Contact:
    return (contacts_visible_to(user)
            .select_related("service", "enquiry_type", "customer", "avoidable_reason", "site",
                            "handled_by", "repeat_of", "possible_repeat_of", "sampling_period")
            .get(pk=contact_id))


def contact_list(user) -> QuerySet[Contact]:
    """The contacts a user may list, newest first (filters are the API's FilterSet)."""
    return (contacts_visible_to(user)
            .select_related("service", "enquiry_type", "avoidable_reason", "site")
            .order_by("-received_at", "-pk"))


def sampling_period_on(day: date):
    """The NI14 sampling period running on `day`, if the council measures by samples (periods do
    not overlap: `contacts.services.sampling_period_errors`)."""
    return _SAMPLING_PERIOD.first(day)


# Read for every contact taken: compiled to SQL once per process (core.compiled_query).
_SAMPLING_PERIOD = CompiledQuery(
    lambda day: SamplingPeriod.objects.filter(start_date__lte=day, end_date__gte=day)
    .order_by("start_date", "pk")[:1], date(1, 1, 1))


def customer_messages(customer: Customer) -> QuerySet:
    """The messages sent, or due, to a customer (their 360 page, issue 19), newest first."""
    return (OutboundMessage.objects.filter(recipient_type="contacts.customer",
                                           recipient_id=str(customer.pk))
            .order_by("-created_at", "-pk"))
