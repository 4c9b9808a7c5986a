"""Every list page runs a fixed number of queries whatever its length (issue 23): the rows are read
with what they show, never a query per row. Each page is counted with a few rows and again with
several times as many; the counts must be equal. (The team queue is counted in
tests/handoffs/test_views.py, the report pages in tests/reporting/test_query_counts.py.)"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.roles import Role
from tests.complaints.factories import complaint
from tests.factories import ContactFactory, CustomerFactory
from tests.handoffs.factories import CA, open_handoff

pytestmark = pytest.mark.django_db


def _queries(client, url, rows, expected) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    assert len(rows(response.context)) == expected, url  # the page lists every row
    return len(captured)


def _same_count(client, url, add_rows, rows, few=2, more=9) -> None:
    add_rows(few)
    client.get(url)  # the per-process caches (catalogue, calendar) warmed as in service
    before = _queries(client, url, rows, few)
    add_rows(more)
    assert _queries(client, url, rows, few + more) == before, url


def _page(context):
    return context["page"].object_list


def test_customer_search_page(client_for):
    client = client_for(Role.ADVISER)
    _same_count(client, "/contacts/customers/?q=Grainger",
                lambda n: [CustomerFactory(last_name="Grainger") for _ in range(n)], _page)


def test_advocate_list_page(client_for):
    client = client_for(Role.ADVISER)
    _same_count(client, "/handoffs/advocate/",
                lambda n: [open_handoff(method=CA, adviser=client.user) for _ in range(n)], _page)


def test_repeat_contacts_page(client_for):
    client = client_for(Role.MANAGER)
    now = timezone.now()

    def add(n):
        for i in range(n):
            first = open_handoff(customer=CustomerFactory())
            ContactFactory(customer=first.contact.customer, service=first.contact.service,
                           received_at=now - timedelta(minutes=i + 1),
                           **{"repeat_of" if i % 2 else "possible_repeat_of": first.contact})

    _same_count(client, "/contacts/repeats/", add, lambda context: list(context["contacts"]))


def test_complaints_register_page(client_for):
    client = client_for(Role.COMPLAINTS_OFFICER)
    _same_count(client, "/complaints/", lambda n: [complaint() for _ in range(n)],
                lambda context: context["rows"])


def test_the_capped_count_is_unordered_and_stops_at_the_cap(client_for):
    """Counting a list sorted by status must not sort it: the count query has no ORDER BY (at
    390,000 open hand-offs the ordered count sorted them all, 0.27 s of the page). The count is
    still exact up to the cap and says "more" beyond it."""
    from core.worklists import CountedPaginator
    from handoffs.models import Handoff

    for _ in range(4):
        open_handoff()
    queryset = Handoff.objects.order_by("status", "due_date", "pk")
    paginator = CountedPaginator(queryset, per_page=2, cap=3)
    with CaptureQueriesContext(connection) as captured:
        assert (paginator.count, paginator.capped, paginator.num_pages) == (3, True, 2)
    [count_query] = [query["sql"] for query in captured]
    assert "COUNT(" in count_query.upper() and "ORDER BY" not in count_query.upper()
    assert (CountedPaginator(queryset, per_page=2, cap=10).count,
            CountedPaginator(queryset, per_page=2, cap=10).capped) == (4, False)


def test_a_deep_page_reads_its_ids_first_and_shows_the_same_rows_in_the_same_order(monkeypatch):
    """Past DEFERRED_JOIN_FROM rows skipped, a page reads the ids of its rows (the sort's index
    alone), then those rows with what they show; the rows and their order are the plain slice's,
    and reading what the page shows costs no further query."""
    from core import worklists
    from handoffs.models import Handoff

    monkeypatch.setattr(worklists, "DEFERRED_JOIN_FROM", 5)
    for _ in range(12):
        open_handoff()
    queryset = Handoff.objects.select_related("contact__customer", "team").order_by("-due_date", "-pk")
    paginator = worklists.CountedPaginator(queryset, per_page=5)
    assert paginator.count == 12
    for number, expected in ((1, list(queryset[:5])), (2, list(queryset[5:10])), (3, list(queryset[10:12]))):
        with CaptureQueriesContext(connection) as captured:
            page = paginator.page(number)
            shown = [(row.pk, row.contact.customer.last_name, row.team.name) for row in page.object_list]
        assert shown == [(row.pk, row.contact.customer.last_name, row.team.name) for row in expected]
        # Page 1 is read as one query; deeper pages as ids, then rows.
        assert len(captured) == (1 if number == 1 else 2), [q["sql"] for q in captured]
    values_page = worklists.CountedPaginator(Handoff.objects.order_by("pk").values("pk"), per_page=5).page(3)
    assert list(values_page.object_list) == list(Handoff.objects.order_by("pk").values("pk")[10:12])
