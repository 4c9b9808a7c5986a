"""A resident fills where the problem is from a postcode with the keyboard alone (issue 20,
item 4): a postcode that is not one meets the error summary, "Find address" brings the page back
with the gazetteer's list, the address chosen shows on the check page with its UPRN, and the
submission and its contact carry the UPRN. Every page axe-checked and screenshot
(test-artifacts/screenshots/selfservice-addr-*.png)."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from contacts.models import GazetteerAddress
from selfservice.models import SelfServiceSubmission
from tests.e2e.conftest import focused, tab_until
from tests.e2e.test_selfservice import check_public_page, offers  # noqa: F401 - shared fixtures
from tests.e2e.test_selfservice_keyboard import (
    choose_radio,
    continue_by_keyboard,
    describe_a_missed_bin_by_keyboard,
    give_name_and_email_by_keyboard,
    submit,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _report_a_missed_bin_as_far_as_where(page):
    page.goto("/self-service/what/")
    choose_radio(page, "kind", "Report a problem")
    continue_by_keyboard(page)
    describe_a_missed_bin_by_keyboard(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Where is the problem?")


def test_resident_fills_the_address_from_a_postcode_with_the_keyboard_only(
    page, offers, check_public_page  # noqa: F811 - the shared fixtures
):
    for number, uprn in ((2, "100011990002"), (4, "100011990004"), (10, "100011990010")):
        GazetteerAddress.objects.create(
            uprn=uprn, address_line_1=f"{number} Penny Meadow", town="Ashton-under-Lyne",
            postcode="OL6 6EX", latitude=Decimal("53.4890"), longitude=Decimal("-2.0950"))
    _report_a_missed_bin_as_far_as_where(page)
    check_public_page(page, "addr-01-location")

    # A postcode that is not one: Enter in its box looks it up, and the error summary says why.
    tab_until(page, "el.id === 'id_lookup_postcode'")
    page.keyboard.type("OL6 EEX")
    submit(page)
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(["Enter a full UK postcode, like OL6 6AB."])
    check_public_page(page, "addr-02-postcode-error")
    tab_until(page, "el.closest('.govuk-error-summary') && el.tagName === 'A'", limit=5)
    page.keyboard.press("Enter")
    assert focused(page, "el.id === 'id_lookup_postcode'")
    page.keyboard.press("Control+a")
    page.keyboard.type("ol6 6ex")
    tab_until(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Find address'", limit=3)
    submit(page)

    # The list, in street-number order, has the focus.
    assert focused(page, "el.id === 'id_address'"), "the list of addresses should have the focus"
    expect(page.get_by_label("Select the address").locator("option")).to_have_text([
        "3 addresses found", "2 Penny Meadow, Ashton-under-Lyne, OL6 6EX",
        "4 Penny Meadow, Ashton-under-Lyne, OL6 6EX", "10 Penny Meadow, Ashton-under-Lyne, OL6 6EX"])
    check_public_page(page, "addr-03-address-list")
    page.keyboard.press("ArrowDown")  # 2 Penny Meadow
    page.keyboard.press("ArrowDown")  # 4 Penny Meadow
    expect(page.get_by_label("Select the address")).to_have_value("100011990004")
    continue_by_keyboard(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Add photos of the problem (optional)")
    continue_by_keyboard(page)
    give_name_and_email_by_keyboard(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before sending")
    where = page.locator(".govuk-summary-list__row").filter(has_text="Where")
    expect(where).to_contain_text("4 Penny Meadow, Ashton-under-Lyne, OL6 6EX")
    expect(where).to_contain_text("Property reference (UPRN): 100011990004")
    check_public_page(page, "addr-04-check")
    tab_until(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Accept and send'")
    submit(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Report received")
    submission = SelfServiceSubmission.objects.get(reference=page.get_by_test_id("reference").inner_text())
    assert (submission.uprn, submission.address) == (
        "100011990004", "4 Penny Meadow, Ashton-under-Lyne, OL6 6EX")
    assert "4 Penny Meadow, Ashton-under-Lyne, OL6 6EX (UPRN 100011990004)" in submission.contact.summary


def test_resident_uses_their_location_and_the_report_gets_the_nearest_property(
    page, live_server, offers, check_public_page  # noqa: F811 - the shared fixtures
):
    """"Use my current location" (shown only where the browser can give one): refused, it says
    what to do instead; allowed, the point goes with the report, the check page names the nearest
    property and the submission carries its UPRN (contacts.gazetteer.report_uprn)."""
    for number, uprn, latitude in ((4, "100011990004", "53.489000"), (10, "100011990010", "53.491000")):
        GazetteerAddress.objects.create(
            uprn=uprn, address_line_1=f"{number} Penny Meadow", town="Ashton-under-Lyne",
            postcode="OL6 6EX", latitude=Decimal(latitude), longitude=Decimal("-2.095000"))
    page.context.clear_permissions()
    page.context.set_geolocation({"latitude": 53.48905, "longitude": -2.09502})
    _report_a_missed_bin_as_far_as_where(page)
    use = page.get_by_role("button", name="Use my current location")
    expect(use).to_be_visible()
    check_public_page(page, "addr-05-use-location")

    use.click()  # the browser refuses (no permission given)
    expect(page.get_by_role("status")).to_have_text(
        "We could not get your location. Find the address by postcode, or describe where the problem is.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Where is the problem?")

    page.context.grant_permissions(["geolocation"], origin=live_server.url)
    use.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add photos of the problem (optional)")
    continue_by_keyboard(page)
    give_name_and_email_by_keyboard(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before sending")
    where = page.locator(".govuk-summary-list__row").filter(has_text="Where")
    expect(where).to_contain_text("Your current location, near 4 Penny Meadow, Ashton-under-Lyne, OL6 6EX")
    check_public_page(page, "addr-06-check-location")
    tab_until(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Accept and send'")
    submit(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Report received")
    submission = SelfServiceSubmission.objects.get(reference=page.get_by_test_id("reference").inner_text())
    assert (submission.uprn, submission.latitude, submission.longitude) == (
        "100011990004", Decimal("53.489050"), Decimal("-2.095020"))
