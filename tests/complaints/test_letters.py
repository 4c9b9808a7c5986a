"""Letters as documents (issue 18, item 6): admin-edited templates, the council's letterhead and
signatory from the settings, an edit step before sending, each letter stored on the case as sent
and handed to the outbox by email or by post, and a PDF of it."""

import io
import re

import pytest
import time_machine
from django.core.exceptions import ValidationError
from pypdf import PdfReader

from complaints.documents import letter_pdf
from complaints.models import ComplaintLetter, LetterTemplate
from complaints.selectors import letter_draft, letters_available
from complaints.services import complaint_letter_send, letter_template_change
from core.api_errors import StateConflict
from core.models import AuditEvent, OutboundMessage
from core.roles import Role
from core.services import outbox_drain
from tests.complaints.factories import at, complaint, user_with, walk
from tests.factories import CustomerFactory, ServiceFactory

pytestmark = pytest.mark.django_db


def _pdf_text(data: bytes) -> str:
    # Words as they read, whatever the line breaks.
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def _allocated_case(**customer):
    """Received and allocated Thursday 4 May 2023: 5 working days skip the coronation bank
    holiday (Monday 8 May), so stage 1 is due Friday 12 May 2023."""
    officer = user_with(Role.COMPLAINTS_OFFICER, first_name="Olive", last_name="Officer",
                        job_title="Complaints Officer", is_senior_officer=True)
    with time_machine.travel(at("2023-05-04", 12), tick=False):
        case = walk(complaint(customer=CustomerFactory(first_name="Petra", last_name="Complainer",
                                                       **customer),
                              service=ServiceFactory(code="waste", name="Waste"),
                              received_at=at("2023-05-04", 9)), ["allocate"], officer=officer)
    return case, officer


def test_the_four_templates_are_loaded():
    assert sorted(LetterTemplate.objects.values_list("kind", flat=True)) == [
        "acknowledgement", "extension", "ombudsman_signposting", "stage_response"]


def test_the_acknowledgement_draft_fills_in_the_case():
    case, _ = _allocated_case()
    draft = letter_draft(case, "acknowledgement", "1")
    assert draft["subject"] == f"Your complaint {case.reference}: we have received it"
    assert ("Thank you for your complaint about Waste, which we received on Thursday 4 May 2023."
            in draft["body"])
    assert "will reply to you by Friday 12 May 2023." in draft["body"]
    assert "{{" not in draft["body"] and "{%" not in draft["body"]


def test_an_admins_change_to_a_template_is_what_the_next_draft_says():
    case, _ = _allocated_case()
    template = LetterTemplate.objects.get(kind="acknowledgement")
    letter_template_change(template=template, actor=user_with(Role.ADMIN), subject="Ref {{ reference }}",
                           body="Dear resident of {{ service }}.\n\nDue {{ due_date }}.")
    draft = letter_draft(case, "acknowledgement", "1")
    assert draft == {**draft, "subject": f"Ref {case.reference}",
                     "body": "Dear resident of Waste.\n\nDue Friday 12 May 2023."}
    assert AuditEvent.objects.filter(action="letter_template_changed").count() == 1


@pytest.mark.parametrize(("subject", "body", "field"), [
    ("Ref", "{% if remedy %}never closed", "body"),
    ("Ref {{ reference|no_such_filter }}", "Text", "subject"),
    ("", "Text", "subject"),
    ("Ref", "   ", "body"),
])
def test_a_template_that_does_not_work_is_refused(subject, body, field):
    template = LetterTemplate.objects.get(kind="acknowledgement")
    with pytest.raises(ValidationError) as refused:
        letter_template_change(template=template, actor=None, subject=subject, body=body)
    assert field in refused.value.message_dict


def test_which_letters_a_case_can_send_follows_its_stages():
    case, _ = _allocated_case()
    assert [(k, s) for k, s, _ in letters_available(case)] == [("acknowledgement", "1")]
    case = walk(case, ["interim_response", "respond", "escalate"])
    assert [(k, s) for k, s, _ in letters_available(case)] == [
        ("acknowledgement", "1"), ("extension", "1"), ("stage_response", "1"), ("acknowledgement", "2")]
    case = walk(case, ["allocate", "respond"])
    assert ("ombudsman_signposting", "2") in [(k, s) for k, s, _ in letters_available(case)]
    assert letter_draft(case, "stage_response", "3") is None


