"""Customer search, duplicate warnings and repeat-contact detection."""

from datetime import datetime

import pytest
from django.db import connection
from django.utils import timezone

from contacts.selectors import (
    SEARCH_LIMIT,
    contact_open_enquiries,
    contact_repeat_candidates,
    customer_possible_duplicates,
    customer_search,
)
from contacts.services import contact_enquiry_close
from tests.factories import ContactFactory, CustomerFactory


@pytest.fixture
def people(db):
    return {
        "jane": CustomerFactory(first_name="Jane", last_name="Smith", postcode="OL6 6AB",
                                phone="07700900123", email="jane.smith@example.com",
                                uprn="100012345678"),
        "john": CustomerFactory(first_name="John", last_name="Smithson", postcode="OL6 7XY",
                                phone="01613428355", email="jsmithson@example.org",
                                uprn="100012345679"),
        "amir": CustomerFactory(first_name="Amir", last_name="Khan", postcode="SK14 1AA",
                                phone="07700900999", email="amir@example.net", uprn="100099999999"),
        "gone": CustomerFactory(first_name="Jane", last_name="Smith", postcode="OL6 6AB",
                                phone="07700900555", email="old@example.com",
                                anonymised_at=timezone.now()),
    }


def _found(query):
    return [c.first_name + " " + c.last_name for c in customer_search(query)]


@pytest.mark.parametrize("query, expected", [
    ("smith", ["Jane Smith", "John Smithson"]),
    ("Jane Smith", ["Jane Smith"]),
    ("smith jane", ["Jane Smith"]),
    ("jo smi", ["John Smithson"]),
    ("KHAN", ["Amir Khan"]),
    ("OL6 6AB", ["Jane Smith"]),
    ("ol66ab", ["Jane Smith"]),
    ("ol6", ["Jane Smith", "John Smithson"]),
    ("SK14", ["Amir Khan"]),
    ("07700 900123", ["Jane Smith"]),
    ("+44 7700 900123", ["Jane Smith"]),
    ("0161-342-8355", ["John Smithson"]),
    ("100012345679", ["John Smithson"]),
    ("Jane.Smith@example.com", ["Jane Smith"]),
    ("amir@", ["Amir Khan"]),
    ("jsmithson", ["John Smithson"]),
    ("nobody", []),
    ("a", []),
])
def test_customer_search_finds_by_name_postcode_phone_email_and_uprn(people, query, expected):
    assert sorted(_found(query)) == sorted(expected)


def test_customer_search_never_finds_anonymised_customers(people):
    assert "old@example.com" not in [c.email for c in customer_search("jane smith")]
    assert list(customer_search("07700900555")) == []


def test_customer_search_treats_like_wildcards_as_text(people):
    assert _found("%mit%") == [] and _found("_ane") == []


@pytest.mark.django_db
def test_name_search_uses_the_trigram_index_on_postgresql(people):
    if connection.vendor != "postgresql":
        pytest.skip("the trigram indexes are PostgreSQL's; SQLite searches unindexed")
    with connection.cursor() as cursor:
        # A handful of rows would be read whole: make the planner show what it does on a big table.
        cursor.execute("SET enable_seqscan = off; SET enable_indexscan = off")
        try:
            for query, index in [("smith", "customer_name_trgm_idx"),
                                 ("jane.smith@example.com", "customer_email_trgm_idx")]:
                sql, params = customer_search(query).query.sql_with_params()
                cursor.execute("EXPLAIN " + sql, params)
                plan = "\n".join(row[0] for row in cursor.fetchall())
                assert index in plan, plan
        finally:
            cursor.execute("SET enable_seqscan = on; SET enable_indexscan = on")


@pytest.fixture
def smiths(db):
    for first, last in [("Zoe", "Smith"), ("Adam", "Smithson"), ("Ann", "Goldsmith"), ("Bob", "SMITH"),
                        ("Jane", "Arkwright-Smith"), ("Janet", "Smith"), ("Jane", "Smith"),
                        ("Carol", "Jones")]:
        CustomerFactory(first_name=first, last_name=last, email="")


