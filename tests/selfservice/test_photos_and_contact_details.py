"""Issue 20, item 7, through the Django test client: a problem report may carry photos (checked,
cleaned of their location, kept privately and shown only to the team that receives it), and an
email address is optional when a phone number or postal address will do."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from contacts import photos
from contacts.models import ContactPhoto, Customer
from core.models import OutboundMessage
from core.roles import Role
from selfservice.models import SelfServiceSubmission
from selfservice.services import Answers, submission_create
from tests.factories import TeamFactory
from tests.photos import gps_of, image_bytes, jpeg_with_gps, png, upload
from tests.selfservice.test_journeys import BASE, answer

pytestmark = pytest.mark.django_db


def _to_photos(client, catalogue):
    answer(client, "what", {"kind": "problem"})
    answer(client, "which", {"offer": catalogue["missed"].pk})
    answer(client, "details", {"description": "Bin left on the pavement."})
    answer(client, "location", {"location": "12 Oak Street, OL6 6AB"}, follow_to=f"{BASE}photos/")


def _after_photos(client, contact=None):
    answer(client, "name", {"first_name": "Ada", "last_name": "Lovelace"}, follow_to=f"{BASE}email/")
    answer(client, "email", contact or {"email": "ada@example.com"}, follow_to=f"{BASE}check/")
    return client.post(f"{BASE}check/")


# --- photos on a problem report --------------------------------------------------------------


def test_the_photos_page_uses_the_govuk_file_upload_in_a_multipart_form(client, catalogue):
    _to_photos(client, catalogue)
    page = client.get(f"{BASE}photos/").content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert 'class="govuk-file-upload"' in page and 'data-module="govuk-file-upload"' in page
    assert 'type="file" multiple' in page and "Add photos of the problem (optional)" in page
    assert "up to 3 photos" in page
    assert 'data-prevent-double-click="true"' in page  # a second click would send the photos twice


def test_a_resident_reports_a_problem_with_two_photos_and_the_gps_position_is_gone(client, catalogue):
    _to_photos(client, catalogue)
    response = client.post(f"{BASE}photos/", {"photos": [jpeg_with_gps("pothole.jpg"), png("bin.png")]})
    assert response.status_code == 302 and response["Location"] == f"{BASE}name/"
    assert _after_photos(client).status_code == 302

    submission = SelfServiceSubmission.objects.get()
    stored = list(ContactPhoto.objects.filter(contact=submission.contact).order_by("position"))
    assert [(p.position, p.format, p.width, p.height) for p in stored] == [(1, "jpeg", 64, 48),
                                                                          (2, "png", 64, 48)]
    assert gps_of(photos.photo_content(stored[0])) == {}
    # The resident's own pages never give an address for a stored photo.
    done = client.get(f"{BASE}done/").content.decode()
    assert "/photos/" not in done and stored[0].file_name not in done


def test_the_check_page_lists_the_photos_by_the_residents_file_names(client, catalogue):
    _to_photos(client, catalogue)
    client.post(f"{BASE}photos/", {"photos": [jpeg_with_gps("pothole.jpg")]})
    answer(client, "name", {"first_name": "Ada", "last_name": "Lovelace"})
    answer(client, "email", {"email": "ada@example.com"})
    page = client.get(f"{BASE}check/").content.decode()
    assert "Photos" in page and "pothole.jpg" in page and f"{BASE}photos/?change=1" in page


@pytest.mark.parametrize(("files", "message"), [
    ([upload("notes.jpg", b"just some text, named like a photo")],
     "The selected file must be a JPG, PNG or WebP."),
    ([upload("huge.jpg", b"\xff" * (10 * 1024 * 1024 + 10))], "The selected file must be smaller than 10MB."),
    ([upload("bomb.png", image_bytes("PNG", size=(8000, 8000), mode="1"), "image/png")],
     "The selected file must be a photo of 50 megapixels or fewer."),
    ([png("1.png"), png("2.png"), png("3.png"), png("4.png")], "You can only add up to 3 photos."),
])
def test_a_refused_photo_is_a_field_error_and_the_answers_so_far_are_kept(client, catalogue, files, message):
    _to_photos(client, catalogue)
    response = client.post(f"{BASE}photos/", {"photos": files})
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and message in page
    assert 'href="#id_photos"' in page and 'id="id_photos-error"' in page
    assert "govuk-file-upload--error" in page
    assert not ContactPhoto.objects.exists()
    # What the resident typed before is still there: the report goes on from here.
    assert client.post(f"{BASE}photos/", {}).status_code == 302
    assert _after_photos(client).status_code == 302
    assert "Bin left on the pavement." in SelfServiceSubmission.objects.get().contact.summary


def test_a_failed_upload_keeps_the_photos_already_added(client, catalogue):
    _to_photos(client, catalogue)
    client.post(f"{BASE}photos/", {"photos": [png("first.png")]})
    client.get(f"{BASE}photos/")
    refused = client.post(f"{BASE}photos/", {"photos": [upload("notes.jpg", b"text")]})
    assert refused.status_code == 400
    assert "first.png" in refused.content.decode()
    assert client.post(f"{BASE}photos/", {"photos": [png("second.png")]}).status_code == 302
    _after_photos(client)
    assert ContactPhoto.objects.count() == 2


def test_a_photo_can_be_removed_before_sending(client, catalogue):
    _to_photos(client, catalogue)
    client.post(f"{BASE}photos/", {"photos": [png("keep.png"), png("oops.png")]})
    page = client.get(f"{BASE}photos/").content.decode()
    assert "keep.png" in page and "oops.png" in page and "Remove" in page
    removed = client.post(f"{BASE}photos/", {"remove": "1"})
    assert removed.status_code == 302 and removed["Location"] == f"{BASE}photos/"
    page = client.get(f"{BASE}photos/").content.decode()
    assert "keep.png" in page and "oops.png" not in page
    assert len(list((photos.storage().listdir("photos"))[1])) == 1  # its file went too
    client.post(f"{BASE}photos/", {})
    _after_photos(client)
    assert ContactPhoto.objects.get().position == 1


def test_three_photos_is_the_most_and_the_page_says_so(client, catalogue):
    _to_photos(client, catalogue)
    client.post(f"{BASE}photos/", {"photos": [png("1.png"), png("2.png")]})
    assert client.post(f"{BASE}photos/", {"photos": [png("3.png"), png("4.png")]}).status_code == 400
    assert client.post(f"{BASE}photos/", {"photos": [png("3.png")]}).status_code == 302
    page = client.get(f"{BASE}photos/").content.decode()
    assert "You have added 3 photos" in page and 'type="file"' not in page


def test_requests_and_complaints_are_not_asked_for_photos(client, catalogue):
    answer(client, "what", {"kind": "request"})
    answer(client, "which", {"offer": catalogue["bulky"].pk})
    answer(client, "details", {"description": "A sofa."}, follow_to=f"{BASE}name/")
    assert client.get(f"{BASE}photos/")["Location"] == f"{BASE}what/"


# --- who sees the photos -------------------------------------------------------------------------


@pytest.fixture
def reported(client, catalogue):
    _to_photos(client, catalogue)
    client.post(f"{BASE}photos/", {"photos": [jpeg_with_gps("pothole.jpg")]})
    _after_photos(client)
    submission = SelfServiceSubmission.objects.get()
    handoff = submission.contact.handoffs.get()
    return handoff, ContactPhoto.objects.get()


def test_the_receiving_team_sees_the_photo_on_the_handoff_page(reported, client_for):
    handoff, photo = reported
    officer = client_for(Role.BACK_OFFICE)
    handoff.team.members.add(officer.user)
    page = officer.get(f"/handoffs/{handoff.pk}/").content.decode()
    url = f"/handoffs/{handoff.pk}/photos/{photo.pk}/"
    assert "Photos the customer sent" in page and f'src="{url}"' in page
    assert 'alt="Photo 1 sent by the customer"' in page
    response = officer.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    content = b"".join(response)
    assert content == photos.photo_content(photo) and gps_of(content) == {}


def test_nobody_outside_the_team_gets_the_photo(reported, client_for):
    handoff, photo = reported
    url = f"/handoffs/{handoff.pk}/photos/{photo.pk}/"
    other_team = client_for(Role.BACK_OFFICE)
    TeamFactory(code="parks", name="Parks").members.add(other_team.user)
    assert other_team.get(url).status_code == 404
    for role in (Role.ADVISER, Role.COMPLAINTS_OFFICER, Role.LEGAL):
        assert client_for(role).get(url).status_code == 404, role
    assert client_for(Role.MANAGER).get(url).status_code == 200
    assert Client().get(url).status_code == 302  # the resident's browser: the staff sign-in


def test_an_erased_photo_answers_404_and_says_so_on_the_page(reported, client_for):
    handoff, photo = reported
    ContactPhoto.objects.filter(pk=photo.pk).update(file_name="")
    manager = client_for(Role.MANAGER)
    assert manager.get(f"/handoffs/{handoff.pk}/photos/{photo.pk}/").status_code == 404
    assert "removed under the retention policy" in manager.get(f"/handoffs/{handoff.pk}/").content.decode()


# --- email optional where a phone or postal address will do ------------------------------------


def test_no_way_to_reply_is_an_error_on_the_page(client, catalogue):
    _to_photos(client, catalogue)
    client.post(f"{BASE}photos/", {})
    answer(client, "name", {"first_name": "Ada", "last_name": "Lovelace"})
    response = client.post(f"{BASE}email/", {"email": "", "phone": "", "address_line_1": "", "postcode": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter an email address, phone number or postal address." in page
    assert 'href="#id_email"' in page


def test_the_service_refuses_a_submission_with_no_way_to_reply(catalogue):
    """The rule is the service's: a door that skips the form is refused too."""
    with pytest.raises(ValidationError) as refused:
        submission_create(answers=Answers(kind="problem", first_name="Ada", last_name="Lovelace",
                                          description="Bin.", offer=catalogue["missed"]))
    assert refused.value.message_dict == {
        "email": ["Enter an email address, phone number or postal address."]}
    assert not SelfServiceSubmission.objects.exists()


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"address_line_1": "12 Oak Street"}, "postcode", "Enter a postcode."),
    ({"postcode": "OL6 6AB"}, "address_line_1", "Enter address line 1, typically the building and street."),
    ({"address_line_1": "12 Oak Street", "postcode": "NOT A CODE"}, "postcode",
     "Enter a full UK postcode, like OL6 6AB."),
    ({"phone": "12"}, "phone", "Enter a phone number, like 0161 342 8355 or 07700 900 982."),
    ({"email": "ada at example"}, "email",
     "Enter an email address in the correct format, like name@example.com."),
])
def test_each_way_to_reply_must_be_usable(client, catalogue, data, field, message):
    answer(client, "what", {"kind": "request"})
    answer(client, "which", {"offer": catalogue["bulky"].pk})
    answer(client, "details", {"description": "A sofa."})
    answer(client, "name", {"first_name": "Ada", "last_name": "Lovelace"})
    response = client.post(f"{BASE}email/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and f'href="#id_{field}"' in page
    # What was typed is shown again.
    for value in data.values():
        assert f'value="{value}"' in page


def test_a_phone_number_alone_will_do_and_no_email_is_sent(client, catalogue, mailoutbox):
    _to_photos(client, catalogue)
    client.post(f"{BASE}photos/", {})
    response = _after_photos(client, {"phone": "07700 900 982"})
    assert response.status_code == 302
    submission = SelfServiceSubmission.objects.get()
    assert (submission.email, submission.phone) == ("", "07700900982")
    customer = submission.contact.customer
    assert (customer.email, customer.phone) == ("", "07700900982")
    assert not OutboundMessage.objects.exists()
    done = client.get(f"{BASE}done/").content.decode()
    assert submission.reference in done and "we have not sent it to you" in done
    assert "confirmation email" not in done
    # Progress: the reference with the phone number, however it is written.
    page = client.post(f"{BASE}progress/", {"reference": submission.reference, "contact": "+44 7700 900982"})
    assert page.status_code == 200 and "Waste Operations" in page.content.decode()


def test_a_postal_address_alone_will_do_and_progress_takes_the_postcode(client, catalogue, mailoutbox,
                                                                        make_user):
    _to_photos(client, catalogue)
    client.post(f"{BASE}photos/", {})
    answer(client, "name", {"first_name": "Ada", "last_name": "Lovelace"})
    answer(client, "email", {"address_line_1": "12 Oak Street", "town": "Ashton-under-Lyne",
                             "postcode": "ol66ab"})
    check = client.get(f"{BASE}check/").content.decode()
    assert "12 Oak Street, Ashton-under-Lyne, OL6 6AB" in check
    assert client.post(f"{BASE}check/").status_code == 302
    submission = SelfServiceSubmission.objects.get()
    customer = submission.contact.customer
    assert (customer.address_line_1, customer.town, customer.postcode) == (
        "12 Oak Street", "Ashton-under-Lyne", "OL6 6AB")
    assert submission.postcode == "OL6 6AB" and not OutboundMessage.objects.exists()
    # The team that receives it sees where to write (the only way to reply).
    officer = Client()
    officer.force_login(make_user(Role.MANAGER))
    handoff = submission.contact.handoffs.get()
    page = officer.get(f"/handoffs/{handoff.pk}/").content.decode()
    assert "12 Oak Street, Ashton-under-Lyne, OL6 6AB" in page
    found = client.post(f"{BASE}progress/", {"reference": submission.reference, "contact": "OL6 6AB"})
    assert found.status_code == 200
    wrong = client.post(f"{BASE}progress/", {"reference": submission.reference, "contact": "OL6 6AA"})
    assert wrong.status_code == 400


def test_a_known_resident_is_found_by_phone_when_there_is_no_email(client, catalogue):
    from tests.factories import CustomerFactory

    known = CustomerFactory(first_name="Ada", last_name="Lovelace", phone="07700900982", email="")
    _to_photos(client, catalogue)
    client.post(f"{BASE}photos/", {})
    _after_photos(client, {"phone": "07700 900982"})
    assert SelfServiceSubmission.objects.get().contact.customer == known
    assert Customer.objects.count() == 1
