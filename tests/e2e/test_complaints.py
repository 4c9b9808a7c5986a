"""Complaints: log, allocate, interim response, respond, escalate to stage 2; and a corporate
complaint reclassified as statutory, which passes to the social care complaints monitoring
officer. The deadline and its tag follow the working-day rules (DOMAIN.md, Complaints)."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from core.working_days import add_working_days
from tests.e2e.conftest import SCREENSHOTS, sign_in, sign_in_by_keyboard, tab_until

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

POSTCODE = "OL6 9ZY"


@pytest.fixture
def customer(demo_data):
    from tests.factories import CustomerFactory

    return CustomerFactory(first_name="Petra", last_name="Complainer", postcode=POSTCODE,
                           address_line_1="3 Grievance Row")


def long_date(day) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def summary_value(page, key: str):
    row = page.locator(".govuk-summary-list__row").filter(
        has=page.locator(".govuk-summary-list__key", has_text=key))
    return row.locator(".govuk-summary-list__value")


def log_complaint(page, check_page, summary: str, name: str, *, errors_first: bool = False):
    page.get_by_role("link", name="Complaints", exact=True).click()
    check_page(page, f"{name}-register", title="Complaints")
    page.locator("a.govuk-button", has_text="Log a complaint").click()  # a link styled as a button
    check_page(page, f"{name}-new", title="Log a complaint")
    if errors_first:
        page.get_by_role("button", name="Log the complaint").click()
        summary_box = page.locator(".govuk-error-summary")
        expect(summary_box.get_by_role("heading", name="There is a problem")).to_be_visible()
        page.wait_for_function("document.activeElement.classList.contains('govuk-error-summary')")
        # Every message links to its field, and the field shows the same message.
        for link in summary_box.get_by_role("link").all():
            target = link.get_attribute("href")
            assert page.locator(target).count() == 1, f"error summary link {target} leads nowhere"
            group = page.locator(".govuk-form-group--error").filter(has=page.locator(target))
            expect(group.locator(".govuk-error-message")).to_contain_text(link.inner_text())
        check_page(page, f"{name}-new-errors", title="Error: Log a complaint")
    page.get_by_label("Find the customer").fill(POSTCODE)
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Select Petra Complainer").click()
    expect(page.locator("#chosen-customer")).to_contain_text("Petra Complainer")
    page.get_by_label("Service", exact=True).select_option(label="Council Tax")
    page.get_by_label("What is the complaint about?").fill(summary)
    page.get_by_label("Corporate", exact=True).check()
    check_page(page, f"{name}-new-filled", title="Log a complaint")
    page.get_by_role("button", name="Log the complaint").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("logged.")


def act(page, action: str):
    """Open an action's panel on the case page; its button carries the same name."""
    page.locator("summary", has_text=action).click()
    return page.locator("details[open]").filter(has=page.locator("summary", has_text=action))


