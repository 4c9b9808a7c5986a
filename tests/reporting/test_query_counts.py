"""Each report page runs a fixed, small number of queries, whatever the volume of data: the
figures come from summary rows and GROUP BYs, never a query per row."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.roles import Role
from tests.factories import ServiceFactory
from tests.reporting.factories import varied_complaints, varied_contacts, varied_handoffs

pytestmark = pytest.mark.django_db
# Part months at both ends: whole months from the monthly rows, the days around them from the daily.
PERIOD = {"date_from": "2025-01-15", "date_to": "2025-11-20"}
# Page: the most queries it may run (session and user, filter choices, then the figures).
LIMITS = {
    "/reports/": 13,  # one read of the summary rows per part of the period, and the labels
    "/reports/channels/": 11,
    "/reports/complaints/": 11,
    "/reports/handoffs/": 6,
    "/reports/joined-up/": 10,
    "/reports/contacts/": 5,
}


def _load(seed: int, make_user):
    contacts = varied_contacts(40, seed=seed, start=date(2025, 2, 1), days=100)
    varied_handoffs(contacts, seed=seed)
    services = sorted({c.service for c in contacts}, key=lambda s: s.pk) + [ServiceFactory()]
    varied_complaints(services, make_user(Role.COMPLAINTS_OFFICER), n=15, seed=seed)


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, PERIOD).status_code == 200
    return len(ctx.captured_queries)


def test_query_counts_are_bounded_and_do_not_grow_with_data(client_for, make_user,
                                                             django_assert_max_num_queries):
    client = client_for(Role.MANAGER)
    _load(1, make_user)
    before = {url: _count(client, url) for url in LIMITS}
    _load(2, make_user)  # more services, teams, contacts, hand-offs, complaints and stages
    for url, limit in LIMITS.items():
        with django_assert_max_num_queries(limit):
            assert client.get(url, PERIOD).status_code == 200
        assert _count(client, url) == before[url], url
