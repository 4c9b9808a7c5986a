"""No wrong door, in a real browser (issue 15): an adviser takes a complaint on the contact
screen; a back-office officer logs the public contact that reached their team directly; an
adviser handles a suspected repeat by answering the question, which nothing answers for them.
Every page visited passes axe (check_page)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import focused, sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

POSTCODE = "OL6 9QW"  # not one the demo data uses, so the search finds exactly our customer


@pytest.fixture
def customer(demo_data):
    from tests.factories import CustomerFactory

    return CustomerFactory(first_name="Rita", last_name="Doorway", address_line_1="3 Test Row",
                           town="Ashton-under-Lyne", postcode=POSTCODE, phone="07700900462")


def _find(page, check_page, name: str, title: str):
    page.get_by_label("Find the customer").fill(POSTCODE.lower())
    page.get_by_role("button", name="Search").click()
    results = page.get_by_role("table", name="Customers matching your search")
    expect(results.get_by_role("row")).to_have_count(2)
    check_page(page, f"{name}-search", title=title)
    results.get_by_role("link", name="Select Rita Doorway").click()
    expect(page.get_by_role("heading", name="Rita Doorway", level=2)).to_be_visible()


def test_adviser_takes_a_statutory_complaint_on_the_contact_screen(page, check_page, customer):
    from complaints.models import Complaint
    from contacts.models import Contact

    sign_in(page, "adviser")
    page.get_by_role("link", name="Log a complaint").click()
    check_page(page, "complaint-at-counter-start", title="Log a contact")
    _find(page, check_page, "complaint-at-counter", "Log a contact")
    # The complaint part is open, as the menu asked.
    expect(page.get_by_label("The customer wants to complain")).to_be_checked()
    page.get_by_label("Face to face").check()
    page.get_by_label("Summary", exact=True).fill(
        "Came to the counter about her mother's care package; upset.")
    process = page.get_by_role("group", name="Which complaints process?")
    process.get_by_label("Statutory").check()
    page.get_by_label("Which service is the complaint about?").select_option(label="Adult Social Care")
    page.get_by_label("What is the complaint about?").fill(
        "Her mother's care package was cut without a review of her needs.")
    # A contact that raises a complaint is not resolved at first contact: the box follows.
    expect(page.get_by_label("Resolved at first contact")).not_to_be_checked()
    check_page(page, "complaint-at-counter-form", title="Log a contact")
    page.get_by_role("button", name="Log contact").click()

    complaint = Complaint.objects.get(customer=customer)
    contact = Contact.objects.get(customer=customer)
    banners = page.locator(".govuk-notification-banner--success")
    expect(banners.first).to_contain_text(f"Contact {contact.pk} logged for Rita Doorway")
    expect(banners.nth(1)).to_contain_text(
        f"Complaint {complaint.reference} passed to the social care complaints team")
    expect(page.get_by_label("Find the customer")).to_be_focused()
    check_page(page, "complaint-at-counter-logged", title="Log a contact")
    assert (complaint.process, complaint.contact, contact.resolved_at_first_contact) == (
        "statutory", contact, False)

    # Out of the adviser's sight: the customer's history says restricted cases are not listed.
    page.goto(f"/contacts/customers/{customer.pk}/")
    expect(page.locator("body")).to_contain_text("Restricted cases are not listed here")
    expect(page.locator("body")).not_to_contain_text(complaint.reference)
    check_page(page, "complaint-at-counter-360", title="Rita Doorway")


def test_back_office_officer_logs_a_contact_that_reached_the_team_directly(
        page, other_page, check_page, customer):
    from contacts.models import Contact
    from handoffs.models import Handoff

    sign_in(page, "back_office")
    page.get_by_role("link", name="Log a contact").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a direct contact")
    check_page(page, "back-office-log-start", title="Log a direct contact")
    _find(page, check_page, "back-office-log", "Log a direct contact")
    page.get_by_label("Revenues (Council Tax)").check()
    # Choosing the team starts from its service.
    expect(page.get_by_label("Which service is it about?")).to_have_value("council-tax")
    page.get_by_label("Letter").check()
    page.get_by_label("What is it about? (optional)").select_option(label="Single person discount")
    expect(page.get_by_label("Resolved at first contact")).not_to_be_checked()
    page.get_by_label("Summary", exact=True).fill(
        "Wrote to us directly: her husband has died and she now lives alone.")
    check_page(page, "back-office-log-form", title="Log a direct contact")
    page.get_by_role("button", name="Log contact").click()

    contact = Contact.objects.get(customer=customer)
    handoff = Handoff.objects.get(contact=contact)
    banner = page.locator(".govuk-notification-banner--success").first
    expect(banner).to_contain_text(f"Contact {contact.pk} logged for Rita Doorway")
    expect(banner).to_contain_text("Handed off to Revenues (Council Tax) (Fire and Forget), due")
    check_page(page, "back-office-log-logged", title="Log a direct contact")
    assert (contact.source, contact.channel, contact.site.name, handoff.team.name) == (
        "back_office", "letter", "Revenues (Council Tax) office", "Revenues (Council Tax)")

    # Counted in NI14 like any other, and shown by site to the manager.
    sign_in(other_page, "manager")
    today = timezone.localdate().isoformat()
    other_page.goto(f"/reports/?date_from={today}&date_to={today}")
    by_site = other_page.get_by_role("table", name="By site")
    expect(by_site).to_contain_text("Revenues (Council Tax) office (back office)")
    check_page(other_page, "back-office-contact-in-ni14-by-site", title="Avoidable contact (NI14)")


def test_adviser_handles_a_suspected_repeat_by_choosing_explicitly(page, check_page, customer):
    from contacts.models import Contact
    from core.models import EnquiryType, User
    from handoffs.models import Handoff
    from intake.services import contact_log

    missed = EnquiryType.objects.get(service__code="waste", code="missed-bin")
    earlier = contact_log(actor=User.objects.get(username="adviser"), channel="web",
                          service=missed.service, enquiry_type=missed, customer=customer,
                          summary="Green bin not emptied on Tuesday.", source="self_service",
                          received_at=timezone.now() - timedelta(days=1)).handoff

    sign_in(page, "adviser")
    page.get_by_role("link", name="Log a contact").click()
    _find(page, check_page, "repeat", "Log a contact")
    expect(page.locator(".govuk-warning-text")).to_contain_text(
        "Possible repeat contact: Rita Doorway has 1 open enquiry")
    # The question is asked with no answer chosen, and nothing is marked avoidable for the adviser.
    question = page.get_by_role("group", name="Is this contact chasing one of these?")
    expect(question.get_by_role("radio").first).to_be_focused()
    for radio in question.get_by_role("radio").all():
        expect(radio).not_to_be_checked()
    expect(page.get_by_label("Avoidable contact (NI14)")).not_to_be_checked()
    check_page(page, "repeat-question", title="Log a contact")

    # Ctrl+Enter with a summary but no answer logs nothing: the adviser is asked to choose.
    page.get_by_label("Summary", exact=True).fill("Rang to ask when the bin will be emptied.")
    page.keyboard.press("Control+Enter")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Say whether this contact chases one of the open enquiries.")
    check_page(page, "repeat-unanswered", title="Error: Log a contact")
    summary.get_by_role("link", name=re.compile("Say whether")).click()
    assert focused(page, "el.name === 'chasing'")
    assert Contact.objects.filter(customer=customer).count() == 1

    # "Yes": the enquiry type follows, and the contact shows as the rules will store it.
    page.get_by_role("group", name="Is this contact chasing one of these?").get_by_label(
        re.compile(r"^Yes: Missed bin collection")).check()
    expect(page.get_by_label("What is it about?")).to_have_value(str(missed.pk))
    expect(page.get_by_label("Avoidable contact (NI14)")).to_be_checked()
    expect(page.get_by_label("Why was it avoidable?")).to_have_value("progress_chasing")
    expect(page.get_by_label("Resolved at first contact")).to_be_checked()
    check_page(page, "repeat-answered-yes", title="Error: Log a contact")
    page.get_by_role("button", name="Log contact").click()

    banner = page.locator(".govuk-notification-banner--success").first
    expect(banner).to_contain_text(
        f"Logged as chasing enquiry {earlier.pk} (Waste Operations): One & Done, avoidable "
        "(progress chasing).")
    expect(page.get_by_label("Find the customer")).to_be_focused()
    check_page(page, "repeat-logged", title="Log a contact")
    chase = Contact.objects.filter(customer=customer).order_by("-pk").first()
    assert (chase.repeat_of_id, chase.avoidable_reason.code, chase.handoff_method) == (
        earlier.contact_id, "progress_chasing", "one_and_done")
    assert Handoff.objects.filter(contact__customer=customer).count() == 1
