"""The manager's NI14 reports: the dashboard, a drill-down to the contacts behind a figure, the
filters and the CSV downloads, by mouse and by keyboard alone.

The reporting pages grow new sections; these journeys rely only on what every report page has
(the headline figures, the filter form, tables with a CSV link each, the sub-navigation) and work
out the expected figures from the contacts in the database, not from a fixed layout."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core.roles import Role
from tests.e2e.conftest import create_user, fill_date, sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def reportable(demo_data):
    """Three web contacts about Council Tax for one customer today: two avoidable (wrong department)."""
    from core.models import AvoidableReason, ChannelCode, EnquiryType, Service
    from tests.factories import ContactFactory, CustomerFactory

    council_tax = Service.objects.get(code="council-tax")
    enquiry = EnquiryType.objects.filter(service=council_tax).order_by("pk").first()
    rita = CustomerFactory(first_name="Rita", last_name="Reportable", postcode="OL6 9ZR")
    wrong_department = AvoidableReason.objects.get(code="wrong_department")
    for avoidable in (True, True, False):
        ContactFactory(customer=rita, service=council_tax, enquiry_type=enquiry, channel=ChannelCode.WEB,
                       avoidable=avoidable, avoidable_reason=wrong_department if avoidable else None,
                       resolved_at_first_contact=not avoidable)
    create_user(Role.MANAGER, "e2e_manager")
    return council_tax


def expected(service=None, channel=None, days: int = 90) -> dict:
    """The dashboard's figures worked out from the contacts themselves (the default period is the
    last 90 days, today included)."""
    from contacts.models import Contact

    today = timezone.localdate()
    contacts = Contact.objects.filter(received_date__gte=today - timedelta(days=days - 1),
                                      received_date__lte=today)
    if service is not None:
        contacts = contacts.filter(service=service)
    if channel is not None:
        contacts = contacts.filter(channel=channel)
    total = contacts.count()
    avoidable = contacts.filter(avoidable=True).count()
    return {"total": total, "avoidable": avoidable,
            "ni14": f"{round(100 * avoidable / total, 1)}%" if total else "–"}


def figure(page, label: str):
    """The big number under a headline label."""
    box = page.locator(".nwd-figure").filter(has=page.get_by_text(label, exact=True))
    return box.locator(".govuk-heading-l")


def expect_headline(page, figures: dict):
    expect(figure(page, "All contacts")).to_have_text(str(figures["total"]))
    expect(figure(page, "Avoidable contacts")).to_have_text(str(figures["avoidable"]))
    expect(figure(page, "NI14 (avoidable ÷ all)")).to_have_text(figures["ni14"])


def rows_for(page, customer: str):
    return page.get_by_role("row").filter(has=page.get_by_role("link", name=customer))


def csv_links(page):
    return page.locator("main a", has_text=re.compile(r"^Download .+ as CSV$"))


def parse_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def table_headers(page, link) -> list[str]:
    """The header cells of the table a CSV link belongs to (the table just before the link)."""
    return link.evaluate(
        """a => { let el = a.closest('p');
                  while (el && el.tagName !== 'TABLE') el = el.previousElementSibling;
                  return el && [...el.querySelectorAll('thead th')].map(th => th.textContent.trim()); }"""
    )


def test_manager_reads_the_ni14_dashboard_drills_down_filters_and_downloads_csv(
    page, check_page, reportable
):
    from core.models import ChannelCode

    sign_in(page, "e2e_manager")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Avoidable contact (NI14)")
    check_page(page, "manager-ni14-dashboard", title="Avoidable contact (NI14)")
    everything = expected()
    assert everything["avoidable"] >= 2
    expect_headline(page, everything)

    # Drill down: the avoidable figure opens the contacts behind it.
    figure(page, "Avoidable contacts").get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Contacts behind the figure")
    count = everything["avoidable"]
    expect(page.locator("main")).to_contain_text(f"{count} contact{'s' if count != 1 else ''}, newest first")
    rita_rows = rows_for(page, "Rita Reportable")
    expect(rita_rows).to_have_count(2)
    expect(rita_rows.first).to_contain_text("Wrong department")
    check_page(page, "manager-drill-down-avoidable", title="Contacts behind the figure")
    page.get_by_role("link", name="Back to the report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Avoidable contact (NI14)")

    # Filters: Council Tax on the web only.
    page.get_by_label("Service", exact=True).select_option(label="Council Tax")
    page.get_by_label("Channel", exact=True).select_option(value=ChannelCode.WEB)
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"service=council-tax"))
    expect(page.get_by_label("Service", exact=True)).to_have_value("council-tax")
    expect(page.locator("main")).to_contain_text("Council Tax, channel web")
    filtered = expected(service=reportable, channel=ChannelCode.WEB)
    expect_headline(page, filtered)
    check_page(page, "manager-ni14-filtered", title="Avoidable contact (NI14)")

    # The NI14 reason table drills down too, keeping the filters.
    reason_row = page.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="Wrong department", exact=True)).first
    reason_row.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Contacts behind the figure")
    expect(page.locator("main")).to_contain_text("Council Tax, channel web")
    expect(page.locator("main")).to_contain_text("NI14 reason: Wrong department")
    expect(rows_for(page, "Rita Reportable")).to_have_count(2)
    check_page(page, "manager-drill-down-reason", title="Contacts behind the figure")
    page.go_back()

    # A period with no contacts: the future.
    tomorrow = timezone.localdate() + timedelta(days=1)
    fill_date(page, "From", tomorrow)
    fill_date(page, "To", tomorrow + timedelta(days=6))
    page.get_by_role("button", name="Apply filters").click()
    expect_headline(page, {"total": 0, "avoidable": 0, "ni14": "–"})
    check_page(page, "manager-ni14-empty-period", title="Avoidable contact (NI14)")
    page.go_back()
    expect(page.get_by_label("Channel", exact=True)).to_have_value(ChannelCode.WEB)
    expect_headline(page, filtered)

    # CSV: every table has its download, matching the table on the page; one by a real click.
    links = csv_links(page)
    assert links.count() >= 3, "each NI14 table offers a CSV download"
    for i in range(links.count()):
        link = links.nth(i)
        response = page.request.get(link.evaluate("a => a.href"))  # resolved against the page
        assert response.ok and response.headers["content-type"].startswith("text/csv")
        rows = parse_csv(response.text())
        assert rows[0] == table_headers(page, link), f"CSV {i} headers differ from its table"
        assert response.headers["content-disposition"].startswith("attachment;")
    service_link = links.filter(has_text="By service")
    with page.expect_download() as download_info:
        service_link.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    rows = parse_csv(open(download.path(), encoding="utf-8").read())
    assert rows[0][0] == "Service"
    council_tax_rows = [row for row in rows if row[0] == "Council Tax"]
    assert council_tax_rows, f"the filtered CSV lists Council Tax: {rows}"
    assert str(filtered["total"]) in council_tax_rows[0]


def test_every_report_page_passes_the_checks(page, check_page, reportable):
    """Whatever sections the reports gain, every page in the reports' sub-navigation is checked."""
    sign_in(page, "e2e_manager")
    page.goto("/reports/")
    subnav = page.get_by_role("navigation", name="Reports")
    targets = [(a.inner_text().strip(), a.get_attribute("href")) for a in subnav.get_by_role("link").all()]
    assert len(targets) >= 2
    for label, href in targets:
        page.goto(href)
        # The heading starts with the link's words (the annual report adds its year).
        expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^" + re.escape(label)))
        expect(subnav.get_by_role("link", name=label, exact=True)).to_have_attribute("aria-current", "page")
        slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
        check_page(page, f"manager-report-{slug}")
        cells = page.locator("main table td, main .nwd-figure").all_inner_texts()
        negative = [text for text in cells if re.match(r"\s*[-−]\d", text)]
        assert not negative, f"{label}: negative figures {negative}"
        for i in range(csv_links(page).count()):
            response = page.request.get(csv_links(page).nth(i).evaluate("a => a.href"))
            assert response.ok and response.headers["content-type"].startswith("text/csv"), (label, i)


