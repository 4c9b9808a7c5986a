"""Complaints under the Ombudsman's Complaint Handling Code (issue 18, `lgsco-2026`): the complaint
is acknowledged, which starts the 10 working days to respond, and the response is extended with a
reason, first refused over the limit of 10 working days."""

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from core.working_days import add_working_days
from tests.e2e.conftest import sign_in
from tests.e2e.test_complaints import act, customer, log_complaint, long_date, summary_value  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_complaint_is_acknowledged_and_extended_under_the_complaint_handling_code(
    page, check_page, customer  # noqa: F811
):
    call_command("complaint_rules", "activate", "lgsco-2026")
    today = timezone.localdate()
    sign_in(page, "complaints_officer")
    log_complaint(page, check_page, "Missed collections for a month and nobody rang back.", "code")
    acknowledgement_due = add_working_days(today, 5)
    expect(summary_value(page, "Deadline")).to_contain_text(
        f"Acknowledgement due {long_date(acknowledgement_due)}")
    expect(page.locator("summary", has_text="Extend the response deadline")).to_have_count(0)
    check_page(page, "code-logged")

    # The acknowledgement starts the 10 working days to respond.
    panel = act(page, "Acknowledge the complaint")
    panel.get_by_role("button", name="Acknowledge the complaint").click()
    response_due = add_working_days(today, 10)
    expect(summary_value(page, "Deadline")).to_contain_text(long_date(response_due))
    expect(summary_value(page, "Deadline")).not_to_contain_text("Acknowledgement due")
    expect(page.locator("summary", has_text="Acknowledge the complaint")).to_have_count(0)
    check_page(page, "code-acknowledged")

    # The extension: the form's own errors, then the rule set's limit, then 10 working days.
    panel = act(page, "Extend the response deadline")
    panel.get_by_role("button", name="Extend the response deadline").click()
    summary_box = page.locator(".govuk-error-summary")
    expect(summary_box).to_contain_text("Enter how many working days to extend the deadline by.")
    expect(summary_box).to_contain_text("Enter why the response needs more time.")
    for link in summary_box.get_by_role("link").all():
        assert page.locator(link.get_attribute("href")).count() == 1
    check_page(page, "code-extend-errors", title="Error: Complaint")
    panel = page.locator("details[open]").filter(has=page.locator("summary", has_text="Extend the response"))
    panel.get_by_label("How many working days do you need?").fill("11")
    panel.get_by_label("Why does the response need more time?").fill(
        "We are waiting for the crew's report.")
    panel.get_by_role("button", name="Extend the response deadline").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The response can be extended by at most 10 working days at this stage.")
    panel = page.locator("details[open]").filter(has=page.locator("summary", has_text="Extend the response"))
    panel.get_by_label("How many working days do you need?").fill("10")
    panel.get_by_role("button", name="Extend the response deadline").click()
    extended = add_working_days(response_due, 10)
    expect(summary_value(page, "Deadline")).to_contain_text(long_date(extended))
    expect(page.get_by_role("table").first).to_contain_text("extended by 10 working days")
    expect(page.locator(".nwd-timeline")).to_contain_text("Response deadline extended by 10 working days")
    expect(page.locator(".nwd-timeline")).to_contain_text("We are waiting for the crew's report.")
    check_page(page, "code-extended")
