"""Work lists that scale and picking the right person (issue 20): a team lead finds, sorts and
bulk-assigns hand-offs; a complaints officer picks the right "Buckley". Every page passes axe."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def buckleys(demo_data):
    from tests.factories import CustomerFactory

    return {
        "grace": CustomerFactory(first_name="Grace", last_name="Buckley", address_line_1="4 Mill Lane",
                                 town="Stalybridge", postcode="SK15 9ZQ", date_of_birth="1961-04-12"),
        "arthur": CustomerFactory(first_name="Arthur", last_name="Buckley", address_line_1="88 Ridge Road",
                                  town="Hyde", postcode="SK14 9ZQ", date_of_birth="1948-09-30"),
    }


def test_team_lead_finds_sorts_and_bulk_assigns(page, check_page, demo_data):
    from core.models import Team
    from handoffs.models import Handoff
    from tests.factories import CustomerFactory
    from tests.handoffs.factories import open_handoff

    # A surname the demo data does not use, so the search finds exactly these two.
    nadia = CustomerFactory(first_name="Nadia", last_name="Quenby", postcode="SK15 9ZQ")
    omar = CustomerFactory(first_name="Omar", last_name="Quenby", postcode="SK14 9ZQ")
    team = Team.objects.filter(members__username="back_office", is_front_office=False).order_by("pk").first()
    quick = open_handoff(team=team, customer=nadia, days=2)
    slow = open_handoff(team=team, customer=omar, days=9)
    other = open_handoff(team=team, days=4)

    sign_in(page, "manager")  # the demo's team lead
    page.goto("/handoffs/")
    check_page(page, "worklist-queue", title="Team queue")
    page.get_by_label("Search").fill("quenby")
    page.get_by_label("Assigned").select_option(label="Unassigned")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#list-count")).to_have_text("Showing 1 to 2 of 2 hand-offs")
    rows = page.locator("table.govuk-table tbody tr")
    expect(rows.nth(0)).to_contain_text("Nadia Quenby")  # soonest due first
    assert "q=quenby" in page.url and "assigned=none" in page.url

    page.get_by_role("link", name="Due (sorted ascending; sort descending)").click()
    expect(rows.nth(0)).to_contain_text("Omar Quenby")
    expect(page.locator('th[aria-sort="descending"]')).to_contain_text("Due")
    assert "q=quenby" in page.url and "order=desc" in page.url
    check_page(page, "worklist-queue-sorted", title="Team queue")

    page.get_by_label(f"Select hand-off {quick.pk}").check()
    page.get_by_label(f"Select hand-off {slow.pk}").check()
    page.get_by_label("Assign the selected hand-offs to").select_option(label="Ben Okafor")
    page.get_by_role("button", name="Assign selected").click()
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text("2 hand-offs assigned to Ben Okafor")
    # Back on the same list (filtered to unassigned): they have left it.
    expect(page.locator("body")).to_contain_text("No hand-offs match")
    assert "q=quenby" in page.url
    check_page(page, "worklist-queue-assigned", title="Team queue")
    assert set(Handoff.objects.filter(assigned_to__username="back_office").values_list("pk", flat=True)) >= {
        quick.pk, slow.pk}
    assert Handoff.objects.get(pk=other.pk).assigned_to is None


def test_bulk_assign_without_a_choice_shows_the_error_summary(page, check_page, demo_data):
    from core.models import Team
    from tests.handoffs.factories import open_handoff

    team = Team.objects.filter(members__username="back_office", is_front_office=False).order_by("pk").first()
    open_handoff(team=team)
    sign_in(page, "manager")
    page.goto("/handoffs/")
    page.get_by_role("button", name="Assign selected").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select an officer.")
    check_page(page, "worklist-queue-error", title="Error: Team queue")


def test_complaints_officer_picks_the_right_buckley(page, check_page, buckleys):
    from complaints.models import Complaint

    sign_in(page, "complaints_officer")
    page.goto("/complaints/new/")
    page.get_by_label("Find the customer").fill("Grace Buckley")
    page.get_by_role("button", name="Search").click()
    table = page.locator("table.govuk-table")
    rows = table.locator("tbody tr")
    # "first last" exact first: every Grace Buckley (the demo has its own) before anyone else;
    # Arthur Buckley matches only the surname and is not listed for "Grace Buckley".
    expect(rows.nth(0)).to_contain_text("Grace Buckley")
    expect(table).not_to_contain_text("Arthur Buckley")
    ours = rows.filter(has_text="4 Mill Lane")
    expect(ours).to_contain_text("12 Apr 1961")  # date of birth and address tell them apart
    check_page(page, "buckley-search", title="Log a complaint")
    ours.get_by_role("link", name="Select Grace Buckley").click()
    card = page.locator("#chosen-customer")
    expect(card).to_contain_text("Grace Buckley")
    expect(card).to_contain_text("12 April 1961")
    expect(card).to_contain_text("Stalybridge")
    check_page(page, "buckley-chosen", title="Log a complaint")
    page.get_by_label("Service", exact=True).select_option(index=1)
    page.get_by_label("What is the complaint about?").fill("The bin crew left the gate open again.")
    page.get_by_role("button", name="Log the complaint").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("logged")
    newest = Complaint.objects.order_by("-pk").first()  # the demo data has complaints of its own
    assert newest.customer == buckleys["grace"]
    assert newest.summary == "The bin crew left the gate open again."


def test_manager_merges_two_customers_and_undoes_it(page, check_page, demo_data):
    from contacts.models import Customer
    from tests.factories import CustomerFactory
    from tests.handoffs.factories import open_handoff

    keep = CustomerFactory(first_name="Edith", last_name="Merryweather", postcode="OL7 9ZQ",
                           date_of_birth="1955-02-01", phone="07700900777", address_line_1="1 Old Road")
    dupe = CustomerFactory(first_name="Edith", last_name="Merryweather", postcode="OL7 9ZQ",
                           date_of_birth="1955-02-01", phone="07700900778", address_line_1="2 New Road")
    handoff = open_handoff(customer=dupe)

    sign_in(page, "manager")
    page.goto(f"/contacts/customers/{keep.pk}/")
    expect(page.locator("#duplicates + table")).to_contain_text("Likely")
    check_page(page, "merge-360-duplicates", title="Edith Merryweather")
    page.get_by_role("link", name=f"Compare and merge with Edith Merryweather ({dupe.pk})").click()
    check_page(page, "merge-compare", title="Merge two customer records")
    page.get_by_role("button", name="Merge the records").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the record to keep.")
    check_page(page, "merge-error", title="Error: Merge two customer records")
    page.get_by_label(f"Customer {keep.pk} (Edith Merryweather)").check()
    page.get_by_label(f"2 New Road (address line 1 of customer {dupe.pk})").check()
    page.get_by_role("button", name="Merge the records").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Customer {dupe.pk} merged into {keep.pk}")
    check_page(page, "merge-done", title="Edith Merryweather")
    keep.refresh_from_db()
    assert keep.address_line_1 == "2 New Road" and keep.phone == "07700900777"
    handoff.contact.refresh_from_db()
    assert handoff.contact.customer_id == keep.pk
    page.goto(f"/contacts/customers/{dupe.pk}/")  # the old number leads to the record kept
    assert page.url.endswith(f"/contacts/customers/{keep.pk}/")
    page.get_by_role("button", name=f"Undo the merge of customer {dupe.pk}").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Merge undone")
    assert Customer.objects.active().filter(pk=dupe.pk).exists()
    handoff.contact.refresh_from_db()
    assert handoff.contact.customer_id == dupe.pk
