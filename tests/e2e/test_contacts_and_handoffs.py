"""The adviser logs contacts and hands off a Customer Advocate enquiry; the back office works it
to resolution; the adviser sees it resolved. Every page visited passes axe (check_page)."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core.working_days import add_working_days
from tests.e2e.conftest import focused, sign_in, sign_in_by_keyboard, tab_until

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

POSTCODE = "OL6 9ZX"  # not one the demo data uses, so the search finds exactly our customer


@pytest.fixture
def customer(demo_data):
    from tests.factories import CustomerFactory

    return CustomerFactory(
        first_name="Nadia", last_name="Journeyman", address_line_1="12 Test Street",
        town="Ashton-under-Lyne", postcode=POSTCODE, phone="07700900461",
    )


def long_date(day) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def find_customer_by_postcode(page, check_page, name_prefix: str):
    page.get_by_role("link", name="Log a contact").click()
    check_page(page, f"{name_prefix}-log-search", title="Log a contact")
    page.get_by_label("Find the customer").fill(POSTCODE.lower().replace(" ", ""))
    page.get_by_role("button", name="Search").click()
    results = page.get_by_role("table", name="Customers matching your search")
    expect(results.get_by_role("row")).to_have_count(2)  # the header and our customer
    check_page(page, f"{name_prefix}-log-results", title="Log a contact")
    results.get_by_role("link", name="Select Nadia Journeyman").click()
    expect(page.get_by_role("heading", name="Nadia Journeyman", level=2)).to_be_visible()


def test_adviser_logs_contacts_hands_off_an_advocate_case_and_back_office_resolves_it(
    page, other_page, check_page, customer
):
    sign_in(page, "adviser")
    check_page(page, "adviser-home", title="Your work")

    # 1. One & Done: a Council Tax balance enquiry, resolved there and then.
    find_customer_by_postcode(page, check_page, "adviser")
    check_page(page, "adviser-log-form", title="Log a contact")
    page.get_by_label("Telephone").check()
    page.get_by_label("What is it about?").select_option(label="Balance or payment enquiry")
    expect(page.locator("#id_enquiry_type-handoff")).to_have_text("One & Done: resolve it now")
    page.get_by_label("Summary").fill("Asked for the balance on the account; told £312.40.")
    expect(page.get_by_label("Resolved at first contact")).to_be_checked()
    page.get_by_role("button", name="Log contact").click()
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text("logged for Nadia Journeyman: Balance or payment enquiry (Council Tax).")
    check_page(page, "adviser-logged-one-and-done", title="Log a contact")

    # 2. An avoidable contact with its reason: chasing a missed bin.
    find_customer_by_postcode(page, check_page, "adviser-second")
    page.get_by_label("Telephone").check()
    page.get_by_label("What is it about?").select_option(label="Collection days")
    page.get_by_label("Summary").fill("Letter about new collection days was unclear; explained.")
    reason = page.get_by_label("Why was it avoidable?")
    expect(reason).to_be_hidden()  # revealed only when the contact is marked avoidable
    page.get_by_label("Avoidable contact (NI14)").check()
    expect(reason).to_be_visible()
    reason.select_option(label="Seeking clarification")
    check_page(page, "adviser-log-avoidable", title="Log a contact")
    page.get_by_role("button", name="Log contact").click()
    expect(banner).to_contain_text("Collection days (Waste and Recycling)")

    from contacts.models import Contact

    avoidable = Contact.objects.filter(customer=customer).order_by("-pk").first()
    assert avoidable.avoidable and avoidable.avoidable_reason.code == "seeking_clarification"

    # 3. A Customer Advocate enquiry: a new benefit claim goes to Benefits, 14 working days.
    find_customer_by_postcode(page, check_page, "adviser-third")
    page.get_by_label("Face to face").check()
    page.get_by_label("What is it about?").select_option(
        label="New Housing Benefit or Council Tax Support claim")
    expect(page.locator("#id_enquiry_type-handoff")).to_have_text(
        "Customer Advocate to Benefits, 14 working days")
    page.get_by_label("Summary").fill("Lost her job last week; wants to claim Council Tax Support.")
    page.get_by_label("Resolved at first contact").uncheck()
    page.get_by_role("button", name="Log contact").click()
    due = add_working_days(timezone.localdate(), 14)
    expect(banner).to_contain_text(f"Handed off to Benefits (Customer Advocate), due {long_date(due)}.")
    check_page(page, "adviser-logged-handoff", title="Log a contact")

    from handoffs.models import Handoff

    handoff = Handoff.objects.get(contact__customer=customer)

    # 4. It is on the adviser's advocate list.
    page.get_by_role("link", name="My advocate cases").click()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=str(handoff.pk), exact=True))
    expect(row).to_contain_text("Nadia Journeyman")
    expect(row).to_contain_text("Open")
    expect(row).to_contain_text(f"{due:%a} {due.day} {due:%b}")
    check_page(page, "adviser-advocate-list", title="My advocate cases")

    # 5. The back-office officer, at another desk, finds it in the team queue and accepts it.
    officer = other_page
    sign_in(officer, "back_office")
    officer.get_by_role("link", name="Team queue").click()
    check_page(officer, "back-office-queue", title="Team queue")
    officer.get_by_role("link", name=str(handoff.pk), exact=True).click()
    expect(officer.get_by_role("heading", level=1)).to_contain_text(
        "New Housing Benefit or Council Tax Support claim")
    check_page(officer, "back-office-handoff-open", title=f"Hand-off {handoff.pk}")
    officer.get_by_role("button", name="Accept and take ownership").click()
    expect(officer.locator("h1 .govuk-tag").first).to_have_text("In progress")
    check_page(officer, "back-office-handoff-accepted", title=f"Hand-off {handoff.pk}")

    # 6. An update, telling the customer.
    officer.get_by_label("Update", exact=True).fill("Claim form sent; evidence of income requested.")
    officer.get_by_label("The customer has been informed").check()
    officer.get_by_role("group", name="If so, how?").get_by_label("Email").check()
    officer.get_by_role("button", name="Add update").click()
    timeline = officer.locator(".nwd-timeline")
    expect(timeline).to_contain_text("Claim form sent; evidence of income requested.")
    expect(timeline).to_contain_text("Customer informed by email")
    check_page(officer, "back-office-handoff-updated", title=f"Hand-off {handoff.pk}")

    # 7. Resolve it.
    officer.get_by_label("Outcome").fill("Claim assessed: Council Tax Support awarded from Monday.")
    officer.get_by_role("button", name="Resolve hand-off").click()
    expect(officer.locator("h1 .govuk-tag").first).to_have_text("Resolved")
    check_page(officer, "back-office-handoff-resolved", title=f"Hand-off {handoff.pk}")

    # 8. The adviser sees it resolved: off the open list, resolved on its page.
    page.get_by_role("link", name="My advocate cases").click()
    expect(page.get_by_role("link", name=str(handoff.pk), exact=True)).to_have_count(0)
    page.goto(f"/handoffs/{handoff.pk}/")
    expect(page.locator("h1 .govuk-tag").first).to_have_text("Resolved")
    expect(page.locator(".govuk-summary-list")).to_contain_text(
        "Claim assessed: Council Tax Support awarded from Monday.")
    check_page(page, "adviser-sees-resolved", title=f"Hand-off {handoff.pk}")


def test_adviser_logs_contacts_and_hands_off_with_the_keyboard_alone(page, check_page, customer):
    sign_in_by_keyboard(page, "adviser")
    tab_until(page, "el.tagName === 'A' && el.textContent.trim() === 'Log a contact'")
    page.keyboard.press("Enter")
    # The search box has the focus when the page opens.
    expect(page.get_by_label("Find the customer")).to_be_focused()
    page.keyboard.type(POSTCODE)
    page.keyboard.press("Enter")
    # The first "Select" takes the focus.
    expect(page.get_by_role("link", name="Select Nadia Journeyman")).to_be_focused()
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Nadia Journeyman", level=2).wait_for()

    # The enquiry type select has the focus: type to jump, as the hint says.
    expect(page.get_by_label("What is it about?")).to_be_focused()
    page.keyboard.type("Missed bin")
    expect(page.get_by_label("What is it about?")).to_have_value(re.compile(r"\d+"))

    # Ctrl+Enter with no summary: the GOV.UK error summary takes the focus; its link leads to the field.
    page.keyboard.press("Control+Enter")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    page.wait_for_function("document.activeElement.classList.contains('govuk-error-summary')")
    assert page.title().startswith("Error: Log a contact"), page.title()
    check_page(page, "adviser-keyboard-log-error", title="Error: Log a contact")
    tab_until(page, "el.closest('.govuk-error-summary') && el.tagName === 'A'", limit=5)
    page.keyboard.press("Enter")
    expect(page.get_by_label("Summary", exact=True)).to_be_focused()
    page.keyboard.type("Bin missed again on Tuesday; chasing the report from last week.")
    tab_until(page, "el.id === 'id_avoidable'")
    page.keyboard.press("Space")
    tab_until(page, "el.id === 'id_avoidable_reason'")
    page.keyboard.type("Service")  # jumps to "Service failure"
    expect(page.get_by_label("Why was it avoidable?")).to_have_value("service_failure")
    check_page(page, "adviser-keyboard-log-form", title="Error: Log a contact")  # errors not yet resent
    page.keyboard.press("Control+Enter")
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text("logged for Nadia Journeyman")

    from contacts.models import Contact

    contact = Contact.objects.get(customer=customer)
    assert contact.avoidable and contact.avoidable_reason.code == "service_failure"
    assert contact.enquiry_type.name == "Missed bin collection"
    check_page(page, "adviser-keyboard-logged", title="Log a contact")

    # A Customer Advocate enquiry, not resolved now: handed off to Benefits. After the save the
    # search box has the focus again, ready for the next caller.
    expect(page.get_by_label("Find the customer")).to_be_focused()
    page.keyboard.type(POSTCODE)
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Select Nadia Journeyman")).to_be_focused()
    page.keyboard.press("Enter")
    # The open missed-bin enquiry makes this a possible repeat: the question has the focus and
    # no answer is chosen, nor is the contact marked avoidable (suggest, never pre-set).
    expect(page.locator("input[name='chasing']").first).to_be_focused()
    assert not focused(page, "el.checked")
    expect(page.get_by_label("Avoidable contact (NI14)")).not_to_be_checked()
    check_page(page, "adviser-keyboard-possible-repeat", title="Log a contact")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("No, it is about something else")).to_be_checked()
    expect(page.get_by_label("Avoidable contact (NI14)")).not_to_be_checked()
    tab_until(page, "el.id === 'id_enquiry_type'")
    page.keyboard.type("New Housing")
    expect(page.locator("#id_enquiry_type-handoff")).to_have_text(
        "Customer Advocate to Benefits, 14 working days")
    tab_until(page, "el.id === 'id_summary'")
    page.keyboard.type("Wants to claim Council Tax Support.")
    # A handed-off contact is not resolved at first contact: the box follows the enquiry type.
    expect(page.get_by_label("Resolved at first contact")).not_to_be_checked()
    tab_until(page, "el.id === 'id_avoidable'")
    expect(page.get_by_label("Avoidable contact (NI14)")).not_to_be_checked()
    tab_until(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Log contact'")
    page.keyboard.press("Enter")
    due = add_working_days(timezone.localdate(), 14)
    expect(banner).to_contain_text(f"Handed off to Benefits (Customer Advocate), due {long_date(due)}.")

    from handoffs.models import Handoff

    handoff = Handoff.objects.get(contact__customer=customer, method="customer_advocate")
    tab_until(page, "el.tagName === 'A' && el.textContent.trim() === 'My advocate cases'")
    page.keyboard.press("Enter")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=str(handoff.pk), exact=True))
    expect(row).to_contain_text("Nadia Journeyman")
    check_page(page, "adviser-keyboard-advocate-list", title="My advocate cases")


def test_back_office_works_a_handoff_to_resolution_with_the_keyboard_alone(page, check_page, customer):
    from core.models import ChannelCode, EnquiryType, User
    from handoffs.models import Handoff
    from intake.services import contact_log

    claim = EnquiryType.objects.get(name="New Housing Benefit or Council Tax Support claim")
    contact_log(actor=User.objects.get(username="adviser"), channel=ChannelCode.TELEPHONE,
                service=claim.service, enquiry_type=claim, customer=customer, source="e2e",
                summary="Wants to claim Council Tax Support.", resolved_at_first_contact=False)
    handoff = Handoff.objects.get(contact__customer=customer)

    sign_in_by_keyboard(page, "back_office")
    tab_until(page, "el.tagName === 'A' && el.textContent.trim() === 'Team queue'")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("queue")
    tab_until(page, f"el.tagName === 'A' && el.textContent.trim() === '{handoff.pk}'", limit=200)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("New Housing Benefit")

    tab_until(page, "el.tagName === 'BUTTON' && el.textContent.includes('Accept and take ownership')")
    page.keyboard.press("Enter")
    expect(page.locator("h1 .govuk-tag").first).to_have_text("In progress")

    # "Informed" ticked but not how: the GOV.UK error summary takes the focus, and its link
    # takes the keyboard user to the first radio of the question.
    tab_until(page, "el.id === 'id_update-note'")
    page.keyboard.type("Rang the customer: claim form on its way.")
    tab_until(page, "el.id === 'id_update-customer_informed'")
    page.keyboard.press("Space")
    tab_until(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Add update'")
    page.keyboard.press("Enter")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select how the customer was informed.")
    page.wait_for_function("document.activeElement.classList.contains('govuk-error-summary')")
    assert page.title().startswith(f"Error: Hand-off {handoff.pk}")
    check_page(page, "back-office-keyboard-update-error", title=f"Error: Hand-off {handoff.pk}")
    tab_until(page, "el.closest('.govuk-error-summary') && el.tagName === 'A'", limit=5)
    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement.id === 'id_update-informed_via'")
    expect(page.get_by_label("Update", exact=True)).to_have_value("Rang the customer: claim form on its way.")
    page.keyboard.press("Space")  # the first radio: Phone
    expect(page.get_by_label("Phone")).to_be_checked()
    tab_until(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Add update'")
    page.keyboard.press("Enter")
    timeline = page.locator(".nwd-timeline")
    expect(timeline).to_contain_text("Rang the customer: claim form on its way.")
    expect(timeline).to_contain_text("Customer informed by phone")
    check_page(page, "back-office-keyboard-updated", title=f"Hand-off {handoff.pk}")

    tab_until(page, "el.id === 'id_resolve-outcome'")
    page.keyboard.type("Claim assessed and awarded.")
    tab_until(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Resolve hand-off'")
    page.keyboard.press("Enter")
    expect(page.locator("h1 .govuk-tag").first).to_have_text("Resolved")
    check_page(page, "back-office-keyboard-resolved", title=f"Hand-off {handoff.pk}")
    handoff.refresh_from_db()
    assert handoff.status == Handoff.Status.RESOLVED and handoff.outcome == "Claim assessed and awarded."