@pytest.mark.parametrize("limit", [SEARCH_LIMIT + 1, None])
def test_name_search_lists_exact_matches_first_then_looser_ones(smiths, limit):
    """Issue 9: the exact surname (any case) before names that only contain it, each group by
    surname then first name; "first last" exactly before the looser matches. The same order
    whether the search is bounded (the pages) or lists every match (the API)."""
    def found(query):
        return [c.first_name + " " + c.last_name for c in customer_search(query, limit=limit)]
    assert found("smith") == ["Bob SMITH", "Jane Smith", "Janet Smith", "Zoe Smith",
                              "Jane Arkwright-Smith", "Ann Goldsmith", "Adam Smithson"]
    assert found("Jane Smith") == ["Jane Smith", "Jane Arkwright-Smith", "Janet Smith"]
    assert found("smith jane") == ["Jane Arkwright-Smith", "Jane Smith", "Janet Smith"]


def test_name_search_stops_at_its_limit_in_order(smiths):
    assert [c.first_name for c in customer_search("smith", limit=3)] == ["Bob", "Jane", "Janet"]
    assert [c.last_name for c in customer_search("smith", limit=5)][-1] == "Arkwright-Smith"
    assert [c.first_name for c in customer_search("smith")[1:3]] == ["Jane", "Janet"]
    assert customer_search("smith").count() == 7


@pytest.mark.django_db
def test_surname_page_is_an_ordered_scan_of_the_name_index_on_postgresql(smiths):
    """Issue 9: a page of a common surname reads the first rows of customer_name_order_idx in
    order (no Sort of every Smith), and the looser trigram part is planned after it, to run
    only when the exact matches are fewer than the page."""
    if connection.vendor != "postgresql":
        pytest.skip("the name index is PostgreSQL's; SQLite searches unindexed")
    with connection.cursor() as cursor:
        # A handful of rows would be read whole: make the planner show what it does on a big table.
        cursor.execute("SET enable_seqscan = off; SET enable_bitmapscan = off")
        try:
            sql, params = customer_search("smith")[:50].query.sql_with_params()
            cursor.execute("EXPLAIN " + sql, params)
            plan = [row[0] for row in cursor.fetchall()]
        finally:
            cursor.execute("SET enable_seqscan = on; SET enable_bitmapscan = on")
    text = "\n".join(plan)
    assert plan[0].startswith("Limit") and "Append" in plan[1] and "Sort" not in plan[1], text
    exact = text.split("*SELECT* 2")[0]
    assert "Index Scan using customer_name_order_idx" in exact or (
        "Index Only Scan using customer_name_order_idx" in exact), text
    assert "Sort" not in exact, text


def test_duplicates_by_email_phone_or_name_with_postcode_or_birth_date(people):
    jane, john = people["jane"], people["john"]
    jane.date_of_birth = datetime(1980, 3, 27).date()
    jane.save()
    assert customer_possible_duplicates(first_name="X", last_name="Y",
                                        email="JANE.SMITH@example.com") == [jane]
    assert customer_possible_duplicates(first_name="X", last_name="Y",
                                        phone="0161 342 8355") == [john]
    assert customer_possible_duplicates(first_name="jane", last_name="SMITH",
                                        postcode="ol66ab") == [jane]
    assert customer_possible_duplicates(first_name="Jane", last_name="Smith",
                                        date_of_birth=jane.date_of_birth) == [jane]
    # The same name alone is flagged too, as a possible duplicate (issue 20: "the same name with
    # a different postcode and date of birth is not flagged at all"); the adviser decides.
    assert customer_possible_duplicates(first_name="Jane", last_name="Smith",
                                        postcode="M1 1AE") == [jane]
    assert customer_possible_duplicates(first_name="Jane", last_name="Smyth", email="",
                                        phone="") == []


def _at(day: str, hour: int = 10):
    return timezone.make_aware(datetime.fromisoformat(f"{day}T{hour:02d}:00"))


def _log(catalogue, customer, at, enquiry_type="missed_bin"):
    """A contact as stored: One & Done closes its enquiry when received, a hand-off does not."""
    one_and_done = catalogue[enquiry_type].handoff_method == "one_and_done"
    return ContactFactory(channel="telephone", service=catalogue["waste"],
                          enquiry_type=catalogue[enquiry_type], customer=customer,
                          summary="Bin missed again.", received_at=at,
                          enquiry_closed_at=at if one_and_done else None)


