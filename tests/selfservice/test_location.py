"""Where the problem is (issue 20, item 4): a resident finds the property's address by postcode
(no JavaScript: the page comes back with the gazetteer's list), or gives a point and gets the
nearest UPRN by Open311's rule, or describes a place with no address. The UPRN and address go on
the submission, the contact the back office sees, the check page and the receipt."""

from decimal import Decimal

import pytest

from contacts.gazetteer import NEAREST_WITHIN_METRES
from contacts.models import GazetteerAddress
from core import personal_data
from core.services import outbox_drain
from selfservice import services
from selfservice.models import SelfServiceSubmission
from tests.contacts.test_gazetteer import make_oak_street

BASE = "/self-service/"


@pytest.fixture
def oak_street(db):
    """2, 4 and 10 Oak Street at OL6 6AB, and 1 Elm Road at another postcode."""
    make_oak_street()
    GazetteerAddress.objects.create(uprn="2001", address_line_1="1 Elm Road", town="Ashton-under-Lyne",
                                    postcode="OL7 0AA", latitude=Decimal("53.500000"),
                                    longitude=Decimal("-2.100000"))


def answer(client, step, data, *, follow_to=None):
    response = client.post(f"{BASE}{step}/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    if follow_to is not None:
        assert response["Location"] == follow_to
    return response


def up_to_location(client, catalogue):
    answer(client, "what", {"kind": "problem"})
    answer(client, "which", {"offer": catalogue["missed"].pk})
    answer(client, "details", {"description": "Grey bin not emptied."}, follow_to=f"{BASE}location/")


def after_location(client, mailoutbox=None):
    answer(client, "photos", {}, follow_to=f"{BASE}name/")
    answer(client, "name", {"first_name": "Ada", "last_name": "Lovelace"})
    answer(client, "email", {"email": "ada@example.com"}, follow_to=f"{BASE}check/")
    check = client.get(f"{BASE}check/").content.decode()
    response = client.post(f"{BASE}check/")
    assert response.status_code == 302 and response["Location"] == f"{BASE}done/"
    return check, SelfServiceSubmission.objects.get()


def location_page(client, data):
    return client.post(f"{BASE}location/", data)


def test_find_address_lists_the_gazetteer_addresses_at_the_postcode_in_street_order(client, catalogue,
                                                                                    oak_street):
    up_to_location(client, catalogue)
    response = location_page(client, {"lookup_postcode": "ol66ab", "find_address": "1"})
    assert response.status_code == 200  # the same page again, with the list: nothing kept yet
    page = response.content.decode()
    assert "3 addresses found" in page
    assert page.index("2 Oak Street") < page.index("4 Oak Street") < page.index("10 Oak Street")
    assert '<option value="1003">4 Oak Street, Ashton-under-Lyne, OL6 6AB</option>' in page
    assert "Elm Road" not in page
    assert "location" not in client.session["selfservice_answers"]


def test_enter_in_the_postcode_box_finds_the_addresses_rather_than_going_on(client, catalogue, oak_street):
    up_to_location(client, catalogue)
    response = location_page(client, {"lookup_postcode": "OL6 6AB", "location": ""})
    assert response.status_code == 200 and "3 addresses found" in response.content.decode()


def test_choosing_an_address_stores_its_uprn_on_the_submission_and_its_contact(
        client, catalogue, oak_street, mailoutbox, django_capture_on_commit_callbacks):
    up_to_location(client, catalogue)
    answer(client, "location", {"lookup_postcode": "OL6 6AB", "address": "1003", "location": ""},
           follow_to=f"{BASE}photos/")
    with django_capture_on_commit_callbacks(execute=True):
        check, submission = after_location(client)
    assert "4 Oak Street, Ashton-under-Lyne, OL6 6AB<br>Property reference (UPRN): 1003" in check
    assert (submission.uprn, submission.address, submission.location) == (
        "1003", "4 Oak Street, Ashton-under-Lyne, OL6 6AB", "")
    assert submission.contact.summary == (
        "Grey bin not emptied.\n\nWhere: 4 Oak Street, Ashton-under-Lyne, OL6 6AB (UPRN 1003)")
    outbox_drain()
    assert "Where: 4 Oak Street, Ashton-under-Lyne, OL6 6AB\nProperty reference (UPRN): 1003" in (
        mailoutbox[0].body)


def test_an_address_and_words_are_both_kept(client, catalogue, oak_street):
    up_to_location(client, catalogue)
    answer(client, "location", {"lookup_postcode": "OL6 6AB", "address": "1002",
                                "location": "The bin store at the back"})
    _, submission = after_location(client)
    assert (submission.uprn, submission.location) == ("1002", "The bin store at the back")
    assert submission.contact.summary.endswith(
        "Where: 2 Oak Street, Ashton-under-Lyne, OL6 6AB (UPRN 1002)\nThe bin store at the back")


def test_words_alone_still_work_and_carry_no_uprn(client, catalogue, oak_street):
    up_to_location(client, catalogue)
    answer(client, "location", {"lookup_postcode": "", "location": "The path by the canal bridge"})
    _, submission = after_location(client)
    assert (submission.location, submission.address, submission.uprn) == (
        "The path by the canal bridge", "", "")
    assert submission.contact.summary == "Grey bin not emptied.\n\nWhere: The path by the canal bridge"


def test_a_point_gets_the_nearest_uprn_by_open311s_rule(client, catalogue, oak_street, mailoutbox,
                                                       django_capture_on_commit_callbacks):
    up_to_location(client, catalogue)
    # 4 Oak Street is at 53.489600: about 1 m away; 10 Oak Street is 33 m away.
    answer(client, "location", {"location": "By the lamp post", "latitude": "53.48959",
                                "longitude": "-2.09531"})
    with django_capture_on_commit_callbacks(execute=True):
        _, submission = after_location(client)
    assert submission.uprn == "1003"
    assert (submission.latitude, submission.longitude) == (Decimal("53.489590"), Decimal("-2.095310"))
    assert "Nearest property: UPRN 1003" in submission.contact.summary
    outbox_drain()
    assert "Nearest property reference (UPRN): 1003" in mailoutbox[0].body


def test_a_point_too_far_from_any_property_gets_no_uprn(client, catalogue, oak_street):
    up_to_location(client, catalogue)
    # About 330 m north of Oak Street: a park, no one's address.
    assert NEAREST_WITHIN_METRES < 300
    answer(client, "location", {"location": "", "latitude": "53.492600", "longitude": "-2.095300"})
    _, submission = after_location(client)
    assert submission.uprn == "" and submission.latitude == Decimal("53.492600")


def test_a_chosen_address_wins_over_a_point(db, oak_street):
    # The resident's choice is the property: the point does not move it to a neighbour.
    place = services.report_place_check(uprn="1001", lookup_postcode="OL6 6AB",
                                        latitude="53.48959", longitude="-2.09531")
    assert place.uprn == "1001"


@pytest.mark.parametrize("data, field, message", [
    ({"lookup_postcode": "", "location": ""}, "lookup_postcode",
     "Enter a postcode to find the address, or describe where the problem is."),
    ({"lookup_postcode": "OL6 ABC", "find_address": "1"}, "lookup_postcode",
     "Enter a full UK postcode, like OL6 6AB."),
    ({"lookup_postcode": "OL1 1AA", "find_address": "1"}, "lookup_postcode",
     "We cannot find any addresses at OL1 1AA. Check the postcode, or describe where the problem is."),
    ({"lookup_postcode": "OL6 6AB", "address": "", "location": ""}, "address",
     "Select the address, or describe where the problem is."),
    # Tampered: an address of another postcode, and a UPRN that is no one's.
    ({"lookup_postcode": "OL6 6AB", "address": "2001", "location": ""}, "address",
     "Select the address from the list."),
    ({"lookup_postcode": "OL6 6AB", "address": "99999999", "location": ""}, "address",
     "Select the address from the list."),
    ({"lookup_postcode": "OL6 6AB", "address": "<script>", "location": ""}, "address",
     "Select the address from the list."),
    ({"location": "x" * 301}, "location", "Where the problem is must be 300 characters or less."),
    ({"lookup_postcode": "x" * 11, "find_address": "1"}, "lookup_postcode",
     "A postcode must be 10 characters or less."),
    ({"location": "Here", "latitude": "north", "longitude": "-2.09"}, "location",
     "We could not use your location. Find the address by postcode, or describe where the problem is."),
    ({"location": "Here", "latitude": "91", "longitude": "-2.09"}, "location",
     "We could not use your location. Find the address by postcode, or describe where the problem is."),
])
def test_bad_locations_get_a_field_error_in_govuk_wording(client, catalogue, oak_street, data, field,
                                                         message):
    up_to_location(client, catalogue)
    response = location_page(client, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert f'<p id="id_{field}-error" class="govuk-error-message">' in page
    assert message in page
    assert f'href="#id_{field}"' in page  # the error summary links to the field
    assert "location" not in client.session["selfservice_answers"]


def test_the_service_refuses_an_address_that_is_not_at_the_postcode(db, oak_street):
    with pytest.raises(services.ValidationError) as refused:
        services.report_place_check(uprn="2001", lookup_postcode="OL6 6AB")
    assert refused.value.message_dict == {"address": [services.PLACE_UNKNOWN_ADDRESS]}


def test_a_new_postcode_looked_up_forgets_the_address_chosen_from_the_last_list(client, catalogue,
                                                                                oak_street):
    up_to_location(client, catalogue)
    response = location_page(client, {"lookup_postcode": "OL7 0AA", "address": "1003",
                                      "find_address": "1"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "1 address found" in page and "1 Elm Road" in page and "govuk-error-message" not in page


def test_changing_the_answer_shows_the_list_with_the_address_chosen(client, catalogue, oak_street):
    up_to_location(client, catalogue)
    answer(client, "location", {"lookup_postcode": "OL6 6AB", "address": "1003", "location": ""})
    page = client.get(f"{BASE}location/?change=1").content.decode()
    assert '<option value="1003" selected>' in page


def test_where_the_problem_is_is_declared_personal_data():
    declared = {field.name for record in personal_data.record_types()
                if record.model is SelfServiceSubmission for field in record.fields}
    assert {"location", "address", "uprn", "latitude", "longitude"} <= declared


@pytest.mark.parametrize("latitude, shown", [
    ("53.489010", "Your current location, near 2 Oak Street, Ashton-under-Lyne, OL6 6AB"),
    ("53.500000", "Your current location (53.500000, -2.095300)"),  # over a kilometre away
])
def test_the_check_page_names_the_property_nearest_the_residents_location(oak_street, latitude, shown):
    """What the resident is shown for a point: the property the report will be filed against
    (the same nearest-property rule as the submission), else the point itself."""
    place = services.report_place_check(latitude=latitude, longitude="-2.095300")
    answers = services.Answers(kind="problem", first_name="Ada", last_name="Lovelace", description="Bin",
                               latitude=place.latitude, longitude=place.longitude)
    assert answers.where == shown
