"""The NI14 dashboard, its drill-down and CSV exports, for managers and admins only."""

import csv
import io
from datetime import date

import pytest

from contacts.models import Contact
from core.roles import Role
from tests.reporting.factories import varied_contacts

pytestmark = pytest.mark.django_db
PERIOD = {"date_from": "2025-01-01", "date_to": "2025-12-31"}


@pytest.fixture
def data():
    return varied_contacts(90, start=date(2025, 1, 5), days=150)


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.mark.parametrize("role", [Role.MANAGER, Role.ADMIN])
def test_dashboard_shows_exact_figures(client_for, data, role):
    res = client_for(role).get("/reports/", PERIOD)
    assert res.status_code == 200
    qs = Contact.objects.filter(received_date__year=2025)
    head = res.context["headline"]
    assert head["total_contacts"] == qs.count()
    assert head["avoidable_contacts"] == qs.filter(avoidable=True).count()
    assert head["first_contact_resolution_percent"] == round(
        100 * qs.filter(resolved_at_first_contact=True).count() / qs.count(), 1)
    body = res.content.decode()
    assert "chart.umd.min.js" in body and "reporting/charts.js" in body
    assert 'id="chart-trend-data" type="application/json"' in body
    for name in ("trend", "service", "channel", "enquiry_type", "reason"):
        assert f'id="table-{name}"' in body
    # The sub-navigation links every report page, keeping the period.
    for url in ("/reports/channels/", "/reports/complaints/", "/reports/handoffs/", "/reports/joined-up/"):
        assert f'href="{url}?date_from=2025-01-01&amp;date_to=2025-12-31"' in body
    assert 'aria-current="page"' in body


REPORT_URLS = ["/reports/", "/reports/channels/", "/reports/complaints/", "/reports/handoffs/",
               "/reports/joined-up/", "/reports/contacts/"]


@pytest.mark.parametrize("role", [Role.ADVISER, Role.BACK_OFFICE, Role.COMPLAINTS_OFFICER,
                                  Role.SOCIAL_CARE_COMPLAINTS, Role.LEGAL, None])
@pytest.mark.parametrize("url", REPORT_URLS)
def test_other_roles_are_refused(client_for, db, role, url):
    assert client_for(role).get(url).status_code == 403
    assert client_for(role).get(url, {"format": "csv", "table": "service"}).status_code == 403


@pytest.mark.parametrize("role", [Role.MANAGER, Role.ADMIN])
@pytest.mark.parametrize("url", REPORT_URLS)
def test_managers_and_admins_see_every_page(client_for, db, role, url):
    assert client_for(role).get(url).status_code == 200


@pytest.mark.parametrize("url", REPORT_URLS[:-1])
def test_anonymous_visitors_are_sent_to_sign_in(client, db, url):
    res = client.get(url)
    assert res.status_code == 302 and "login" in res["Location"]


def test_filters_narrow_every_figure(client_for, data):
    service = data[0].service
    res = client_for(Role.MANAGER).get("/reports/", {**PERIOD, "service": service.code,
                                                    "channel": "web"})
    qs = Contact.objects.filter(received_date__year=2025, service=service, channel="web")
    assert res.context["headline"]["total_contacts"] == qs.count()
    enquiry_rows = res.context["tables"]["enquiry_type"].rows
    assert sum(row[1].text for row in enquiry_rows) == qs.count()


def test_breakdowns_by_service_and_enquiry_type_equal_recounts(client_for, data):
    res = client_for(Role.MANAGER).get("/reports/", PERIOD)
    qs = Contact.objects.filter(received_date__year=2025)
    for row in res.context["tables"]["service"].rows:
        sub = qs.filter(service__name=row[0].text)
        assert (row[1].text, row[2].text, row[4].text) == (
            sub.count(), sub.filter(avoidable=True).count(),
            sub.filter(resolved_at_first_contact=True).count())
    assert sum(r[1].text for r in res.context["tables"]["enquiry_type"].rows) == qs.count()
    assert sum(r[1].text for r in res.context["tables"]["reason"].rows) == \
        qs.filter(avoidable=True).count()


def test_every_drill_down_link_lists_exactly_the_counted_contacts(client_for, data):
    client = client_for(Role.MANAGER)
    res = client.get("/reports/", PERIOD)
    checked = 0
    for name in ("trend", "service", "channel", "enquiry_type", "reason"):
        for row in res.context["tables"][name].rows:
            for cell in row:
                if cell.href:
                    page = client.get(cell.href)
                    assert page.status_code == 200
                    assert page.context["page"].paginator.count == cell.text, (name, cell.href)
                    checked += 1
    assert checked > 20


def test_drill_down_links_to_customer_pages(client_for, data):
    customer_contact = Contact.objects.filter(received_date__year=2025).first()
    from tests.factories import CustomerFactory
    customer_contact.customer = CustomerFactory()
    customer_contact.save()
    res = client_for(Role.MANAGER).get("/reports/contacts/", PERIOD)
    assert f"/contacts/customers/{customer_contact.customer_id}/" in res.content.decode()


