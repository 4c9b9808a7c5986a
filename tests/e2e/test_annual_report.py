"""The annual complaints report (issue 18): a manager opens it from the reports, chooses the
year, reads the figures and the self-assessment, and downloads the PDF and the CSV."""

from datetime import date

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.e2e.conftest import SCREENSHOTS, create_user, sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def year_of_complaints(transactional_db):
    from core.roles import Role
    from tests.factories import ServiceFactory
    from tests.reporting.factories import varied_complaints

    officer = create_user(Role.COMPLAINTS_OFFICER, "e2e_officer", is_senior_officer=True)
    services = [ServiceFactory(code=code, name=name) for code, name in
                (("waste", "Waste"), ("housing", "Housing"), ("council-tax", "Council Tax"))]
    return varied_complaints(services, officer, n=25, seed=4, start=date(2025, 4, 1), days=360)


def test_a_manager_reads_and_downloads_the_annual_report(page, check_page, year_of_complaints):
    from core.roles import Role

    manager = create_user(Role.MANAGER, "e2e_head")
    sign_in(page, manager.username)
    page.goto("/reports/")
    page.get_by_role("link", name="Annual complaints report").click()
    page.get_by_label("Financial year (1 April to 31 March)").select_option(label="2025/26")
    page.get_by_role("button", name="Show the year").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Annual complaints report 2025/26")
    expect(page.locator(".nwd-stat").first).to_have_text("25")
    expect(page.get_by_role("heading", name="Self-assessment against the Complaint Handling Code")
           ).to_be_visible()
    check_page(page, "annual-report", title="Annual complaints report 2025/26")
    with page.expect_download(timeout=90_000) as download:  # the PDF is made on request
        page.get_by_role("link", name="Download the report as PDF").click()
    pdf = SCREENSHOTS / "annual-report.pdf"
    download.value.save_as(pdf)
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(str(pdf)).pages).split())
    assert "25 complaints were received" in text
    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Download every figure as CSV").click()
    assert csv_download.value.suggested_filename == "annual-complaints-report-2025.csv"

    page.goto("/reports/annual/?year=1066")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose a year between 2025/26 and")
    check_page(page, "annual-report-error", title="Error: Annual complaints report")
