"""Resident self service with the keyboard alone: report a missed bin (meeting the error summary
on the way) and check its progress. The mouse journeys are in test_selfservice.py, whose
fixtures (the offers, the public pages' checks) this file shares."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core.working_days import add_working_days
from selfservice.models import SelfServiceSubmission
from tests.e2e.conftest import focused, tab_until
from tests.e2e.test_selfservice import check_public_page, offers  # noqa: F401 - shared fixtures

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def submit(page):
    """Enter on a text field or a button: the form goes, and the next page loads."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


def continue_by_keyboard(page):
    tab_until(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Continue'")
    submit(page)


def describe_a_missed_bin_by_keyboard(page):
    """From "What is it about?" to "Where is the problem?": a missed bin, described."""
    choose_radio(page, "offer", "A missed bin collection")
    continue_by_keyboard(page)
    tab_until(page, "el.tagName === 'TEXTAREA'")
    page.keyboard.type("The grey bin was not emptied on Tuesday.")
    continue_by_keyboard(page)


def give_name_and_email_by_keyboard(page, first="Ada", last="Lovelace", email="ada@example.com"):
    """The "about you" pages of a report: name, then how to reply (by email), by keyboard."""
    tab_until(page, "el.autocomplete === 'given-name'")
    page.keyboard.type(first)
    tab_until(page, "el.autocomplete === 'family-name'", limit=3)
    page.keyboard.type(last)
    submit(page)
    tab_until(page, "el.type === 'email'")
    page.keyboard.type(email)
    submit(page)


def choose_radio(page, name: str, label: str):
    """Tab into a radio group, then arrow to the option (arrows select as they move)."""
    tab_until(page, f"el.type === 'radio' && el.name === '{name}'")
    if not focused(page, "el.checked"):
        page.keyboard.press("Space")
    for _ in range(10):
        if focused(page, f"el.labels[0].textContent.trim() === {label!r}"):
            break
        page.keyboard.press("ArrowDown")
    expect(page.get_by_label(label, exact=True)).to_be_checked()


def test_resident_reports_a_problem_and_checks_progress_with_the_keyboard_alone(
    page, offers, check_public_page  # noqa: F811 - the shared fixtures
):
    page.goto("/self-service/")
    tab_until(page, "el.textContent.trim() === 'Start now'")
    submit(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("What do you want to do?")

    # Continue with nothing chosen: the error summary has the focus, its link leads to the radios.
    continue_by_keyboard(page)
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select what you want to do.")
    page.wait_for_function("document.activeElement.classList.contains('govuk-error-summary')")
    assert page.title().startswith("Error: ")
    check_public_page(page, "kb-01-what-error")
    tab_until(page, "el.closest('.govuk-error-summary') && el.tagName === 'A'", limit=5)
    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement.id === 'id_kind'")  # the first radio
    page.keyboard.press("Space")
    expect(page.get_by_label("Report a problem")).to_be_checked()
    continue_by_keyboard(page)

    describe_a_missed_bin_by_keyboard(page)
    tab_until(page, "el.name === 'location'")  # a place described, not found by postcode
    page.keyboard.type("12 Oak Street, Ashton-under-Lyne, OL6 6AB")
    submit(page)  # a text field submits its form
    expect(page.get_by_role("heading", level=1)).to_have_text("Add photos of the problem (optional)")
    continue_by_keyboard(page)  # photos are optional
    expect(page.get_by_label("First name")).to_be_visible()
    give_name_and_email_by_keyboard(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before sending")
    check_public_page(page, "kb-02-check")
    tab_until(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Accept and send'")
    submit(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Report received")
    reference = page.get_by_test_id("reference").inner_text()
    submission = SelfServiceSubmission.objects.get(reference=reference)
    assert submission.contact.summary.startswith("The grey bin was not emptied on Tuesday.")
    check_public_page(page, "kb-03-done")

    tab_until(page, "el.tagName === 'A' && el.textContent.trim() === 'Check progress'")
    submit(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Check progress")
    tab_until(page, "el.name === 'reference'")
    page.keyboard.type(reference)
    tab_until(page, "el.name === 'contact'", limit=3)
    page.keyboard.type("ada@example.com")
    submit(page)
    expect(page.get_by_text("We have passed this to Waste Operations.")).to_be_visible()
    aim = add_working_days(timezone.localdate(), 2)  # a missed bin: 2 working days
    finish_by = page.locator(".govuk-summary-list__row").filter(has_text="We aim to finish by")
    expect(finish_by).to_contain_text(f"{aim:%A} {aim.day} {aim:%B %Y}")
    check_public_page(page, "kb-04-progress")