def test_cost_and_what_if(client_for, data):
    from core.models import Channel
    res = client_for(Role.MANAGER).get("/reports/channels/", {**PERIOD, "shift": "50"})
    costs = res.context["costs"]
    unit = dict(Channel.objects.values_list("code", "unit_cost"))
    qs = Contact.objects.filter(received_date__year=2025)
    expected_total = sum(unit.get(c.channel, 0) for c in qs)
    assert costs["total"] == expected_total
    expected_saving = sum(
        (qs.filter(channel=ch).count() * 50 // 100) * (unit.get(ch, 0) - unit.get("web", 0))
        for ch in ("face_to_face", "telephone"))
    assert costs["saving"] == expected_saving


def test_csv_export_of_each_table(client_for, data):
    client = client_for(Role.MANAGER)
    res = client.get("/reports/", {**PERIOD, "format": "csv", "table": "service"})
    assert res.status_code == 200 and res["Content-Type"].startswith("text/csv")
    rows = _csv(res)
    assert rows[0][:4] == ["Service", "Contacts", "Avoidable", "NI14 %"]
    assert sum(int(r[1]) for r in rows[1:]) == Contact.objects.filter(received_date__year=2025).count()
    for name in ("trend", "channel", "enquiry_type", "reason"):
        assert client.get("/reports/", {**PERIOD, "format": "csv", "table": name}).status_code == 200
    for name in ("channel_mix", "channel_shift", "cost"):
        res = client.get("/reports/channels/", {**PERIOD, "format": "csv", "table": name})
        assert res.status_code == 200
    assert client.get("/reports/", {"format": "csv", "table": "nope"}).status_code == 404


def test_csv_cells_cannot_inject_formulas(client_for, db):
    from tests.factories import ContactFactory, ServiceFactory
    ContactFactory(service=ServiceFactory(name="=HYPERLINK(\"http://x\")"), customer=None)
    res = client_for(Role.MANAGER).get("/reports/", {"format": "csv", "table": "service"})
    assert _csv(res)[1][0].startswith("'=")


def test_nav_and_attention_hooks(make_user, data):
    from django.apps import apps
    config = apps.get_app_config("reporting")
    assert [i.label for i in config.nav_items(make_user(Role.MANAGER))] == ["Reports"]
    assert config.nav_items(make_user(Role.ADVISER)) == []
    items = config.attention_items(make_user(Role.MANAGER))
    assert items and items[0].label == "Avoidable contacts this month"
    assert config.attention_items(make_user(Role.ADVISER)) == []


@pytest.mark.parametrize("start,end", [
    ("2025-01-17", "2025-04-09"),  # part month, two whole months, part month
    ("2025-02-01", "2025-03-31"),  # whole months only
    ("2025-02-03", "2025-02-20"),  # inside one month
    ("2025-01-31", "2025-03-01"),  # one day, a whole month, one day
])
def test_periods_cut_across_months_equal_recounts(client_for, data, start, end):
    """Whole months come from the monthly rows and the days around them from the daily rows:
    every figure still equals a recount of the contacts in exactly that period."""
    from reporting.selectors import Filters, summary_parts

    parts = summary_parts(Filters(date.fromisoformat(start), date.fromisoformat(end)))
    assert parts[0][1] == date.fromisoformat(start) and parts[-1][2] == date.fromisoformat(end)
    client = client_for(Role.MANAGER)
    res = client.get("/reports/", {"date_from": start, "date_to": end})
    qs = Contact.objects.filter(received_date__gte=start, received_date__lte=end)
    assert qs.count() > 0
    head = res.context["headline"]
    assert (head["total_contacts"], head["avoidable_contacts"], head["fcr_contacts"]) == (
        qs.count(), qs.filter(avoidable=True).count(), qs.filter(resolved_at_first_contact=True).count())
    tables = res.context["tables"]
    for row in tables["service"].rows:
        sub = qs.filter(service__name=row[0].text)
        assert (row[1].text, row[2].text, row[4].text) == (
            sub.count(), sub.filter(avoidable=True).count(),
            sub.filter(resolved_at_first_contact=True).count())
    months = {}
    for c in qs:
        months[c.received_date.strftime("%B %Y")] = months.get(c.received_date.strftime("%B %Y"), 0) + 1
    assert {r[0].text: r[1].text for r in tables["trend"].rows} == months
    assert sum(r[1].text for r in tables["reason"].rows) == qs.filter(avoidable=True).count()
    channels = client.get("/reports/channels/", {"date_from": start, "date_to": end})
    assert sum(r[-1].text for r in channels.context["tables"]["channel_mix"].rows) == qs.count()
    assert channels.context["costs"]["rows"] and sum(
        r["contacts"] for r in channels.context["costs"]["rows"]) == qs.count()


@pytest.mark.parametrize("url", [*REPORT_URLS, "/reports/contacts/"])
def test_a_bad_filter_date_is_named_in_the_error_summary_not_a_500(client_for, db, url):
    res = client_for(Role.MANAGER).get(url, {"date_from": "2026-13-01"})
    assert res.status_code in (200, 400)
    body = res.content.decode()
    assert "govuk-error-summary" in body
    # The GOV.UK date input: the summary links to its day box, in the Design System's words.
    assert '<a href="#id_date_from_day">The start date must be a real date.</a>' in body