@pytest.mark.django_db
def test_repeat_window_counts_working_days_across_easter_bank_holidays(catalogue, settings):
    settings.REPEAT_CONTACT_WINDOW_WORKING_DAYS = 10
    customer = CustomerFactory()
    # Ten working days before Tuesday 29 April 2025 reach back to Friday 11 April: Good Friday
    # (18th) and Easter Monday (21st) are bank holidays, weekends do not count.
    inside = _log(catalogue, customer, _at("2025-04-11", 9))
    _log(catalogue, customer, _at("2025-04-10", 16))  # eleven working days before: outside
    now = _at("2025-04-29", 11)
    assert list(contact_repeat_candidates(customer, catalogue["waste"], now)) == [inside]


@pytest.mark.django_db
def test_repeat_window_follows_the_setting(catalogue, settings):
    customer = CustomerFactory()
    earlier = _log(catalogue, customer, _at("2025-04-24", 9))  # Thursday
    now = _at("2025-04-29", 11)  # Tuesday: three working days later
    settings.REPEAT_CONTACT_WINDOW_WORKING_DAYS = 3
    assert list(contact_repeat_candidates(customer, catalogue["waste"], now)) == [earlier]
    settings.REPEAT_CONTACT_WINDOW_WORKING_DAYS = 2
    assert list(contact_repeat_candidates(customer, catalogue["waste"], now)) == []


@pytest.mark.django_db
def test_closed_enquiries_other_services_and_other_customers_are_not_repeats(catalogue):
    customer = CustomerFactory()
    one_and_done = _log(catalogue, customer, _at("2025-04-22"), enquiry_type="collection_days")
    assert one_and_done.enquiry_closed_at is not None  # One & Done closes at once
    resolved = _log(catalogue, customer, _at("2025-04-23"))
    contact_enquiry_close(contact=resolved, at=_at("2025-04-24"))
    still_open = _log(catalogue, customer, _at("2025-04-24"))
    ContactFactory(customer=customer, service=catalogue["council_tax"],
                   enquiry_type=catalogue["balance"], received_at=_at("2025-04-25"),
                   enquiry_closed_at=None)
    _log(catalogue, CustomerFactory(), _at("2025-04-25"))
    now = _at("2025-04-29")
    assert list(contact_repeat_candidates(customer, catalogue["waste"], now)) == [still_open]
    assert len(contact_open_enquiries(customer, now)) == 2  # waste and council tax
    assert list(contact_repeat_candidates(None, catalogue["waste"], now)) == []


@pytest.mark.django_db
def test_a_contact_is_not_a_repeat_of_itself_or_of_later_ones(catalogue):
    customer = CustomerFactory()
    first = _log(catalogue, customer, _at("2025-04-24"))
    _log(catalogue, customer, _at("2025-04-25"))
    assert list(contact_repeat_candidates(customer, catalogue["waste"], first.received_at)) == []


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["Buckley", "grace buckley", "buck", "SK15 9ZQ", "sk15", "07700 800",
                                   "grace@example"])
def test_the_ids_a_work_list_filters_on_are_the_searchs_own_in_its_order(query):
    """`customer_ids_matching` (the work lists' search) reads ids alone, and they are exactly the
    customers `customer_search` lists, in its order, within the limit."""
    from contacts.selectors import customer_ids_matching

    for n, first in enumerate(["Grace", "Arthur", "Graham", "Bea"]):
        CustomerFactory(first_name=first, last_name="Buckley", postcode="SK15 9ZQ",
                        phone=f"0770080010{n}", email=f"{first.lower()}@example.org")
    CustomerFactory(first_name="Grace", last_name="Buckingham", postcode="SK15 9ZR")
    CustomerFactory(first_name="Sam", last_name="Jones", postcode="OL6 6AB")
    expected = [customer.pk for customer in customer_search(query, limit=3)]
    assert expected  # every query finds someone
    assert customer_ids_matching(query, limit=3) == expected