def test_complaint_is_logged_allocated_answered_and_escalated_with_the_right_deadlines(
    page, check_page, customer
):
    today = timezone.localdate()
    sign_in(page, "complaints_officer")
    log_complaint(page, check_page, "Bailiff letter sent although I pay by direct debit.", "complaint",
                  errors_first=True)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Council Tax")
    expect(summary_value(page, "Status")).to_contain_text("Awaiting allocation")
    expect(summary_value(page, "Deadline")).to_contain_text("No clock running")
    check_page(page, "complaint-logged")

    # Allocation starts stage 1's clock: 5 working days.
    panel = act(page, "Allocate to an officer")
    panel.get_by_label("Officer").select_option(label="Chloe Murphy (Corporate Complaints Officer)")
    panel.get_by_role("button", name="Allocate to an officer").click()
    stage_one_due = add_working_days(today, 5)
    expect(summary_value(page, "Status")).to_contain_text("Open")
    expect(summary_value(page, "Officer")).to_contain_text("Chloe Murphy")
    expect(summary_value(page, "Deadline")).to_contain_text(long_date(stage_one_due))
    expect(summary_value(page, "Deadline")).to_contain_text("5 working days left")
    check_page(page, "complaint-allocated")

    # An interim response with no date given: the standard extension of 10 working days.
    panel = act(page, "Send an interim response")
    panel.get_by_label("What the interim response said").fill("We need the bailiff's file; reply soon.")
    panel.get_by_role("button", name="Send an interim response").click()
    revised = add_working_days(stage_one_due, 10)
    expect(summary_value(page, "Deadline")).to_contain_text(long_date(revised))
    stages = page.get_by_role("table").first
    expect(stages).to_contain_text(f"{revised.day} {revised:%b %Y}")
    expect(stages).to_contain_text(f"(revised from {stage_one_due.day} {stage_one_due:%b})")
    check_page(page, "complaint-interim-response")

    # The stage 1 response stops the clock.
    panel = act(page, "Record the stage response")
    panel.get_by_label("Partly upheld").check()
    panel.get_by_label("Response sent to the complainant").fill("The referral was our error; fees removed.")
    panel.get_by_role("button", name="Record the stage response").click()
    expect(summary_value(page, "Status")).to_contain_text("Responded")
    expect(summary_value(page, "Deadline")).to_contain_text("No clock running")
    check_page(page, "complaint-responded")

    # Escalation to stage 2: 20 working days from escalation.
    panel = act(page, "Escalate to the next stage")
    panel.get_by_label("Why the complainant wants to escalate").fill("Wants compensation for the distress.")
    panel.get_by_role("button", name="Escalate to the next stage").click()
    stage_two_due = add_working_days(today, 20)
    expect(summary_value(page, "Status")).to_contain_text("stage 2")
    expect(summary_value(page, "Deadline")).to_contain_text(long_date(stage_two_due))
    expect(summary_value(page, "Deadline")).to_contain_text("20 working days left")
    check_page(page, "complaint-escalated")

    # The stage 1 response letter: the template's words, edited, sent by post, kept on the case,
    # printed without the page's chrome and downloaded as a PDF (issue 18, letters as documents).
    page.get_by_role("link", name="Response, stage 1").click()
    check_page(page, "complaint-letter-edit", title="Stage response letter")
    body = page.get_by_label("Letter", exact=True)
    expect(body).to_have_value(re.compile("The referral was our error; fees removed."))
    body.fill(body.input_value().replace("Our finding:", "We apologise for the worry this caused.\n\n"
                                                         "Our finding:"))
    page.get_by_label("Post", exact=True).check()
    page.get_by_role("button", name="Send the letter").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Stage response letter sent by post.")
    letter = page.locator("article.nwd-letter")
    expect(letter).to_contain_text("3 Grievance Row")
    expect(letter).to_contain_text("We apologise for the worry this caused.")
    check_page(page, "complaint-letter-sent", title="Stage response letter")
    page.emulate_media(media="print")
    expect(page.locator(".govuk-service-navigation")).to_be_hidden()
    expect(page.get_by_role("button", name="Sign out")).to_be_hidden()
    expect(page.locator(".govuk-footer")).to_be_hidden()
    expect(letter).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "complaint-letter-printed.png"), full_page=True)
    page.emulate_media(media="screen")
    with page.expect_download(timeout=90_000) as download:  # the PDF is made on request
        page.get_by_role("link", name="Download the PDF").click()
    pdf = SCREENSHOTS / "complaint-letter.pdf"
    download.value.save_as(pdf)
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(str(pdf)).pages).split())
    assert "We apologise for the worry this caused." in text and "3 Grievance Row" in text
    assert "Sign out" not in text
    page.get_by_role("link", name="Back to the complaint").click()
    expect(page.get_by_role("table").filter(has_text="Letters sent")).to_contain_text("Stage response")


def test_corporate_complaint_reclassified_as_statutory_passes_to_social_care(
    page, other_page, check_page, customer
):
    today = timezone.localdate()
    sign_in(page, "complaints_officer")
    log_complaint(page, check_page, "Care assessment cancelled twice; mother left without help.",
                  "statutory")
    panel = act(page, "Allocate to an officer")
    panel.get_by_label("Officer").select_option(label="Chloe Murphy (Corporate Complaints Officer)")
    panel.get_by_role("button", name="Allocate to an officer").click()
    expect(summary_value(page, "Deadline")).to_contain_text(long_date(add_working_days(today, 5)))

    from complaints.models import Complaint

    complaint = Complaint.objects.get(customer=customer)
    panel = act(page, "Reclassify as a statutory complaint")
    check_page(page, "statutory-reclassify-panel")
    panel.get_by_role("button", name="Reclassify as a statutory complaint").click()
    # Out of the corporate officer's sight now: back on the register with the confirmation.
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Reclassify as a statutory complaint: done.")
    check_page(page, "statutory-reclassified-register", title="Complaints")

    # The social care complaints monitoring officer has it, on statutory stage 1: 10 working
    # days from the original allocation.
    sign_in(other_page, "social_care_complaints")
    other_page.goto(f"/complaints/{complaint.pk}/")
    expect(other_page.locator(".govuk-caption-l")).to_have_text(
        "Statutory (Social Care and Health) complaint")
    expect(summary_value(other_page, "Officer")).to_contain_text("Sam Patel")
    expect(summary_value(other_page, "Deadline")).to_contain_text(long_date(add_working_days(today, 10)))
    check_page(other_page, "statutory-social-care-view")


