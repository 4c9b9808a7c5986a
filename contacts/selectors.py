"""Reads of the contacts app: customer search, duplicate warnings, repeat-contact detection,
who sees which contacts."""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Case, CharField, F, Func, Q, QuerySet, Value, When
from django.db.models.functions import Lower
from django.utils import timezone

from contacts import normalise
from contacts.models import Contact, Customer, CustomerMerge, SamplingPeriod
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


def customer_ids_matching(query: str, limit: int = SEARCH_LIMIT) -> list[int]:
    """The ids of the customers a work list's search box finds (issue 20: search the queues and
    registers by name, postcode, phone or UPRN), at most `limit`: one indexed query, whose ids
    the list then filters on."""
    # Their ids alone: a common surname finds a thousand customers, which as model instances
    # cost more than the search.
    return list(customer_search(query, limit=limit).values_list("pk", flat=True))


def customer_possible_duplicates(*, first_name: str = "", last_name: str = "", email: str = "",
                                 phone: str = "", postcode: str = "", date_of_birth=None,
                                 exclude_pk=None, limit: int = 10) -> list[Customer]:
    """Customers who may be the same person as the one about to be created (issue 3, duplicate
    warnings; issue 20, weighed by name, date of birth, postcode, email and phone): those
    `customer_duplicates` finds for these details, likeliest first."""
    probe = Customer(pk=exclude_pk, first_name=first_name, last_name=last_name, email=email,
                     phone=normalise.phone(phone), date_of_birth=date_of_birth,
                     postcode=normalise.postcode(postcode) if postcode else "")
    return [duplicate.customer for duplicate in customer_duplicates(probe, limit=limit)]


# --- One record per person (issue 20, item 3) ------------------------------------------------------

# How much each agreement counts towards "the same person" (name, date of birth, postcode, email,
# phone). Email and phone are nearly personal; a date of birth with the same surname nearly so;
# a shared postcode is a household as often as a duplicate.
DUPLICATE_WEIGHTS = {"email": 40, "phone": 35, "date_of_birth": 25, "postcode": 15, "last_name": 15,
                     "first_name": 15}
DUPLICATE_LIKELY = 60   # shown as "Likely the same person"
DUPLICATE_POSSIBLE = 30  # "Possibly the same person" (the same name alone reaches it)
DUPLICATE_REASONS = {"email": "same email address", "phone": "same phone number",
                     "date_of_birth": "same date of birth", "postcode": "same postcode",
                     "last_name": "same surname", "first_name": "same first name"}


@dataclass(frozen=True)
class Duplicate:
    customer: Customer
    score: int
    agrees: tuple[str, ...]

    @property
    def likely(self) -> bool:
        return self.score >= DUPLICATE_LIKELY

    @property
    def reasons(self) -> str:
        return ", ".join(DUPLICATE_REASONS[name] for name in self.agrees)


def duplicate_score(one, other) -> tuple[int, tuple[str, ...]]:
    """How strongly two sets of details look like one person, and which details agree."""
    def key(customer, name):
        value = getattr(customer, name, None)
        if name in ("first_name", "last_name", "email"):
            return normalise.name(value or "").lower() if name != "email" else normalise.email(value or "")
        if name == "phone":
            return normalise.phone(value or "")
        if name == "postcode":
            return normalise.postcode(value) if value else ""
        return value

    agrees = tuple(name for name in DUPLICATE_WEIGHTS
                   if key(one, name) and key(one, name) == key(other, name))
    return sum(DUPLICATE_WEIGHTS[name] for name in agrees), agrees


def customer_duplicates(customer, *, limit: int = 10) -> list[Duplicate]:
    """Other records that may be the same person (issue 20): candidates sharing an email, a phone
    number, the full name, or the surname with the date of birth or the postcode (one indexed
    query), each weighed by `duplicate_score`; those reaching DUPLICATE_POSSIBLE, likeliest
    first."""
    email, phone = normalise.email(customer.email or ""), normalise.phone(customer.phone or "")
    last, first = (customer.last_name or "").strip(), (customer.first_name or "").strip()
    match = Q(pk__in=[])
    if email:
        match |= Q(email__iexact=email)
    if phone:
        match |= Q(phone=phone)
    if last:
        same_surname = Q(last_key=last.lower())
        match |= same_surname & Q(first_key=first.lower())
        if customer.date_of_birth:
            match |= same_surname & Q(date_of_birth=customer.date_of_birth)
        if customer.postcode:
            match |= same_surname & Q(postcode=customer.postcode)
    candidates = (Customer.objects.active().alias(last_key=Lower("last_name"), first_key=Lower("first_name"))
                  .filter(match).exclude(pk=customer.pk).order_by(*SEARCH_ORDER)[:50])
    found = []
    for candidate in candidates:
        score, agrees = duplicate_score(customer, candidate)
        if score >= DUPLICATE_POSSIBLE:
            found.append(Duplicate(candidate, score, agrees))
    found.sort(key=lambda d: (-d.score, d.customer.last_name, d.customer.first_name, d.customer.pk))
    return found[:limit]


def customer_relations():
    """Every foreign key to Customer in every installed app (through the app registry, so a new
    app's rows are found without a change here), but the merge bookkeeping's own."""
    # include_hidden: a foreign key with related_name="+" points at the customer all the same.
    return [relation for relation in Customer._meta.get_fields(include_hidden=True)
            if relation.auto_created and not relation.concrete
            and (relation.one_to_many or relation.one_to_one)
            and relation.related_model not in (CustomerMerge, Customer)]


def customer_related_rows(customer) -> dict[str, int]:
    """How many rows of each kind point at a customer, by the kind's name ({"contacts": 3}),
    for the merge page."""
    counts = {}
    for relation in customer_relations():
        n = relation.related_model._base_manager.filter(**{relation.field.name: customer}).count()
        if n:
            name = str(relation.related_model._meta.verbose_name_plural)
            counts[name] = counts.get(name, 0) + n
    return counts


def customer_current(customer_id: int) -> Customer | None:
    """Where a customer's id leads now: the record itself, or the record it was merged into
    (following merges of merges), or None when there is no such customer in use."""
    seen = set()
    customer = Customer.objects.filter(pk=customer_id).first()
    while customer is not None and customer.merged_into_id and customer.pk not in seen:
        seen.add(customer.pk)
        customer = Customer.objects.filter(pk=customer.merged_into_id).first()
    if customer is None or customer.anonymised_at is not None or customer.merged_into_id:
        return None
    return customer


def customer_merge_undoable(merge: CustomerMerge, now=None) -> bool:
    now = now or timezone.now()
    return (merge.undone_at is None
            and now - merge.merged_at <= timedelta(days=settings.CUSTOMER_MERGE_UNDO_DAYS))


def customer_merges_of(customer) -> QuerySet[CustomerMerge]:
    """The merges into this customer, newest first (the 360 page offers to undo the recent ones)."""
    return (CustomerMerge.objects.filter(survivor=customer, undone_at__isnull=True)
            .select_related("merged", "merged_by").order_by("-merged_at", "-pk"))


def can_merge_customers(user) -> bool:
    """Merging records (and undoing a merge): managers and admins (issue 20)."""
    return has_role(user, Role.MANAGER, Role.ADMIN)


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
