"""The planning page (issue 22, item 5): managers and admins; the forecast with its chart data and
table, the backtest, the staffing heat maps, the what-if form with GOV.UK errors, and CSV."""

import csv
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.navigation import nav_items
from core.roles import Role
from planning.models import ForecastRun
from planning.services import forecasts_refresh

pytestmark = pytest.mark.django_db
URL = "/planning/"


@pytest.fixture
def planned(generated_small):
    forecasts_refresh()
    return ForecastRun.objects.get()


@pytest.mark.parametrize("role, status", [
    (Role.MANAGER, 200), (Role.ADMIN, 200), (Role.ADVISER, 403), (Role.BACK_OFFICE, 403),
    (Role.COMPLAINTS_OFFICER, 403), (Role.LEGAL, 403),
])
def test_managers_and_admins_only(client_for, role, status):
    assert client_for(role).get(URL).status_code == status


def test_the_menu_offers_planning_to_managers_only(make_user):
    labels = lambda user: [item.label for item in nav_items(user)]  # noqa: E731
    assert "Planning" in labels(make_user(Role.MANAGER))
    assert "Planning" not in labels(make_user(Role.ADVISER))


def test_before_the_first_forecast_the_page_says_so(client_for):
    page = client_for(Role.MANAGER).get(URL)
    assert b"No forecast has been made yet" in page.content
    assert b"refresh_forecasts" in page.content


def test_the_page_shows_the_forecast_backtest_heat_maps_and_what_if(planned, client_for):
    client = client_for(Role.MANAGER)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(URL, {"shift_to_web": 20, "reason": "progress_chasing"})
    assert page.status_code == 200
    assert len(queries) <= 20
    html = page.content.decode()
    # The chart draws the table's figures: one line per channel over the 56 days.
    chart = json.loads(html.split('id="chart-daily-data" type="application/json">')[1].split("</script>")[0])
    daily = page.context["daily"]
    assert len(chart["labels"]) == len(daily.rows) == 56
    telephone = next(d for d in chart["datasets"] if d["label"] == "Telephone")
    column = daily.headers.index("Telephone")
    assert [f"{value:,.0f}" for value in telephone["data"]] == [row[column].text for row in daily.rows]
    assert "How good is the forecast?" in html and 'id="table-backtest"' in html
    # Heat maps: numbers in every cell, shading from the key, a staff-hours total per day.
    for name in ("telephone", "counter", "what_if_telephone", "what_if_counter"):
        assert f'id="table-{name}"' in html
    assert "Key: the darker the cell, the more advisers" in html
    assert 'class="govuk-table__cell govuk-table__cell--numeric nwd-heat nwd-heat--' in html
    assert "would save <strong>" in html and "Moving 20% of telephone and face-to-face contacts" in html


def test_bad_what_if_inputs_show_gov_uk_errors_and_keep_the_forecast(planned, client_for):
    page = client_for(Role.MANAGER).get(URL, {"shrinkage": "90", "shift_to_web": "lots", "reason": "bad_luck",
                                              "hour_cost": "-3", "telephone_answer_seconds": "0"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "There is a problem" in html and "<title>Error: " in html
    for message, field in [
        ("Shrinkage must be a whole number from 0% to 80%.", "id_shrinkage"),
        ("The share moved to the web must be a whole number from 0% to 100%.", "id_shift_to_web"),
        ("Select an NI14 reason from the list.", "id_reason"),
        ("The cost of an adviser hour must be an amount from £0 to £1,000, like 18.50.", "id_hour_cost"),
        ("Time to answer a call must be a whole number from 1 to 3,600 seconds.",
         "id_telephone_answer_seconds"),
    ]:
        assert f'<a href="#{field}">{message}</a>' in html
        assert f'id="{field}-error"' in html
    assert 'value="90"' in html  # what was typed is shown again
    assert 'id="table-daily"' in html and 'id="table-telephone"' not in html


@pytest.mark.parametrize("table", ["daily", "backtest", "telephone", "counter", "what_if_telephone",
                                   "what_if_counter", "what_if_contacts", "what_if_staff"])
def test_every_table_downloads_as_csv(planned, client_for, table):
    response = client_for(Role.MANAGER).get(URL, {"format": "csv", "table": table, "shift_to_web": 10})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert f'filename="planning-{table}-2025-12-01.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) > 1 and all(len(row) == len(rows[0]) for row in rows)


def test_an_unknown_table_is_not_found(planned, client_for):
    assert client_for(Role.MANAGER).get(URL, {"format": "csv", "table": "secrets"}).status_code == 404


def test_one_service_plans_that_service_alone(planned, client_for):
    client = client_for(Role.MANAGER)
    everyone = client.get(URL).context["maps"][0]["forecast"]
    waste = client.get(URL, {"service": "waste"})
    assert b"It covers Waste and Recycling only" in waste.content
    alone = waste.context["maps"][0]["forecast"]
    total = lambda heat: sum(float(t) for t in heat.totals)  # noqa: E731
    assert 0 < total(alone) < total(everyone)