def test_complaint_goes_from_allocation_to_stage_two_with_the_keyboard_alone(page, check_page, customer):
    from complaints.services import complaint_create
    from core.models import Service, User

    today = timezone.localdate()
    officer = User.objects.get(username="complaints_officer")
    complaint = complaint_create(actor=officer, customer=customer, summary="Rude reply to my email.",
                                 service=Service.objects.get(code="council-tax"), process="corporate")
    sign_in_by_keyboard(page, "complaints_officer")
    page.goto(f"/complaints/{complaint.pk}/")

    def open_panel(action: str):
        tab_until(page, f"el.tagName === 'SUMMARY' && el.textContent.includes('{action}')", limit=120)
        page.keyboard.press("Enter")  # opens the details panel

    def press_button(action: str):
        tab_until(page, f"el.tagName === 'BUTTON' && el.textContent.includes('{action}')")
        page.keyboard.press("Enter")

    open_panel("Allocate to an officer")
    tab_until(page, "el.id === 'id_allocate-officer'")
    page.keyboard.type("Chloe")
    expect(page.locator("#id_allocate-officer")).to_have_value("complaints_officer")
    check_page(page, "complaint-keyboard-allocate")
    press_button("Allocate to an officer")
    stage_one_due = add_working_days(today, 5)
    expect(summary_value(page, "Officer")).to_contain_text("Chloe Murphy")
    expect(summary_value(page, "Deadline")).to_contain_text(long_date(stage_one_due))

    # An interim response, the date left empty: the standard extension of 10 working days. (The
    # date field is left alone: Debian's Chromium has only the en-US locale, month first.)
    revised = add_working_days(stage_one_due, 10)
    open_panel("Send an interim response")
    tab_until(page, "el.id === 'id_interim_response-note'")
    page.keyboard.type("Still waiting for the service's reply.")
    press_button("Send an interim response")
    expect(summary_value(page, "Deadline")).to_contain_text(long_date(revised))

    # The response without an outcome: the error summary, then its link to the first radio.
    open_panel("Record the stage response")
    tab_until(page, "el.id === 'id_respond-response'")
    page.keyboard.type("We have apologised to the customer.")
    press_button("Record the stage response")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select whether the complaint is upheld, partly upheld or not upheld.")
    page.wait_for_function("document.activeElement.classList.contains('govuk-error-summary')")
    assert page.title().startswith(f"Error: Complaint {complaint.reference}"), page.title()
    check_page(page, "complaint-keyboard-respond-error", title=f"Error: Complaint {complaint.reference}")
    tab_until(page, "el.closest('.govuk-error-summary') && el.tagName === 'A'", limit=5)
    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement.id === 'id_respond-outcome'")
    page.keyboard.press("Space")
    expect(page.locator("#id_respond-outcome")).to_be_checked()
    expect(page.locator("#id_respond-response")).to_have_value("We have apologised to the customer.")
    press_button("Record the stage response")
    expect(summary_value(page, "Status")).to_contain_text("Responded")

    open_panel("Escalate to the next stage")
    tab_until(page, "el.id === 'id_escalate-reason'")
    page.keyboard.type("Not satisfied with an apology.")
    press_button("Escalate to the next stage")
    expect(summary_value(page, "Status")).to_contain_text("stage 2")
    expect(summary_value(page, "Deadline")).to_contain_text(long_date(add_working_days(today, 20)))
    check_page(page, "complaint-keyboard-escalated", title=f"Complaint {complaint.reference}")


def test_register_clocks_and_tags_match_the_working_day_calendar(page, check_page, customer):
    """Every running clock in the register (the demo's complaints, some overdue, some due soon):
    the tag and its colour follow from the due date and today on the working-day calendar."""
    from datetime import datetime

    from core.working_days import working_days_between

    today = timezone.localdate()
    sign_in(page, "complaints_officer")
    page.get_by_role("link", name="Complaints", exact=True).click()
    check_page(page, "complaints-register-clocks", title="Complaints")
    rows = page.locator("main table tbody tr")
    checked = {"overdue": 0, "soon": 0, "later": 0}
    for i in range(rows.count()):
        due_cell = rows.nth(i).locator("td").last
        lines = due_cell.inner_text().strip().splitlines()
        if lines[0] == "No clock running":
            continue
        due = datetime.strptime(lines[0], "%d %b %Y").date()
        tag = due_cell.locator(".govuk-tag")
        if due < today:
            overdue_by = working_days_between(due, today)
            plural = "s" if overdue_by != 1 else ""
            expect(tag).to_have_text(f"Overdue by {overdue_by} working day{plural}")
            expect(tag).to_have_class(re.compile(r"govuk-tag--red"))
            checked["overdue"] += 1
            continue
        left = working_days_between(today, due)
        if left == 0:
            expect(tag).to_have_text("Due today")
        elif left <= 2:
            expect(tag).to_have_text(f"{left} working day{'s' if left != 1 else ''} left")
        else:
            expect(tag).to_have_count(0)
            assert lines[1] == f"{left} working days left", lines
            checked["later"] += 1
            continue
        expect(tag).to_have_class(re.compile(r"govuk-tag--orange"))
        checked["soon"] += 1
    assert sum(checked.values()) >= 3, f"the demo data has running clocks: {checked}"