def test_manager_filters_drills_down_and_downloads_with_the_keyboard_alone(page, check_page, reportable):
    sign_in(page, "e2e_manager")
    page.goto("/reports/")

    def tab_until(predicate: str, limit: int = 120):
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(f"() => {{ const el = document.activeElement; return {predicate}; }}"):
                return
        raise AssertionError(f"Tab never reached: {predicate}")

    tab_until("el.id === 'id_service'")
    page.keyboard.type("Council")
    expect(page.get_by_label("Service", exact=True)).to_have_value("council-tax")
    tab_until("el.tagName === 'BUTTON' && el.textContent.trim() === 'Apply filters'")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"service=council-tax"))
    expect_headline(page, expected(service=reportable))
    check_page(page, "manager-keyboard-filtered", title="Avoidable contact (NI14)")

    tab_until("el.tagName === 'A' && el.closest('.nwd-figure')"
              " && el.closest('.nwd-figure').textContent.includes('Avoidable contacts')")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Contacts behind the figure")
    expect(rows_for(page, "Rita Reportable")).to_have_count(2)
    check_page(page, "manager-keyboard-drill-down", title="Contacts behind the figure")
    tab_until("el.textContent.trim() === 'Back to the report'")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Avoidable contact (NI14)")
    expect(page.get_by_label("Service", exact=True)).to_have_value("council-tax")

    tab_until("el.tagName === 'A' && /^Download .+ as CSV$/.test(el.textContent.trim())")
    with page.expect_download() as download_info:
        page.keyboard.press("Enter")
    rows = parse_csv(open(download_info.value.path(), encoding="utf-8").read())
    assert len(rows) >= 1 and rows[0], "the CSV has its header row"
