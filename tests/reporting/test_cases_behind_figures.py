"""Reports you can act on (issue 20, item 6): each complaints and hand-offs headline figure clicks
through to its cases, every list has its CSV (case numbers and facts, no names), the NI14
drill-down has its CSV, and every report and insight page shares one sub-navigation."""

import csv
import io
import re
from datetime import date

import pytest

from core.models import HandoffMethod
from core.roles import Role
from tests.complaints.factories import at as complaint_at
from tests.complaints.factories import complaint, walk
from tests.factories import CustomerFactory
from tests.handoffs.factories import at as handoff_at
from tests.handoffs.factories import open_handoff
from tests.reporting.factories import varied_contacts

pytestmark = pytest.mark.django_db
PERIOD = {"date_from": "2025-01-01", "date_to": "2025-12-31"}
OTHERS = [Role.ADVISER, Role.BACK_OFFICE, Role.COMPLAINTS_OFFICER, Role.SOCIAL_CARE_COMPLAINTS, Role.LEGAL]


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def _first_column(page: str, table: str) -> list[str]:
    body = page[page.index(f'id="table-{table}"') :]
    body = body[: body.index("</table>")]
    return re.findall(
        r'<th scope="row" class="govuk-table__header"><a class="govuk-link" href="[^"]+">([^<]+)</a>', body
    )


@pytest.fixture
def complaints():
    in_period = complaint(
        received_at=complaint_at("2025-03-03"),
        customer=CustomerFactory(first_name="Zebedee", last_name="Quill"),
    )
    walk(in_period, ["allocate"], at_times=[complaint_at("2025-03-04")])
    before = complaint(received_at=complaint_at("2024-06-03"))
    walk(before, ["allocate"], at_times=[complaint_at("2024-06-04")])
    answered = complaint(received_at=complaint_at("2025-05-05"))
    walk(
        answered,
        ["allocate", "respond", "close"],
        at_times=[complaint_at("2025-05-06"), complaint_at("2025-05-07"), complaint_at("2025-05-08")],
    )
    return {"in_period": in_period.reference, "before": before.reference, "answered": answered.reference}


@pytest.mark.parametrize("role", [Role.MANAGER, Role.ADMIN])
def test_complaints_figures_click_through_to_their_cases_and_csv(client_for, complaints, role):
    client = client_for(role)
    report = client.get("/reports/complaints/", PERIOD).content.decode()
    received_link = re.search(r'href="(/reports/complaints/cases/\?[^"]*figure=received)">(\d+)', report)
    assert received_link and received_link.group(2) == "2"
    page = client.get(received_link.group(1).replace("&amp;", "&")).content.decode()
    assert sorted(_first_column(page, "received")) == sorted(
        [complaints["in_period"], complaints["answered"]]
    )
    # Overdue now: the two allocated long ago and not answered, whenever received.
    overdue = client.get("/reports/complaints/cases/", {**PERIOD, "figure": "overdue"}).content.decode()
    assert sorted(_first_column(overdue, "overdue")) == sorted(
        [complaints["in_period"], complaints["before"]]
    )
    rows = _csv(client.get("/reports/complaints/cases/", {**PERIOD, "figure": "overdue", "format": "csv"}))
    assert rows[0] == ["Reference", "Received", "Service", "Process", "Stage", "Status", "Due"]
    assert sorted(row[0] for row in rows[1:]) == sorted([complaints["in_period"], complaints["before"]])
    assert "Zebedee" not in str(rows) and "Quill" not in str(rows)


@pytest.fixture
def handoffs():
    in_period = open_handoff(received_at=handoff_at("2025-03-03"))
    before = open_handoff(received_at=handoff_at("2024-06-03"))
    advocate = open_handoff(method=HandoffMethod.CUSTOMER_ADVOCATE, received_at=handoff_at("2025-04-01"))
    return {"in_period": in_period.pk, "before": before.pk, "advocate": advocate.pk}


def test_handoff_figures_click_through_to_their_cases_and_csv(client_for, handoffs):
    client = client_for(Role.MANAGER)
    report = client.get("/reports/handoffs/", PERIOD).content.decode()
    opened = re.search(r'href="(/reports/handoffs/cases/\?[^"]*figure=opened)">(\d+)', report)
    assert opened and opened.group(2) == "2"
    page = client.get(opened.group(1).replace("&amp;", "&")).content.decode()
    assert sorted(_first_column(page, "opened")) == sorted(
        [str(handoffs["in_period"]), str(handoffs["advocate"])]
    )
    overdue = _csv(client.get("/reports/handoffs/cases/", {**PERIOD, "figure": "overdue", "format": "csv"}))
    assert sorted(int(row[0]) for row in overdue[1:]) == sorted(handoffs.values())
    advocate = _csv(
        client.get("/reports/handoffs/cases/", {**PERIOD, "figure": "advocate_open", "format": "csv"})
    )
    assert [int(row[0]) for row in advocate[1:]] == [handoffs["advocate"]]
    assert 'figure=advocate_overdue">1<' in report


@pytest.mark.parametrize("role", OTHERS)
@pytest.mark.parametrize(
    "url", ["/reports/complaints/cases/", "/reports/handoffs/cases/", "/reports/contacts/"]
)
def test_case_lists_and_their_csv_are_refused_to_other_roles(client_for, role, url):
    client = client_for(role)
    assert client.get(url, PERIOD).status_code == 403
    assert client.get(url, {**PERIOD, "format": "csv"}).status_code == 403


def test_unknown_figure_is_not_found(client_for):
    assert (
        client_for(Role.MANAGER).get("/reports/complaints/cases/", {"figure": "nonsense"}).status_code == 404
    )


def test_ni14_drill_down_has_csv_of_all_its_contacts_without_names(client_for):
    contacts = varied_contacts(60, start=date(2025, 1, 5), days=100)
    avoidable = sorted(c.pk for c in contacts if c.avoidable and c.received_date.year == 2025)
    client = client_for(Role.MANAGER)
    page = client.get("/reports/contacts/", {**PERIOD, "avoidable": "yes"}).content.decode()
    assert "Download these contacts as CSV" in page
    rows = _csv(client.get("/reports/contacts/", {**PERIOD, "avoidable": "yes", "format": "csv"}))
    assert rows[0][:3] == ["Contact number", "Received", "Customer number"]
    assert sorted(int(row[0]) for row in rows[1:]) == avoidable  # all of them, not a page of 50
    names = {c.customer.last_name for c in contacts if c.customer}
    assert not any(name in str(rows) for name in names)


def _nav(page: str) -> list[tuple[str, str]]:
    nav = page[page.index('aria-label="Reports"') :]
    nav = nav[: nav.index("</nav>")]
    return [
        (href.split("?")[0], label)
        for href, label in re.findall(r'href="([^"]+)"(?: aria-current="page")?>([^<]+)</a>', nav)
    ]


def test_every_report_and_insight_page_shares_one_sub_navigation(client_for):
    client = client_for(Role.MANAGER)
    pages = [
        "/reports/",
        "/reports/channels/",
        "/reports/complaints/",
        "/reports/handoffs/",
        "/reports/joined-up/",
        "/reports/annual/",
        "/insight/",
        "/insight/journeys/",
        "/insight/services-together/",
    ]
    navs = {url: _nav(client.get(url).content.decode()) for url in pages}
    first = navs["/reports/"]
    assert [href for href, _ in first] == pages
    assert all(nav == first for nav in navs.values()), navs