def test_a_letter_by_email_is_stored_as_edited_recorded_and_put_in_the_outbox(settings):
    settings.LETTER_SIGNATORY_NAME = "Rita Head"
    settings.LETTER_SIGNATORY_TITLE = "Head of Customer Relations"
    case, officer = _allocated_case()
    letter = complaint_letter_send(complaint=case, actor=officer, kind="acknowledgement", stage="1",
                                   subject="We have your complaint",
                                   body="Edited first paragraph.\n\nSecond paragraph.", channel="email")
    stored = ComplaintLetter.objects.get()
    assert (stored.body, stored.channel, stored.recipient_email, stored.sent_by) == (
        "Edited first paragraph.\n\nSecond paragraph.", "email", case.customer.email, officer)
    assert stored.signatory == "Rita Head\nHead of Customer Relations"
    event = case.events.get(action="letter_sent")
    assert event.data == {"letter": letter.pk, "kind": "acknowledgement", "letter_stage": "1",
                          "channel": "email"}
    assert AuditEvent.objects.filter(action="complaint_letter_sent", object_id=str(case.pk)).exists()
    message = OutboundMessage.objects.get(dedupe_key=f"complaint-letter:{letter.pk}")
    assert (message.channel, message.to_email, message.subject) == (
        "email", case.customer.email, "We have your complaint")
    assert message.body.startswith("Dear Petra Complainer,\n\nEdited first paragraph.")
    assert "Rita Head\nHead of Customer Relations" in message.body


def test_without_a_signatory_setting_the_officer_signs(settings):
    settings.LETTER_SIGNATORY_NAME = ""
    case, officer = _allocated_case()
    letter = complaint_letter_send(complaint=case, actor=officer, kind="acknowledgement", stage="1",
                                   subject="S", body="B", channel="email")
    assert letter.signatory == "Olive Officer\nComplaints Officer"


def test_a_letter_by_post_is_printed_by_the_outbox_into_the_print_room(settings, tmp_path):
    settings.LETTER_PRINT_DIR = str(tmp_path)
    settings.COUNCIL_NAME = "Tameside Metropolitan Borough Council"
    settings.LETTER_ADDRESS = ["Tameside One", "Market Place", "Ashton-under-Lyne", "OL6 6BH"]
    case, officer = _allocated_case(address_line_1="3 Grievance Row", postcode="OL6 9ZY")
    letter = complaint_letter_send(complaint=case, actor=officer, kind="acknowledgement", stage="1",
                                   subject="We have your complaint", body="Printed words.", channel="post")
    assert letter.recipient_address == "3 Grievance Row\nAshton-under-Lyne\nOL6 9ZY"
    message = OutboundMessage.objects.get(dedupe_key=f"complaint-letter:{letter.pk}")
    assert (message.channel, message.to_email, message.next_attempt_at is not None) == ("letter", "", True)
    assert outbox_drain().sent == 1
    printed = list(tmp_path.iterdir())
    assert [path.name for path in printed] == [f"{case.reference}-acknowledgement-stage-1-{letter.pk}.pdf"]
    text = _pdf_text(printed[0].read_bytes())
    for expected in ("Tameside Metropolitan Borough Council", "Market Place", "3 Grievance Row", "OL6 9ZY",
                     "Dear Petra Complainer", "Printed words.", f"Our reference: {case.reference}",
                     "Yours sincerely"):
        assert expected in text, expected
    assert "Sign out" not in text


def test_the_pdf_is_made_from_the_letter_as_sent_not_the_template():
    case, officer = _allocated_case()
    letter = complaint_letter_send(complaint=case, actor=officer, kind="acknowledgement", stage="1",
                                   subject="S", body="Only these words.", channel="email")
    LetterTemplate.objects.filter(kind="acknowledgement").update(body="Changed later.")
    data = letter_pdf(letter)
    assert data.startswith(b"%PDF")
    assert "Only these words." in _pdf_text(data) and "Changed later." not in _pdf_text(data)


