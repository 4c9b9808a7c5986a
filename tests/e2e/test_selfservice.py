"""Resident self service in a real browser (issue 10): report a problem, get a reference and an
email receipt, check progress; make a complaint; the error messages. Every page is screenshot
(test-artifacts/screenshots/selfservice-*.png) and checked with axe (WCAG 2.2 A/AA)."""

import importlib
import re

import pytest
from django.apps import apps as django_apps

from core.models import OutboundMessage, Site
from selfservice.models import Kind, SelfServiceOffer, SelfServiceSubmission
from tests.e2e.conftest import AXE_TAGS, SCREENSHOTS, format_violations
from tests.factories import EnquiryTypeFactory, ServiceFactory, TeamFactory

# serialized_rollback keeps the rows data migrations made (the complaint rule sets).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TITLE = re.compile(r"^(Error: )?[^–]+ – Report, request or complain – .+$")


@pytest.fixture
def check_public_page(axe):
    """The public pages' own shell: "Page – Report, request or complain – Council" titles."""

    def _check(page, name: str):
        page.wait_for_load_state("load")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"selfservice-{name}.png"), full_page=True)
        assert TITLE.match(page.title()), f"{name}: title {page.title()!r}"
        assert page.locator("h1").count() == 1, f"{name}: expected exactly one h1"
        violations = axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}}
                             ).response["violations"]
        assert not violations, format_violations(name, violations)
        assert not page.js_errors, f"{name}: JavaScript errors: {page.js_errors}"

    return _check


@pytest.fixture
def offers(db):
    waste = ServiceFactory(code="waste", name="Waste and Recycling")
    team = TeamFactory(code="waste-operations", name="Waste Operations")
    missed = EnquiryTypeFactory(service=waste, code="missed-bin", name="Missed bin",
                                handoff_method="fire_and_forget", team=team, target_working_days=2)
    bulky = EnquiryTypeFactory(service=waste, code="bulky", name="Bulky collection")
    SelfServiceOffer.objects.create(enquiry_type=missed, kind=Kind.PROBLEM, title="A missed bin collection")
    SelfServiceOffer.objects.create(enquiry_type=bulky, kind=Kind.REQUEST, title="A bulky waste collection")
    Site.objects.get_or_create(code="online", defaults={"name": "Website", "kind": Site.Kind.ONLINE})
    # A live-server test flushes the tables after it; serialized_rollback restores the data
    # migrations' rows, but not after every kind of earlier test: make sure the presets exist.
    presets = importlib.import_module("complaints.migrations.0005_rule_sets_drive_the_clock")
    presets.load(django_apps, None)


def continue_(page):
    page.get_by_role("button", name="Continue").click()


def test_resident_reports_a_missed_bin_and_checks_progress(page, offers, check_public_page):
    page.goto("/self-service/")
    check_public_page(page, "01-start")
    page.get_by_role("button", name="Start now").click()

    continue_(page)  # nothing chosen: the error summary links to the question
    check_public_page(page, "02-what-error")
    assert page.locator(".govuk-error-summary").get_by_text("Select what you want to do.").is_visible()
    page.get_by_label("Report a problem").check()
    check_public_page(page, "03-what")
    continue_(page)

    page.get_by_label("A missed bin collection").check()
    check_public_page(page, "04-which")
    continue_(page)
    page.get_by_label("Tell us about the problem").fill("The grey bin was not emptied on Tuesday.")
    check_public_page(page, "05-details")
    continue_(page)
    page.get_by_label("Or describe where it is").fill("12 Oak Street, Ashton-under-Lyne, OL6 6AB")
    check_public_page(page, "06-location")
    continue_(page)
    page.get_by_role("heading", level=1, name="Add photos of the problem (optional)").wait_for()
    continue_(page)  # photos are optional (tests/e2e/test_selfservice_photos.py adds one)
    page.get_by_label("First name").fill("Ada")
    page.get_by_label("Last name").fill("Lovelace")
    check_public_page(page, "07-name")
    continue_(page)
    page.get_by_label("Email address").fill("ada@example.com")
    check_public_page(page, "08-email")
    continue_(page)

    assert page.get_by_role("heading", level=1).inner_text() == "Check your answers before sending"
    assert page.locator(".govuk-summary-list").get_by_text("Report a problem").is_visible()
    check_public_page(page, "09-check")
    page.get_by_role("link", name="Change where").click()
    page.get_by_label("Or describe where it is").fill("14 Oak Street, Ashton-under-Lyne")
    continue_(page)
    assert page.get_by_text("14 Oak Street, Ashton-under-Lyne").is_visible()
    page.get_by_role("button", name="Accept and send").click()

    page.get_by_role("heading", level=1, name="Report received").wait_for()
    check_public_page(page, "10-done")
    reference = page.get_by_test_id("reference").inner_text()
    submission = SelfServiceSubmission.objects.get(reference=reference)
    assert submission.contact.channel == "web"
    assert submission.contact.handoffs.get().team.code == "waste-operations"
    receipt = OutboundMessage.objects.get(dedupe_key=f"selfservice:{reference}:receipt")
    assert receipt.to_email == "ada@example.com" and reference in receipt.body

    page.get_by_role("link", name="Check progress").first.click()
    page.get_by_label("Reference number").fill(reference.lower())
    page.get_by_label("Email address, phone number or postcode").fill("someone@example.com")
    page.get_by_role("button", name="Check progress").click()
    check_public_page(page, "11-progress-not-found")
    assert page.get_by_text("We cannot find a request").first.is_visible()
    page.get_by_label("Email address, phone number or postcode").fill("ada@example.com")
    page.get_by_role("button", name="Check progress").click()
    check_public_page(page, "12-progress")
    assert page.get_by_text("We have passed this to Waste Operations.").is_visible()


def test_resident_makes_a_complaint(page, offers, check_public_page):
    page.goto("/self-service/what/")
    page.get_by_label("Make a complaint").check()
    continue_(page)
    page.get_by_label("Waste and Recycling").check()
    check_public_page(page, "21-complaint-service")
    continue_(page)
    page.get_by_label("What is your complaint about?").fill("The crew left rubbish all over the road.")
    continue_(page)
    page.get_by_label("First name").fill("Grace")
    page.get_by_label("Last name").fill("Hopper")
    continue_(page)
    page.get_by_label("Email address").fill("grace@example.com")
    continue_(page)
    check_public_page(page, "22-complaint-check")
    page.get_by_role("button", name="Accept and send").click()
    page.get_by_role("heading", level=1, name="Complaint received").wait_for()
    check_public_page(page, "23-complaint-done")
    reference = page.get_by_test_id("reference").inner_text()
    assert SelfServiceSubmission.objects.get(reference=reference).complaint.process == "corporate"
