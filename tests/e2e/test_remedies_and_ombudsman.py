"""Remedies and the Ombudsman to the end (issue 18, items 2 and 3): a response records a financial
remedy (first refused without its amount), the complaint goes to the Ombudsman, the Ombudsman's
decision is recorded with a recommendation, which is marked done; a lesson learned becomes an
action and shows on the managers' list."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from tests.e2e.test_complaints import act, customer, log_complaint, summary_value  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _respond(page, text: str):
    panel = act(page, "Record the stage response")
    panel.get_by_label("Upheld", exact=True).check()
    panel.get_by_label("Response sent to the complainant").fill(text)
    return panel


def test_a_remedy_then_the_ombudsmans_decision_and_its_recommendation_done(
    page, check_page, customer  # noqa: F811
):
    sign_in(page, "complaints_officer")
    log_complaint(page, check_page, "Charged twice for the garden waste bin.", "remedy")
    panel = act(page, "Allocate to an officer")
    panel.get_by_label("Officer").select_option("manager")  # a senior officer may take both stages
    panel.get_by_role("button", name="Allocate to an officer").click()

    # A financial remedy needs its amount: the error is by the amount box.
    panel = _respond(page, "We charged you twice; we are refunding the second charge.")
    panel.get_by_label("Financial remedy").check()
    panel.get_by_role("button", name="Record the stage response").click()
    summary_box = page.locator(".govuk-error-summary")
    expect(summary_box).to_contain_text("Enter the amount of the financial remedy, in pounds.")
    check_page(page, "remedy-errors", title="Error: Complaint")
    panel = page.locator("details[open]").filter(has=page.locator("summary", has_text="Record the stage"))
    panel.get_by_label("Amount, in pounds").fill("42.50")
    panel.get_by_label("What the remedy was").fill("The second charge refunded.")
    panel.get_by_label("Action to take from the lessons").fill("Check the direct debit run for duplicates.")
    panel.get_by_label("Who owns the action").select_option("manager")
    due = timezone.localdate() + timedelta(days=30)
    panel.get_by_label("Day").fill(str(due.day))
    panel.get_by_label("Month").fill(str(due.month))
    panel.get_by_label("Year").fill(str(due.year))
    panel.get_by_role("button", name="Record the stage response").click()
    expect(summary_value(page, "Status")).to_contain_text("Responded")
    remedies = page.locator(".govuk-summary-list").filter(has_text="Financial remedy")
    expect(remedies).to_contain_text("Financial remedy: £42.50")
    expect(page.get_by_role("table").filter(has_text="Check the direct debit run")).to_contain_text("Open")
    check_page(page, "remedy-responded")

    # Stage 2, then the Ombudsman.
    panel = act(page, "Escalate to the next stage")
    panel.get_by_label("Why the complainant wants to escalate").fill("Wants interest on the refund.")
    panel.get_by_role("button", name="Escalate to the next stage").click()
    panel = act(page, "Allocate to an officer")
    panel.get_by_label("Officer").select_option("manager")
    panel.get_by_role("button", name="Allocate to an officer").click()
    panel = _respond(page, "The refund stands; no interest is due.")
    panel.get_by_role("button", name="Record the stage response").click()
    panel = act(page, "Refer to the Ombudsman")
    panel.get_by_label("Ombudsman's reference").fill("25 012 345")
    panel.get_by_role("button", name="Refer to the Ombudsman").click()
    expect(summary_value(page, "Status")).to_contain_text("at ombudsman")

    # The Ombudsman's decision with a recommendation due in 20 days.
    panel = act(page, "Record the Ombudsman's decision")
    panel.get_by_label("Upheld", exact=True).check()
    panel.get_by_label("Recommendation 1 (optional)", exact=True).fill("Pay £100 for the time and trouble.")
    recommendation_due = timezone.localdate() + timedelta(days=20)
    dates = panel.locator("fieldset").filter(has_text="Recommendation 1 due by")
    dates.get_by_label("Day").fill(str(recommendation_due.day))
    dates.get_by_label("Month").fill(str(recommendation_due.month))
    dates.get_by_label("Year").fill(str(recommendation_due.year))
    panel.get_by_role("button", name="Record the Ombudsman's decision").click()
    expect(page.get_by_role("heading", name="The Ombudsman's decision")).to_be_visible()
    recommendations = page.get_by_role("table").filter(has_text="Pay £100")
    expect(recommendations).to_contain_text("Open")
    check_page(page, "ombudsman-decided")
    recommendations.get_by_role("button", name="Mark as done").click()
    expect(page.get_by_role("table").filter(has_text="Pay £100")).to_contain_text("Done")
    expect(page.locator("summary", has_text="Record the Ombudsman's decision")).to_have_count(0)
    check_page(page, "ombudsman-recommendation-done")

    # The managers' list of actions from lessons learned.
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Complaints").click()
    page.get_by_role("link", name="Actions from lessons learned").click()
    expect(page.get_by_role("table")).to_contain_text("Check the direct debit run for duplicates.")
    check_page(page, "learning-actions", title="Actions from lessons learned")
