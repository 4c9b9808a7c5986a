"""Issue 20, "Done when": a resident reports a problem with a photo, and the receiving team's
officer sees it on the hand-off. The resident gives a phone number and no email address (email
is optional where a phone or postal address will do). Every page screenshot
(test-artifacts/screenshots/selfservice-photos-*.png, photos-*.png) and axe clean; the photos
page by keyboard alone."""

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from contacts import photos
from contacts.models import ContactPhoto
from core.models import OutboundMessage
from core.roles import Role
from selfservice.models import SelfServiceSubmission
from tests.e2e.conftest import create_user, new_page, sign_in, tab_until
from tests.e2e.test_selfservice import check_public_page, continue_, offers  # noqa: F401 - shared fixtures
from tests.photos import gps_of, image_bytes

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # The self-service limits count per address in the cache (Redis when REDIS_URL is set), which
    # outlives a run: journeys run again within the hour would meet "too many forms".
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def test_resident_reports_a_problem_with_a_photo_and_the_team_sees_it(
    page, offers, check_public_page, check_page, browser, live_server, tmp_path  # noqa: F811
):
    # A photo as a phone writes it: with the place it was taken in its EXIF.
    pothole = tmp_path / "pothole.jpg"
    pothole.write_bytes(image_bytes("JPEG", size=(640, 480), colour=(90, 90, 90), gps=True))
    notes = tmp_path / "notes.jpg"
    notes.write_text("Not a photo at all.")

    page.goto("/self-service/what/")
    page.get_by_label("Report a problem").check()
    continue_(page)
    page.get_by_label("A missed bin collection").check()
    continue_(page)
    page.get_by_label("Tell us about the problem").fill("The grey bin was left in the road.")
    continue_(page)
    page.get_by_label("Or describe where it is").fill("12 Oak Street, Ashton-under-Lyne")
    continue_(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Add photos of the problem (optional)")
    check_public_page(page, "photos-01-upload")
    # A text file named like a photo: the GOV.UK file upload's own error, nothing lost.
    page.locator("input[type=file]").set_input_files(str(notes))
    continue_(page)
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The selected file must be a JPG, PNG or WebP.")
    check_public_page(page, "photos-02-wrong-type")
    summary.get_by_role("link").first.click()
    page.locator("input[type=file]").set_input_files(str(pothole))
    continue_(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("What is your name?")
    page.get_by_role("link", name="Back").click()
    expect(page.get_by_test_id("added-photos")).to_contain_text("pothole.jpg")
    check_public_page(page, "photos-03-added")
    continue_(page)

    page.get_by_label("First name").fill("Ada")
    page.get_by_label("Last name").fill("Lovelace")
    continue_(page)
    continue_(page)  # no way to reply given: the error says what will do
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter an email address, phone number or postal address.")
    check_public_page(page, "photos-04-contact-error")
    page.get_by_label("UK phone number").fill("07700 900 982")
    continue_(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before sending")
    rows = page.locator(".govuk-summary-list")
    expect(rows).to_contain_text("pothole.jpg")
    expect(rows).to_contain_text("07700900982")
    check_public_page(page, "photos-05-check")
    page.get_by_role("button", name="Accept and send").click()
    page.get_by_role("heading", level=1, name="Report received").wait_for()
    check_public_page(page, "photos-06-done")
    reference = page.get_by_test_id("reference").inner_text()
    expect(page.get_by_text("we have not sent it to you")).to_be_visible()
    assert page.locator("img").count() == 0  # the resident never gets an address for the photo

    submission = SelfServiceSubmission.objects.get(reference=reference)
    assert submission.email == "" and not OutboundMessage.objects.filter(
        dedupe_key=f"selfservice:{reference}:receipt").exists()
    photo = ContactPhoto.objects.get(contact=submission.contact)
    assert gps_of(photos.photo_content(photo)) == {}
    handoff = submission.contact.handoffs.get()

    # The receiving team's officer, at another desk.
    officer = create_user(Role.BACK_OFFICE, username="waste_officer", first_name="Wendy")
    handoff.team.members.add(officer)
    desk = new_page(browser, live_server)
    try:
        sign_in(desk, "waste_officer")
        desk.goto(f"/handoffs/{handoff.pk}/")
        thumbnail = desk.get_by_role("img", name="Photo 1 sent by the customer")
        expect(thumbnail).to_be_visible()
        thumbnail.scroll_into_view_if_needed()  # loading="lazy"
        desk.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle())
        assert desk.evaluate("img => img.naturalWidth", thumbnail.element_handle()) == 640
        check_page(desk, "photos-07-handoff")
        with desk.expect_response(lambda r: f"/photos/{photo.pk}/" in r.url) as answered:
            desk.get_by_role("link", name="Photo 1").click()
        assert answered.value.status == 200
        assert answered.value.headers["content-type"] == "image/jpeg"
    finally:
        desk.context.close()

    # Someone in another team gets nothing.
    create_user(Role.BACK_OFFICE, username="parks_officer")
    outsider = new_page(browser, live_server)
    try:
        sign_in(outsider, "parks_officer")
        assert outsider.goto(f"/handoffs/{handoff.pk}/photos/{photo.pk}/").status == 404
    finally:
        outsider.context.close()


def test_the_photos_page_works_with_the_keyboard_alone(page, offers, check_public_page, tmp_path):  # noqa: F811
    """The GOV.UK file upload's "Choose file" button opens the file chooser from the keyboard; the
    Remove button and Continue are reached by Tab."""
    photo = tmp_path / "bin.png"
    photo.write_bytes(image_bytes("PNG", size=(320, 240)))
    page.goto("/self-service/what/")
    page.get_by_label("Report a problem").check()
    continue_(page)
    page.get_by_label("A missed bin collection").check()
    continue_(page)
    page.get_by_label("Tell us about the problem").fill("Bin not emptied.")
    continue_(page)
    page.get_by_label("Or describe where it is").fill("12 Oak Street")
    continue_(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Add photos of the problem (optional)")

    page.wait_for_load_state("load")  # the file upload's button is made by GOV.UK Frontend's script
    tab_until(page, "el.tagName === 'BUTTON' && el.closest('.govuk-file-upload-wrapper')")
    chooser = None
    for key in ("Enter", "Space", "Enter"):  # headless Chromium now and then drops the first one
        try:
            with page.expect_file_chooser(timeout=3000) as opened:
                page.keyboard.press(key)
            chooser = opened.value
            break
        except PlaywrightTimeoutError:
            continue
    assert chooser is not None, "the Choose file button never opened the file chooser"
    chooser.set_files(str(photo))
    tab_until(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Continue'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("What is your name?")

    page.get_by_role("link", name="Back").click()
    expect(page.get_by_test_id("added-photos")).to_contain_text("bin.png")
    tab_until(page, "el.tagName === 'BUTTON' && el.textContent.trim().startsWith('Remove')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_test_id("added-photos")).to_have_count(0)
    check_public_page(page, "photos-08-keyboard-removed")
