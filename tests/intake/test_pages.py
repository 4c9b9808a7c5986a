"""The contact-taking pages: the adviser's screen (/contacts/log/) and a back-office team's screen
for direct contact (/contacts/log/team/). Each rule of `intake.rules` is shown on the page as an
error on its field, and what the page stores is what the rules decided."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from complaints.models import Complaint
from contacts.models import Contact, Customer
from core.roles import Role
from handoffs.models import Handoff
from intake.services import contact_log
from tests.factories import CustomerFactory, TeamFactory
from tests.handoffs.factories import user_with

LOG = "/contacts/log/"
TEAM_LOG = "/contacts/log/team/"


@pytest.fixture
def adviser(client_for):
    return client_for(Role.ADVISER)


def _form(catalogue, customer=None, **overrides):
    data = {"channel": "telephone", "enquiry_type": str(catalogue["collection_days"].pk),
            "summary": "Asked which day the green bin goes.", "resolved_at_first_contact": "on"}
    if customer is not None:
        data["customer"] = str(customer.pk)
    else:
        data["anonymous"] = "1"
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _open_enquiry(catalogue, customer, hours_ago=3, enquiry_type="missed_bin"):
    return contact_log(actor=None, channel="telephone", service=catalogue["waste"],
                       enquiry_type=catalogue[enquiry_type], customer=customer,
                       summary="Bin missed on Oak Street.", source="adviser",
                       received_at=timezone.now() - timedelta(hours=hours_ago)).handoff


# --- The adviser's screen ----------------------------------------------------------------------


@pytest.mark.django_db
def test_search_box_has_autofocus_and_finds_the_customer(adviser, catalogue):
    jane = CustomerFactory(first_name="Jane", last_name="Smith", postcode="OL6 6AB")
    page = adviser.get(LOG).content.decode()
    assert 'name="q"' in page and "autofocus" in page
    page = adviser.get(LOG, {"q": "ol6 6ab"}).content.decode()
    assert "govuk-table" in page and f'href="/contacts/log/?customer={jane.pk}"' in page
    assert "Select<span" in page
    page = adviser.get(LOG, {"q": "Zebedee"}).content.decode()
    assert "No customers match" in page and "add a new customer" in page


@pytest.mark.django_db
def test_logging_one_and_done_for_a_known_customer(adviser, catalogue):
    customer = CustomerFactory(first_name="Jane", last_name="Smith")
    form_page = adviser.get(LOG, {"customer": customer.pk}).content.decode()
    assert "Jane Smith" in form_page and "<optgroup" in form_page
    assert 'value="telephone" checked' in form_page  # the default channel
    response = adviser.post(LOG, _form(catalogue, customer, site="call-centre"), follow=True)
    assert response.redirect_chain == [(LOG, 302)]
    contact = Contact.objects.get()
    assert (contact.customer, contact.service, contact.enquiry_type, contact.channel,
            contact.source, contact.handled_by, contact.resolved_at_first_contact,
            contact.site.code) == (customer, catalogue["waste"], catalogue["collection_days"],
                                   "telephone", "adviser", adviser.user, True, "call-centre")
    page = response.content.decode()
    assert f"Contact {contact.pk} logged for Jane Smith: Collection days" in page
    assert "govuk-notification-banner--success" in page
    # Ready for the next caller: the search box, which keeps the focus (the banner does not
    # take it).
    assert 'name="q"' in page and 'value=""' in page
    assert 'data-disable-auto-focus="true"' in page and 'spellcheck="false" autofocus' in page
    # The channel and site are remembered for the next caller.
    next_form = adviser.get(LOG, {"anonymous": "1"}).content.decode()
    assert 'value="call-centre" selected' in next_form


@pytest.mark.django_db
def test_a_handed_off_contact_names_the_team_and_due_date(adviser, catalogue):
    response = adviser.post(LOG, _form(catalogue, enquiry_type=str(catalogue["missed_bin"].pk),
                                       resolved_at_first_contact=None), follow=True)
    handoff = Handoff.objects.get()
    page = response.content.decode()
    assert "(anonymous caller)" in page
    assert "Handed off to Waste Operations (Fire and Forget), due" in page
    assert str(handoff.due_date.year) in page
    assert handoff.contact.resolved_at_first_contact is False


@pytest.mark.django_db
def test_a_handed_off_contact_ticked_as_resolved_is_refused_on_the_field(adviser, catalogue):
    response = adviser.post(LOG, _form(catalogue, enquiry_type=str(catalogue["missed_bin"].pk)))
    assert response.status_code == 400
    page = response.content.decode()
    assert ('<a href="#id_resolved_at_first_contact">A contact handed off is not resolved at first '
            'contact.</a>') in page
    assert not Contact.objects.exists() and not Handoff.objects.exists()


@pytest.mark.django_db
def test_avoidable_without_reason_shows_the_error_summary_and_keeps_the_input(adviser, catalogue):
    customer = CustomerFactory()
    response = adviser.post(LOG, _form(catalogue, customer, avoidable="on", channel="email",
                                       summary="Asked <b>why</b> the bill changed."))
    assert response.status_code == 400
    page = response.content.decode()
    assert "govuk-error-summary" in page and "There is a problem" in page
    assert '<a href="#id_avoidable_reason">Select why the contact was avoidable.</a>' in page
    assert page.startswith("<!DOCTYPE html>") and "<title>Error: " in page
    assert "Asked &lt;b&gt;why&lt;/b&gt; the bill changed.</textarea>" in page
    assert 'value="email" checked' in page
    assert f'value="{catalogue["collection_days"].pk}" data-method="one_and_done"' in page
    assert 'id="id_avoidable" name="avoidable" type="checkbox" value="on" checked' in page
    assert f'name="customer" value="{customer.pk}"' in page
    assert not Contact.objects.exists()


@pytest.mark.django_db
def test_a_different_handoff_needs_a_reason_and_a_team(adviser, catalogue):
    response = adviser.post(LOG, _form(catalogue, handoff_method="fire_and_forget",
                                       resolved_at_first_contact=None))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Say why this contact needs Fire and Forget rather than One &amp; Done." in page
    assert "Collection days has no back-office team to hand off to: choose One &amp; Done." in page
    response = adviser.post(LOG, _form(catalogue, enquiry_type=str(catalogue["missed_bin"].pk),
                                       handoff_method="one_and_done",
                                       handoff_override_reason="Told the crew on the radio."))
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert contact.handoff_method == "one_and_done" and not Handoff.objects.exists()
    assert contact.handoff_override_reason == "Told the crew on the radio."
    assert contact.resolved_at_first_contact is True


@pytest.mark.django_db
def test_missing_summary_and_enquiry_type_and_no_caller(adviser, catalogue):
    data = _form(catalogue, summary="", enquiry_type="")
    data.pop("anonymous")
    page = adviser.post(LOG, data).content.decode()
    assert "Enter a summary of the contact." in page
    assert "Select what the contact is about." in page
    assert "Find the customer, or choose Anonymous caller." in page


# --- Suggest, never pre-set (issue 15, item 7) --------------------------------------------------


@pytest.mark.django_db
def test_a_suspected_repeat_lists_the_open_enquiries_and_asks_with_no_answer_chosen(adviser, catalogue):
    customer = CustomerFactory(first_name="Jane", last_name="Smith")
    handoff = _open_enquiry(catalogue, customer, hours_ago=24)
    page = adviser.get(LOG, {"customer": customer.pk}).content.decode()
    assert "Possible repeat contact: Jane Smith has 1 open enquiry" in page
    assert "Bin missed on Oak Street." in page and "Waste Operations" in page
    assert f'name="chasing" type="radio" value="{handoff.pk}"' in page
    assert 'name="chasing" type="radio" value="none"' in page
    assert "checked" not in page.split('name="chasing"', 1)[1].split("</fieldset>", 1)[0]
    # Nothing answers the NI14 question for the adviser: avoidable unticked, no reason chosen,
    # no enquiry type picked; the question itself has the focus.
    assert 'id="id_avoidable" name="avoidable" type="checkbox" value="on" data-aria' in page
    assert 'value="progress_chasing" selected' not in page
    assert f'value="{catalogue["missed_bin"].pk}" data-method="fire_and_forget" data-handoff' in page
    assert ' selected>' not in page.split('id="id_enquiry_type"', 1)[1].split("</select>", 1)[0]
    assert f'value="{handoff.pk}" autofocus' in page
    # Pressing "Log contact" (Ctrl+Enter) without answering logs nothing.
    response = adviser.post(LOG, _form(catalogue, customer))
    assert response.status_code == 400
    assert "Say whether this contact chases one of the open enquiries." in response.content.decode()
    assert Contact.objects.count() == 1


@pytest.mark.django_db
def test_answering_yes_logs_a_chase_one_and_done_avoidable_with_no_new_handoff(adviser, catalogue):
    customer = CustomerFactory(first_name="Jane", last_name="Smith")
    handoff = _open_enquiry(catalogue, customer)
    # The adviser says it chases and ticks nothing else: the rule makes it avoidable.
    response = adviser.post(LOG, _form(catalogue, customer, chasing=str(handoff.pk),
                                       enquiry_type=str(catalogue["missed_bin"].pk),
                                       summary="Chasing the missed bin."), follow=True)
    assert response.redirect_chain == [(LOG, 302)]
    chase = Contact.objects.exclude(pk=handoff.contact_id).get()
    assert chase.repeat_of_id == handoff.contact_id and chase.possible_repeat_of is None
    assert (chase.avoidable, chase.avoidable_reason.code) == (True, "progress_chasing")
    assert chase.handoff_method == "one_and_done" and chase.enquiry_closed_at is not None
    assert chase.handoff_override_reason == f"Chases enquiry {handoff.pk}, already with the back office."
    assert Handoff.objects.count() == 1  # the earlier hand-off covers the work
    assert (f"Logged as chasing enquiry {handoff.pk} (Waste Operations): One &amp; Done, avoidable "
            "(progress chasing).") in response.content.decode()


@pytest.mark.django_db
def test_answering_no_opens_its_own_enquiry_flagged_as_a_possible_repeat(adviser, catalogue):
    customer = CustomerFactory()
    handoff = _open_enquiry(catalogue, customer)
    response = adviser.post(LOG, _form(catalogue, customer, chasing="none", resolved_at_first_contact=None,
                                       enquiry_type=str(catalogue["missed_bin"].pk)), follow=True)
    assert response.status_code == 200
    new = Contact.objects.order_by("-pk").first()
    assert new.repeat_of is None and new.possible_repeat_of_id == handoff.contact_id
    assert new.avoidable is False and Handoff.objects.count() == 2
    assert f"Flagged as a possible repeat of enquiry {handoff.pk} (Waste Operations)." in (
        response.content.decode())
    # About another service: not a repeat at all.
    adviser.post(LOG, _form(catalogue, customer, chasing="none",
                            enquiry_type=str(catalogue["balance"].pk)))
    other = Contact.objects.order_by("-pk").first()
    assert other.service == catalogue["council_tax"] and other.possible_repeat_of is None


@pytest.mark.django_db
def test_chasing_an_enquiry_of_another_service_is_refused_on_the_question(adviser, catalogue):
    customer = CustomerFactory()
    handoff = _open_enquiry(catalogue, customer)
    response = adviser.post(LOG, _form(catalogue, customer, chasing=str(handoff.pk),
                                       enquiry_type=str(catalogue["balance"].pk)))
    assert response.status_code == 400
    assert (f'<a href="#id_chasing">Enquiry {handoff.pk} is about Waste and Recycling: log the '
            'contact under that service.</a>') in response.content.decode()


@pytest.mark.django_db
def test_log_page_for_a_customer_with_open_enquiries_takes_ten_queries(adviser, catalogue):
    """Issue 9: at most 10 SQL queries per adviser page, however many open enquiries the
    customer has (no query per candidate, none to count a form's choices)."""
    customer = CustomerFactory()
    counts = []
    for hours in (2, 1):
        _open_enquiry(catalogue, customer, hours_ago=hours, enquiry_type="new_bin")
        adviser.get(LOG, {"customer": customer.pk})
        with CaptureQueriesContext(connection) as queries:
            response = adviser.get(LOG, {"customer": customer.pk})
        assert response.status_code == 200 and "Possible repeat contact" in response.content.decode()
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 10, "\n".join(q["sql"][:200] for q in queries.captured_queries)


# --- Complaints from the contact screen (issue 15, item 4) --------------------------------------


@pytest.mark.django_db
def test_a_corporate_complaint_is_logged_with_the_contact_and_counted_once(adviser, catalogue):
    customer = CustomerFactory(first_name="Jane", last_name="Smith")
    response = adviser.post(LOG, _form(
        catalogue, customer, resolved_at_first_contact=None, complaint="on",
        complaint_process="corporate", complaint_summary="The crew left the bin in the road.",
        summary="Rang to complain about the crew."), follow=True)
    assert response.redirect_chain == [(LOG, 302)]
    contact = Contact.objects.get()
    complaint = Complaint.objects.get()
    assert (complaint.contact, complaint.customer, complaint.service, complaint.process,
            complaint.status) == (contact, customer, catalogue["waste"], "corporate",
                                  "awaiting_allocation")
    assert complaint.summary == "The crew left the bin in the road."
    assert complaint.received_at == contact.received_at
    # One contact, not resolved at first contact: the complaint is still to be answered.
    assert contact.resolved_at_first_contact is False
    assert (f"Complaint {complaint.reference} logged for the corporate complaints team: stage 1, "
            "awaiting allocation to an officer.") in response.content.decode()


@pytest.mark.django_db
def test_a_statutory_complaint_goes_to_the_social_care_team_out_of_the_advisers_sight(
        adviser, catalogue):
    customer = CustomerFactory()
    response = adviser.post(LOG, _form(
        catalogue, customer, resolved_at_first_contact=None, complaint="on",
        complaint_process="statutory", complaint_service="council-tax",
        complaint_summary="Her care package was cut without an assessment."), follow=True)
    complaint = Complaint.objects.get()
    assert complaint.process == "statutory" and complaint.service == catalogue["council_tax"]
    assert complaint.contact == Contact.objects.get()
    page = response.content.decode()
    assert (f"Complaint {complaint.reference} passed to the social care complaints team: statutory "
            "complaints are theirs alone, so it will not appear in your lists.") in page
    assert adviser.get(f"/complaints/{complaint.pk}/").status_code == 404
    social_care = user_with(Role.SOCIAL_CARE_COMPLAINTS)
    adviser.force_login(social_care)
    assert adviser.get(f"/complaints/{complaint.pk}/").status_code == 200
    assert complaint.reference in adviser.get("/complaints/").content.decode()


@pytest.mark.django_db
def test_a_complaint_needs_the_customer_its_process_and_what_it_is_about(adviser, catalogue):
    response = adviser.post(LOG, _form(catalogue, resolved_at_first_contact=None, complaint="on",
                                       complaint_summary=""))
    assert response.status_code == 400
    page = response.content.decode()
    assert "A complaint needs the customer: find them, or add them first." in page
    customer = CustomerFactory()
    page = adviser.post(LOG, _form(catalogue, customer, resolved_at_first_contact=None,
                                   complaint="on", complaint_summary="Rude.")).content.decode()
    assert '<a href="#id_complaint_process">Choose corporate or statutory.</a>' in page
    page = adviser.post(LOG, _form(catalogue, customer, resolved_at_first_contact=None,
                                   complaint="on", complaint_process="corporate",
                                   complaint_summary="")).content.decode()
    assert '<a href="#id_complaint_summary">Enter what the complaint is about.</a>' in page
    page = adviser.post(LOG, _form(catalogue, customer, complaint="on", complaint_process="corporate",
                                   complaint_summary="Rude.")).content.decode()
    assert "A contact that raises a complaint is not resolved at first contact" in page
    assert not Contact.objects.exists() and not Complaint.objects.exists()


@pytest.mark.django_db
def test_a_complaint_alone_needs_no_enquiry_type(adviser, catalogue):
    customer = CustomerFactory()
    response = adviser.post(LOG, _form(catalogue, customer, enquiry_type="", complaint="on",
                                       resolved_at_first_contact=None, complaint_process="corporate",
                                       complaint_service="waste", complaint_summary="Rude crew."))
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert (contact.service, contact.enquiry_type, contact.handoff_method) == (
        catalogue["waste"], None, "one_and_done")
    assert Complaint.objects.get().contact == contact


@pytest.mark.django_db
def test_an_adviser_taking_a_complaint_is_sent_to_the_contact_screen(adviser, catalogue):
    customer = CustomerFactory()
    response = adviser.get("/complaints/new/", {"customer": customer.pk})
    assert response.status_code == 302
    assert response["Location"] == f"/contacts/log/?complaint=1&customer={customer.pk}"
    page = adviser.get(response["Location"]).content.decode()
    assert 'id="id_complaint" name="complaint" type="checkbox" value="on" checked' in page
    assert 'class="govuk-checkboxes__conditional" id="conditional-complaint"' in page
    home = adviser.get("/").content.decode()
    assert 'href="/contacts/log/?complaint=1">Log a complaint' in home.replace("\n", "").replace(
        "                  ", "")


# --- The back office's screen (issue 15, item 3) ------------------------------------------------


@pytest.fixture
def officer(client_for, catalogue):
    client = client_for(Role.BACK_OFFICE)
    catalogue["team"].members.add(client.user)
    return client


@pytest.mark.django_db
def test_a_back_office_officer_logs_a_direct_contact_at_the_teams_site(officer, catalogue):
    customer = CustomerFactory(first_name="Jane", last_name="Smith")
    page = officer.get(TEAM_LOG, {"customer": customer.pk}).content.decode()
    # Their team and its service to start from; the ways the public reaches a team.
    assert 'name="team" value="' in page and "Waste Operations office" in page
    assert '<option value="waste" selected>' in page
    for channel in ("Phone", "Email", "Letter", "Visit"):
        assert f">{channel}</label>" in page
    assert "Web (self service)" not in page
    response = officer.post(TEAM_LOG, {
        "customer": customer.pk, "team": str(catalogue["team"].pk), "channel": "letter",
        "service": "waste", "enquiry_type": "", "summary": "Wrote in to ask about recycling.",
        "resolved_at_first_contact": "on", "avoidable": "on",
        "avoidable_reason": "information_not_available"}, follow=True)
    assert response.redirect_chain == [(TEAM_LOG, 302)]
    contact = Contact.objects.get()
    assert (contact.site, contact.source, contact.channel, contact.service, contact.handled_by,
            contact.avoidable_reason.code, contact.resolved_at_first_contact) == (
        catalogue["team_site"], "back_office", "letter", catalogue["waste"], officer.user,
        "information_not_available", True)


@pytest.mark.django_db
def test_the_back_office_screen_applies_the_same_rules(officer, catalogue):
    customer = CustomerFactory()
    handoff = _open_enquiry(catalogue, customer)
    base = {"customer": customer.pk, "team": str(catalogue["team"].pk), "channel": "telephone",
            "service": "waste", "summary": "Rang the team.", "chasing": "none"}
    page = officer.post(TEAM_LOG, {**base, "enquiry_type": str(catalogue["missed_bin"].pk),
                                   "resolved_at_first_contact": "on"}).content.decode()
    assert "A contact handed off is not resolved at first contact." in page
    page = officer.post(TEAM_LOG, {**base, "enquiry_type": str(catalogue["balance"].pk)}).content.decode()
    assert "The enquiry type does not belong to the service." in page
    officer.post(TEAM_LOG, {**base, "chasing": str(handoff.pk), "enquiry_type": ""})
    chase = Contact.objects.get(repeat_of=handoff.contact)
    assert (chase.avoidable_reason.code, chase.handoff_method, chase.source) == (
        "progress_chasing", "one_and_done", "back_office")
    assert Handoff.objects.count() == 1


@pytest.mark.django_db
def test_who_may_use_the_back_office_screen(client_for, catalogue):
    assert client_for(Role.ADVISER).get(TEAM_LOG).status_code == 403
    assert client_for(Role.COMPLAINTS_OFFICER).get(TEAM_LOG).status_code == 403
    lonely = client_for(Role.BACK_OFFICE)
    page = lonely.get(TEAM_LOG).content.decode()
    assert "You are not a member of a back-office team yet" in page
    other = TeamFactory(code="revenues", name="Revenues")
    manager = client_for(Role.MANAGER)
    page = manager.get(TEAM_LOG, {"anonymous": "1"}).content.decode()
    assert f'value="{other.pk}"' in page and f'value="{catalogue["team"].pk}"' in page


@pytest.mark.django_db
def test_unknown_customers_answer_404(client_for, catalogue):
    adviser = client_for(Role.ADVISER)
    assert adviser.get(LOG, {"customer": "999999"}).status_code == 404
    assert adviser.get(LOG, {"customer": "abc"}).status_code == 404
    officer = client_for(Role.BACK_OFFICE)
    catalogue["team"].members.add(officer.user)
    assert officer.get(TEAM_LOG, {"customer": "999999"}).status_code == 404
    assert not Customer.objects.exists()
