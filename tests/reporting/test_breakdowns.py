"""The dashboard reads every table at once (GROUP BY GROUPING SETS on PostgreSQL): the figures
must equal those of one query per table, for any period shape and filter."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reporting import selectors
from tests.reporting.factories import varied_contacts

pytestmark = pytest.mark.django_db
GROUP_BYS = ("month", "service", "channel", "enquiry_type", "reason")


def test_all_tables_at_once_equal_one_query_per_table():
    contacts = varied_contacts(120, seed=7, start=date(2025, 1, 20), days=140)
    service = contacts[0].service
    site = next(c.site for c in contacts if c.site)
    periods = [
        selectors.Filters(date(2025, 1, 1), date(2025, 12, 31)),  # whole months only
        selectors.Filters(date(2025, 1, 25), date(2025, 5, 10)),  # part months at both ends
        selectors.Filters(date(2025, 3, 3), date(2025, 3, 17)),  # inside one month
        selectors.Filters(date(2025, 1, 1), date(2025, 12, 31), service=service),
        selectors.Filters(date(2025, 1, 1), date(2025, 12, 31), channel=contacts[0].channel),
        selectors.Filters(date(2025, 1, 1), date(2025, 12, 31), site=site),
        selectors.Filters(date(2030, 1, 1), date(2030, 2, 1)),  # nothing in the period
    ]
    for filters in periods:
        headline, tables = selectors.breakdowns(filters, GROUP_BYS)
        assert headline == selectors.headline(filters), filters
        for group_by in GROUP_BYS:
            assert tables[group_by] == selectors.breakdown(filters, group_by), (filters, group_by)
    assert selectors.breakdowns(periods[0], GROUP_BYS)[0]["total_contacts"] == len(contacts)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="GROUPING SETS is PostgreSQL's")
def test_one_query_per_part_of_the_period_on_postgresql():
    varied_contacts(30, seed=3, start=date(2025, 1, 20), days=100)
    filters = selectors.Filters(date(2025, 1, 25), date(2025, 5, 10))  # three parts
    with CaptureQueriesContext(connection) as queries:
        selectors.breakdowns(filters, ("month", "channel"))  # channel labels need no query
    assert len(queries) == 3
