"""A manager plans the contact centre (issue 22) in a real browser: the forecast chart and its
table, the backtest, the staffing heat maps, the what-if form (with its error summary) and a CSV
download. Every page passes axe (check_page); the figures are worked out from the stored forecast
and the records, not read off the page."""

import csv
import io
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Sum
from playwright.sync_api import expect

from core.roles import Role
from tests.e2e.conftest import create_user, focused, sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def planned(demo_data):
    """The demo, a year of generated contacts on top (the demo's weekly pattern and handling
    times) and tonight's forecast made from them."""
    from planning.services import forecasts_refresh

    call_command("generate_data", "--contacts", "12000", "--days", "400", "--seed", "3", stdout=StringIO())
    forecasts_refresh(force=True)
    create_user(Role.MANAGER, "e2e_planner")


def test_manager_reads_the_forecast_and_staffing_and_tries_a_what_if(page, check_page, planned):
    from planning.models import ChannelBacktest, DailyForecast, ForecastRun

    run = ForecastRun.objects.get()
    sign_in(page, "e2e_planner")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Planning").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Contact-centre planning")
    check_page(page, "manager-planning", title="Contact-centre planning")

    # The first row of the forecast table: the first day's telephone calls, every service added up.
    first_day = run.first_date
    telephone = DailyForecast.objects.filter(series__run=run, series__channel="telephone",
                                             forecast_date=first_day).aggregate(total=Sum("contacts"))["total"]
    first_row = page.locator("#table-daily tbody tr").first
    expect(first_row.locator("th")).to_have_text(f"{first_day:%a} {first_day.day} {first_day:%b %Y}")
    headers = [h.strip() for h in page.locator("#table-daily thead th").all_inner_texts()]
    telephone_cell = first_row.locator("td").nth(headers.index("Telephone") - 1)
    expect(telephone_cell).to_have_text(f"{round(telephone or 0):,}")
    expect(page.locator("canvas#chart-daily")).to_be_visible()

    # The backtest says whether the forecast beat "same day last week" for the telephone.
    backtest = ChannelBacktest.objects.get(run=run, channel="telephone")
    row = page.locator("#table-backtest tbody tr").filter(has=page.get_by_role("rowheader", name="Telephone"))
    expect(row.locator("td").last).to_have_text("Yes" if backtest.mase < backtest.naive_mase else "No")

    # The telephone heat map: a number in every cell and each day's staff hours under them.
    heat = page.locator("#table-telephone")
    expect(heat.get_by_role("rowheader", name="09:00 to 09:30")).to_be_visible()
    hours = [float(t) for t in heat.locator("tr.nwd-heat-map__total td").all_inner_texts()]
    first_column = [int(t) for t in heat.locator("tbody tr:not(.nwd-heat-map__total) td:nth-child(2)")
                    .all_inner_texts()]
    assert hours[0] == sum(first_column) * 0.5

    # What if a fifth of telephone and counter contacts went online and progress chasing halved?
    page.get_by_label("Telephone and face-to-face contacts moved to the web (%)").fill("20")
    page.get_by_label("Avoidable contact (NI14) reason to cut").select_option(label="Progress chasing")
    page.get_by_role("button", name="Update the plan").click()
    saving = page.locator(".govuk-inset-text", has_text="would save")
    expect(saving).to_contain_text("Moving 20% of telephone and face-to-face contacts to the web and "
                                   "cutting the “Progress chasing” contacts by 50%")
    expect(page.locator("#table-what_if_telephone")).to_be_visible()
    check_page(page, "manager-planning-what-if", title="Contact-centre planning")
    # The staff-hours table's total saving is the telephone's and the counters' added up.
    staff = page.locator("table", has=page.locator("caption", has_text="Staff hours a week"))
    saved = [float(t.replace(",", "")) for t in staff.locator("tbody tr td:nth-child(4)").all_inner_texts()]
    assert saved[-1] == pytest.approx(saved[0] + saved[1], abs=0.11)
    expect(saving).to_contain_text(f"{saved[-1]:,.1f} staff hours a week")

    # Download the telephone heat map: the same numbers as the page.
    with page.expect_download() as download:
        page.get_by_role("link",
                         name="Download “Advisers to roster on the telephone by half hour” as CSV").click()
    rows = list(csv.reader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))
    assert rows[0][0] == "Half hour" and rows[-1][0] == "Staff hours"
    on_page = page.locator("#table-telephone tbody tr").first.locator("th, td").all_inner_texts()
    assert rows[1] == [text.strip() for text in on_page]

    # A shrinkage no council has: the error summary links to the field, which keeps what was typed.
    page.get_by_label("Shrinkage (%)").fill("95")
    page.get_by_role("button", name="Update the plan").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Shrinkage must be a whole number from 0% to 80%.")
    check_page(page, "manager-planning-error", title="Error: Contact-centre planning")
    summary.get_by_role("link", name="Shrinkage must be a whole number from 0% to 80%.").click()
    assert focused(page, "el.id === 'id_shrinkage'")
    expect(page.get_by_label("Shrinkage (%)")).to_have_value("95")
    expect(page.locator("#table-daily")).to_be_visible()  # the forecast still shows
