"""An adviser fills a new customer's address from the gazetteer by postcode, with the keyboard
alone (issue 20, item 4): find the address, choose it, save; the customer has the UPRN. And the
GOV.UK date input for the date of birth, with an error in the summary linked to the day box."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from contacts.models import Customer, GazetteerAddress
from core.roles import Role
from tests.e2e.conftest import create_user, focused, sign_in_by_keyboard, tab_until

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def press_enter(page):
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_adviser_fills_an_address_from_a_postcode_with_the_keyboard_only(page, check_page):
    create_user(Role.ADVISER)
    for number, uprn in ((2, "100011990002"), (4, "100011990004"), (10, "100011990010")):
        GazetteerAddress.objects.create(
            uprn=uprn,
            address_line_1=f"{number} Penny Meadow",
            town="Ashton-under-Lyne",
            postcode="OL6 6EX",
            latitude=Decimal("53.4890"),
            longitude=Decimal("-2.0950"),
        )
    sign_in_by_keyboard(page, "e2e_adviser")
    page.goto("/contacts/customers/new/")
    assert focused(page, "el.id === 'id_first_name'")
    page.keyboard.type("Maud")
    tab_until(page, "el.id === 'id_last_name'")
    page.keyboard.type("Heywood")
    # A date of birth that is not a real date: the error summary links to the day box.
    tab_until(page, "el.id === 'id_dob_day'")
    page.keyboard.type("31")
    page.keyboard.press("Tab")
    page.keyboard.type("2")
    page.keyboard.press("Tab")
    page.keyboard.type("1950")
    press_enter(page)  # Enter in a box saves (the form's default button), it does not look up
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(["Date of birth must be a real date."])
    check_page(page, "customer-new-dob-error", title="Error: New customer")
    tab_until(page, "el.tagName === 'A' && el.textContent.trim() === 'Date of birth must be a real date.'")
    page.keyboard.press("Enter")
    assert focused(page, "el.id === 'id_dob_day'")
    page.keyboard.press("Control+a")
    page.keyboard.type("28")

    # The lookup: postcode, "Find address", the list, "Use this address".
    tab_until(page, "el.id === 'id_lookup_postcode'")
    page.keyboard.type("ol6 6ex")
    tab_until(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Find address'")
    press_enter(page)
    assert focused(page, "el.id === 'id_address'"), "the list of addresses should have the focus"
    expect(page.get_by_label("First name")).to_have_value("Maud")
    expect(page.get_by_label("Day")).to_have_value("28")
    check_page(page, "customer-new-address-list", title="New customer")
    page.keyboard.press("ArrowDown")  # 2 Penny Meadow
    page.keyboard.press("ArrowDown")  # 4 Penny Meadow
    expect(page.get_by_label("Select an address")).to_have_value("100011990004")
    tab_until(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Use this address'")
    press_enter(page)
    assert focused(page, "el.id === 'id_address_line_1'")
    expect(page.get_by_label("Address line 1")).to_have_value("4 Penny Meadow")
    expect(page.get_by_label("Town or city")).to_have_value("Ashton-under-Lyne")
    expect(page.get_by_label("Postcode (optional)", exact=True)).to_have_value("OL6 6EX")
    expect(page.get_by_label("UPRN")).to_have_value("100011990004")
    check_page(page, "customer-new-address-filled", title="New customer")

    tab_until(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Add customer'")
    press_enter(page)
    customer = Customer.objects.get(last_name="Heywood")
    assert (customer.address_line_1, customer.postcode, customer.uprn) == (
        "4 Penny Meadow",
        "OL6 6EX",
        "100011990004",
    )
    assert customer.date_of_birth.isoformat() == "1950-02-28"