@pytest.mark.parametrize(("customer", "channel", "message"), [
    ({"email": ""}, "email", "The complainant has no email address."),
    ({"address_line_1": "", "postcode": ""}, "post", "The complainant has no postal address."),
    ({}, "fax", "Select whether to send the letter by email or by post."),
])
def test_a_letter_with_nowhere_to_go_is_refused(customer, channel, message):
    case, officer = _allocated_case(**customer)
    with pytest.raises(ValidationError) as refused:
        complaint_letter_send(complaint=case, actor=officer, kind="acknowledgement", stage="1",
                              subject="S", body="B", channel=channel)
    assert refused.value.message_dict["channel"][0].startswith(message)
    assert not ComplaintLetter.objects.exists() and not OutboundMessage.objects.filter(
        dedupe_key__startswith="complaint-letter:").exists()


def test_an_empty_letter_and_a_letter_the_case_cannot_send_are_refused():
    case, officer = _allocated_case()
    with pytest.raises(ValidationError):
        complaint_letter_send(complaint=case, actor=officer, kind="acknowledgement", stage="1",
                              subject="S", body="  ", channel="email")
    with pytest.raises(StateConflict):
        complaint_letter_send(complaint=case, actor=officer, kind="stage_response", stage="1",
                              subject="S", body="B", channel="email")


def test_the_edit_step_page_sends_what_the_officer_wrote(client):
    case, officer = _allocated_case()
    client.force_login(officer)
    page = client.get(f"/complaints/{case.pk}/letters/acknowledgement/1/")
    assert page.status_code == 200
    assert "will reply to you by Friday 12 May 2023." in page.content.decode()
    empty = client.post(f"/complaints/{case.pk}/letters/acknowledgement/1/",
                        {"subject": "", "body": "", "channel": ""})
    assert empty.status_code == 400
    assert "Enter the text of the letter." in empty.content.decode()
    sent = client.post(f"/complaints/{case.pk}/letters/acknowledgement/1/",
                       {"subject": "Received", "body": "My own words.", "channel": "email"})
    letter = ComplaintLetter.objects.get()
    assert sent.status_code == 302 and sent["Location"] == f"/complaints/{case.pk}/letters/{letter.pk}/"
    assert letter.body == "My own words."
    shown = client.get(sent["Location"]).content.decode()
    assert "My own words." in shown and "nwd-no-print" in shown
    pdf = client.get(f"/complaints/{case.pk}/letters/{letter.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf"
    assert "My own words." in _pdf_text(pdf.content)
    assert f'href="/complaints/{case.pk}/letters/{letter.pk}/"' in client.get(
        f"/complaints/{case.pk}/").content.decode()


def test_a_letter_not_yet_possible_answers_404(client):
    case, officer = _allocated_case()
    client.force_login(officer)
    assert client.get(f"/complaints/{case.pk}/letters/stage-response/1/").status_code == 404
    assert client.get(f"/complaints/{case.pk}/letters/no-such-kind/1/").status_code == 404


def test_the_print_styles_hide_the_page_chrome():
    from pathlib import Path

    css = (Path(__file__).resolve().parents[2] / "core" / "static" / "css" / "app.css").read_text()
    hidden_when_printed = " ".join(re.findall(r"@media print\{([^{}]*)\{display:none", css))
    for chrome in (".govuk-template__header", ".govuk-service-navigation", ".govuk-footer",
                   ".govuk-back-link", ".nwd-no-print"):
        assert chrome in hidden_when_printed, chrome


def test_the_demo_templates_reload_without_overwriting_an_admins_words():
    from importlib import import_module

    from django.apps import apps

    LetterTemplate.objects.filter(kind="extension").update(body="Admin's words.")
    LetterTemplate.objects.filter(kind="acknowledgement").delete()
    import_module("complaints.migrations.0004_issue18b_letters").load(apps, None)
    assert LetterTemplate.objects.get(kind="extension").body == "Admin's words."
    assert LetterTemplate.objects.filter(kind="acknowledgement").exists()

