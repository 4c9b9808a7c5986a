"""Resident self service through the Django test client (issue 10): the three journeys, the
receipt, the progress check, and the abuse protections."""

import re

import pytest
from django.test import Client

from complaints.models import Complaint, Process
from complaints.models import Status as ComplaintStatus
from contacts.models import Contact, Customer
from core.models import AuditEvent, ChannelCode, OutboundMessage
from core.services import outbox_drain
from handoffs.models import Handoff
from handoffs.services import handoff_accept, handoff_resolve
from selfservice.models import SelfServiceSubmission
from tests.factories import CustomerFactory

BASE = "/self-service/"


def answer(client, step, data, *, follow_to=None):
    response = client.post(f"{BASE}{step}/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    if follow_to is not None:
        assert response["Location"] == follow_to
    return response


def report_missed_bin(client, catalogue, email="ada@example.com", last_name="Lovelace"):
    answer(client, "what", {"kind": "problem"}, follow_to=f"{BASE}which/")
    answer(client, "which", {"offer": catalogue["missed"].pk}, follow_to=f"{BASE}details/")
    answer(client, "details", {"description": "Grey bin not emptied on Tuesday."},
           follow_to=f"{BASE}location/")
    answer(client, "location", {"location": "12 Oak Street, OL6 6AB"}, follow_to=f"{BASE}photos/")
    answer(client, "photos", {}, follow_to=f"{BASE}name/")  # photos are optional
    answer(client, "name", {"first_name": "Ada", "last_name": last_name}, follow_to=f"{BASE}email/")
    answer(client, "email", {"email": email}, follow_to=f"{BASE}check/")
    return client.post(f"{BASE}check/")


def test_the_start_page_is_public(client, db):
    response = client.get(BASE)
    assert response.status_code == 200
    assert b"Start now" in response.content


def test_reporting_a_problem_makes_a_web_contact_with_its_handoff(
        client, catalogue, mailoutbox, django_capture_on_commit_callbacks):
    check = client.get(f"{BASE}which/")
    assert check.status_code == 302 and check["Location"] == f"{BASE}what/"  # no skipping ahead
    with django_capture_on_commit_callbacks(execute=True):
        response = report_missed_bin(client, catalogue)
    assert response.status_code == 302 and response["Location"] == f"{BASE}done/"

    submission = SelfServiceSubmission.objects.get()
    assert re.fullmatch(r"NWD-[2-9A-HJ-KM-NP-Z]{4}-[2-9A-HJ-KM-NP-Z]{4}", submission.reference)
    contact = submission.contact
    assert (contact.channel, contact.source) == (ChannelCode.WEB, Contact.Source.SELF_SERVICE)
    assert contact.enquiry_type == catalogue["missed"].enquiry_type
    assert contact.site.code == "online"
    assert contact.summary == "Grey bin not emptied on Tuesday.\n\nWhere: 12 Oak Street, OL6 6AB"
    assert contact.customer.email == "ada@example.com" and contact.customer.last_name == "Lovelace"
    assert contact.handoffs.get().team.code == "waste-operations"
    assert AuditEvent.objects.filter(action="self_service_submitted").count() == 1

    done = client.get(f"{BASE}done/")
    assert submission.reference in done.content.decode()
    assert "Waste Operations" in done.content.decode()
    # The receipt went through the outbox, once, to the resident.
    message = OutboundMessage.objects.get(dedupe_key=f"selfservice:{submission.reference}:receipt")
    assert message.to_email == "ada@example.com"
    assert mailoutbox == []  # stored in the request, sent by the drain
    outbox_drain()
    assert len(mailoutbox) == 1 and submission.reference in mailoutbox[0].body
    assert submission.reference in mailoutbox[0].subject
    # The answers are gone from the session: a second send records nothing more.
    client.post(f"{BASE}check/")
    assert SelfServiceSubmission.objects.count() == 1


def test_a_request_skips_the_location_question(client, catalogue, mailoutbox):
    answer(client, "what", {"kind": "request"})
    answer(client, "which", {"offer": catalogue["bulky"].pk}, follow_to=f"{BASE}details/")
    answer(client, "details", {"description": "A sofa."}, follow_to=f"{BASE}name/")
    answer(client, "name", {"first_name": "Ada", "last_name": "Lovelace"})
    answer(client, "email", {"email": "ADA@Example.com"})
    assert client.post(f"{BASE}check/").status_code == 302
    contact = SelfServiceSubmission.objects.get().contact
    assert not Handoff.objects.exists()  # One & Done
    assert contact.enquiry_closed_at is not None and contact.customer.email == "ada@example.com"


def test_making_a_complaint_opens_a_corporate_stage_one_case(client, catalogue, mailoutbox):
    """The receipt names the service (rendered from the outbox row, sent after commit)."""
    answer(client, "what", {"kind": "complaint"}, follow_to=f"{BASE}service/")
    answer(client, "service", {"service": catalogue["waste"].pk}, follow_to=f"{BASE}details/")
    answer(client, "details", {"description": "The crew was rude to me."}, follow_to=f"{BASE}name/")
    answer(client, "name", {"first_name": "Ada", "last_name": "Lovelace"})
    answer(client, "email", {"email": "ada@example.com"})
    assert client.post(f"{BASE}check/").status_code == 302
    submission = SelfServiceSubmission.objects.get()
    complaint = submission.complaint
    assert complaint.process == Process.CORPORATE
    assert complaint.status == ComplaintStatus.AWAITING_ALLOCATION
    assert complaint.contact == submission.contact and complaint.service == catalogue["waste"]
    assert submission.contact.channel == ChannelCode.WEB
    assert "complaint about Waste and Recycling" in OutboundMessage.objects.get().body


def test_a_known_resident_is_not_duplicated(client, catalogue, mailoutbox):
    known = CustomerFactory(first_name="Ada", last_name="Lovelace", email="ada@example.com")
    report_missed_bin(client, catalogue)
    assert SelfServiceSubmission.objects.get().contact.customer == known
    assert Customer.objects.count() == 1


def test_same_email_different_surname_is_a_new_customer(client, catalogue, mailoutbox):
    CustomerFactory(first_name="Ada", last_name="Byron", email="ada@example.com")
    report_missed_bin(client, catalogue)
    assert Customer.objects.count() == 2


@pytest.mark.parametrize(("step", "data", "message"), [
    ("what", {}, "Select what you want to do."),
    ("which", {"offer": "999"}, "Select one of the options."),
    ("details", {"description": "  "}, "Tell us what it is about."),
    ("details", {"description": "x" * 1651}, "Use 1650 characters or fewer."),
    ("location", {"location": ""}, "Enter a postcode to find the address, or describe where the problem is."),
    ("name", {"first_name": "Ada"}, "Enter your last name."),
    ("email", {"email": "ada at example"}, "Enter an email address in the correct format"),
])
def test_each_question_says_what_is_wrong(client, catalogue, step, data, message):
    answers = {"what": {"kind": "problem"}, "which": {"offer": "1"}, "details": {"description": "x"},
               "location": {"location": "Oak St"}, "photos": {"stored": []},
               "name": {"first_name": "A", "last_name": "B"}}
    session = client.session
    session["selfservice_answers"] = {"what": {"kind": "problem"}, **{
        k: v for k, v in answers.items() if k != "what"}}
    session.save()
    response = client.post(f"{BASE}{step}/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "There is a problem" in response.content.decode()


def test_a_withdrawn_offer_is_not_offered(client, catalogue):
    answer(client, "what", {"kind": "problem"})
    page = client.get(f"{BASE}which/").content.decode()
    assert "A missed bin" in page and "Withdrawn" not in page
    assert client.post(f"{BASE}which/", {"offer": catalogue["withdrawn"].pk}).status_code == 400


def test_an_offer_withdrawn_mid_journey_sends_the_resident_back(client, catalogue):
    answer(client, "what", {"kind": "problem"})
    answer(client, "which", {"offer": catalogue["missed"].pk})
    for step, data in [("details", {"description": "Bin."}), ("location", {"location": "Oak St"}),
                       ("photos", {}), ("name", {"first_name": "Ada", "last_name": "L"}),
                       ("email", {"email": "a@b.co"})]:
        answer(client, step, data)
    catalogue["missed"].is_active = False
    catalogue["missed"].save()
    response = client.post(f"{BASE}check/")
    assert response["Location"] == f"{BASE}which/"
    assert not Contact.objects.exists()


def test_change_links_return_to_the_check_page(client, catalogue, mailoutbox):
    answer(client, "what", {"kind": "problem"})
    answer(client, "which", {"offer": catalogue["missed"].pk})
    for step, data in [("details", {"description": "Bin."}), ("location", {"location": "Oak St"}),
                       ("photos", {}), ("name", {"first_name": "Ada", "last_name": "L"}),
                       ("email", {"email": "a@b.co"})]:
        answer(client, step, data)
    page = client.get(f"{BASE}check/").content.decode()
    assert "Oak St" in page and f"{BASE}location/?change=1" in page
    assert "Report a problem" in page and "A missed bin" in page
    response = client.post(f"{BASE}location/?change=1", {"location": "Elm St"})
    assert response["Location"] == f"{BASE}check/"
    assert "Elm St" in client.get(f"{BASE}check/").content.decode()


def test_changing_what_you_want_to_do_starts_the_questions_again(client, catalogue):
    answer(client, "what", {"kind": "problem"})
    answer(client, "which", {"offer": catalogue["missed"].pk})
    answer(client, "what", {"kind": "complaint"}, follow_to=f"{BASE}service/")
    assert client.get(f"{BASE}details/")["Location"] == f"{BASE}service/"


# --- progress ------------------------------------------------------------------------------------


def test_progress_needs_the_reference_and_the_email(client, catalogue, mailoutbox, make_user):
    report_missed_bin(client, catalogue)
    submission = SelfServiceSubmission.objects.get()
    visitor = Client()
    wrong = visitor.post(f"{BASE}progress/", {"reference": submission.reference,
                                              "contact": "someone@else.com"})
    assert wrong.status_code == 400 and "We cannot find" in wrong.content.decode()
    typed = submission.reference.lower().replace("-", " ")
    page = visitor.post(f"{BASE}progress/", {"reference": typed, "contact": " Ada@Example.com "})
    assert page.status_code == 200
    text = page.content.decode()
    assert "Received" in text and "Waste Operations" in text

    handoff = submission.contact.handoffs.get()
    officer = make_user("back_office")
    handoff.team.members.add(officer)
    handoff_accept(handoff=handoff, actor=officer)
    text = visitor.post(f"{BASE}progress/",
                        {"reference": typed, "contact": "ada@example.com"}).content.decode()
    assert "In progress" in text
    handoff_resolve(handoff=handoff, actor=officer, outcome="Emptied.")
    text = visitor.post(f"{BASE}progress/",
                        {"reference": typed, "contact": "ada@example.com"}).content.decode()
    assert "Done" in text and "Emptied" not in text  # internal notes stay internal


def test_progress_of_a_complaint(client, catalogue, mailoutbox):
    answer(client, "what", {"kind": "complaint"})
    answer(client, "service", {"service": catalogue["waste"].pk})
    answer(client, "details", {"description": "Rude."})
    answer(client, "name", {"first_name": "Ada", "last_name": "Lovelace"})
    answer(client, "email", {"email": "ada@example.com"})
    client.post(f"{BASE}check/")
    reference = SelfServiceSubmission.objects.get().reference
    page = client.post(f"{BASE}progress/", {"reference": reference, "contact": "ada@example.com"})
    text = page.content.decode()
    assert "Your complaint about Waste and Recycling" in text and "passing your complaint" in text


# --- abuse protection ----------------------------------------------------------------------------


def test_the_honeypot_refuses_a_bot_and_stores_nothing(client, catalogue):
    answer(client, "what", {"kind": "problem"})
    answer(client, "which", {"offer": catalogue["missed"].pk})
    for step, data in [("details", {"description": "Bin."}), ("location", {"location": "Oak St"}),
                       ("photos", {}), ("name", {"first_name": "Ada", "last_name": "L"}),
                       ("email", {"email": "a@b.co"})]:
        answer(client, step, data)
    response = client.post(f"{BASE}check/", {"website": "http://spam.example"})
    assert response.status_code == 400
    assert not Contact.objects.exists() and not Customer.objects.exists()
    assert client.post(f"{BASE}details/", {"description": "x", "website": "y"}).status_code == 400


def test_an_oversized_body_is_refused_unread(client, catalogue):
    response = client.post(f"{BASE}what/", {"kind": "problem", "padding": "x" * 20_000})
    assert response.status_code == 413


def test_submissions_are_rate_limited_per_address(client, catalogue, mailoutbox, settings):
    settings.SELF_SERVICE_RATE_LIMITS = {"submit": "2/h", "progress": "20/h"}
    for _ in range(2):
        assert report_missed_bin(client, catalogue).status_code == 302
    refused = report_missed_bin(client, catalogue)
    assert refused.status_code == 429 and "too many" in refused.content.decode()
    assert SelfServiceSubmission.objects.count() == 2
    other_address = Client(REMOTE_ADDR="203.0.113.9")
    assert report_missed_bin(other_address, catalogue).status_code == 302


def test_progress_lookups_are_rate_limited(client, db, settings):
    settings.SELF_SERVICE_RATE_LIMITS = {"submit": "10/h", "progress": "3/h"}
    codes = [client.post(f"{BASE}progress/", {"reference": f"NWD-AAAA-AAA{n}",
                                              "contact": "a@b.co"}).status_code for n in range(5)]
    assert codes == [400, 400, 400, 429, 429]
    # Typing mistakes (an invalid form) do not use up the allowance.
    assert client.post(f"{BASE}progress/", {"reference": "", "contact": "x"}).status_code == 400


def test_csrf_is_enforced(catalogue):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(f"{BASE}what/", {"kind": "problem"}).status_code == 403


def test_staff_pages_stay_closed_to_residents(client, db):
    assert client.get("/contacts/log/").status_code == 302  # the staff login, not a page


def test_a_signed_in_member_of_staff_can_use_it_too(client_for, catalogue):
    client = client_for("adviser")
    assert client.get(BASE).status_code == 200


def test_complaint_rows_are_linked(client, catalogue, mailoutbox):
    answer(client, "what", {"kind": "complaint"})
    answer(client, "service", {"service": catalogue["waste"].pk})
    answer(client, "details", {"description": "Rude."})
    answer(client, "name", {"first_name": "Ada", "last_name": "Lovelace"})
    answer(client, "email", {"email": "ada@example.com"})
    client.post(f"{BASE}check/")
    assert Complaint.objects.get().self_service.kind == "complaint"
