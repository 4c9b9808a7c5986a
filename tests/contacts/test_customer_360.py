"""The adviser's 360 tells the whole story it may (issue 15, item 6): every hand-off of the
customer (team, status, due date) and the corporate complaints (stage, status, due date, owner) as
read-only summaries, no link that would answer 404, and a plain line saying what is not listed."""

import re

import pytest

from complaints.models import Process
from core.roles import Role
from intake.services import contact_log
from tests.complaints.factories import complaint, walk
from tests.factories import CustomerFactory, EnquiryTypeFactory, ServiceFactory
from tests.handoffs.factories import FAF, team_with_lead, user_with

pytestmark = pytest.mark.django_db


def _links(page: str) -> set[str]:
    return set(re.findall(r'href="(/(?:handoffs|complaints)/\d+/)"', page))


@pytest.fixture
def story(db):
    customer = CustomerFactory(first_name="Rita", last_name="Lees")
    waste = ServiceFactory(code="waste", name="Waste and Recycling")
    bins = EnquiryTypeFactory(service=waste, name="Missed bin", handoff_method=FAF,
                              team=team_with_lead(name="Waste Operations"), target_working_days=2)
    other_adviser = user_with(Role.ADVISER)
    theirs = contact_log(actor=other_adviser, channel="telephone", service=waste, enquiry_type=bins,
                         customer=customer, summary="Bin missed.", source="adviser").handoff
    officer = user_with(Role.COMPLAINTS_OFFICER, first_name="Chloe", last_name="Murphy")
    corporate = walk(complaint(customer=customer, service=waste, summary="Crew were rude."),
                     ["allocate"], officer=officer)
    statutory = complaint(customer=customer, service=waste, process=Process.STATUTORY,
                          summary="Care package cut.")
    return {"customer": customer, "theirs": theirs, "corporate": corporate, "statutory": statutory,
            "bins": bins, "waste": waste}


def test_an_adviser_sees_every_handoff_and_corporate_complaint_without_links_to_404s(
        client_for, story):
    adviser = client_for(Role.ADVISER)
    customer = story["customer"]
    mine = contact_log(actor=adviser.user, channel="telephone", service=story["waste"],
                       enquiry_type=story["bins"], customer=customer, summary="Again.",
                       source="adviser", chasing=None).handoff
    page = adviser.get(f"/contacts/customers/{customer.pk}/").content.decode()
    theirs, corporate, statutory = story["theirs"], story["corporate"], story["statutory"]
    # Someone else's hand-off: team, status and due date, no link (its page would answer 404).
    assert page.count("Hand-off to Waste Operations: Missed bin") == 2
    assert f"due {theirs.due_date.day} {theirs.due_date:%B %Y}" in page
    # Only what the adviser may open is linked, and it opens.
    assert _links(page) == {f"/handoffs/{mine.pk}/"}
    for link in _links(page):
        assert adviser.get(link).status_code == 200
    assert adviser.get(f"/handoffs/{theirs.pk}/").status_code == 404
    # The corporate complaint: stage, status, due date and owner.
    assert f"Complaint {corporate.reference}: Waste and Recycling" in page
    assert (f"Corporate, stage 1, due {corporate.due_date.day} {corporate.due_date:%B %Y}, "
            "with Chloe Murphy") in page
    assert adviser.get(f"/complaints/{corporate.pk}/").status_code == 404
    # The statutory one is not listed, and the page says that restricted cases are not.
    assert statutory.reference not in page
    assert ("Restricted cases are not listed here: statutory social care complaints, which only "
            "the social care complaints team sees.") in page


def test_a_manager_sees_and_opens_everything_and_no_line_is_needed(client_for, story):
    manager = client_for(Role.MANAGER)
    page = manager.get(f"/contacts/customers/{story['customer'].pk}/").content.decode()
    assert _links(page) == {f"/handoffs/{story['theirs'].pk}/",
                            f"/complaints/{story['corporate'].pk}/",
                            f"/complaints/{story['statutory'].pk}/"}
    assert "Restricted cases are not listed" not in page


@pytest.mark.parametrize("role, line", [
    (Role.BACK_OFFICE, "corporate complaints not allocated to you and statutory social care "
                       "complaints, which only the social care complaints team sees"),
    (Role.LEGAL, "corporate complaints not allocated to you and not with the Ombudsman and "
                 "statutory social care complaints"),
    (Role.SOCIAL_CARE_COMPLAINTS, "corporate complaints not allocated to you."),
    (Role.COMPLAINTS_OFFICER, "statutory social care complaints"),
])
def test_other_staff_are_told_what_is_not_listed(client_for, story, role, line):
    page = client_for(role).get(f"/contacts/customers/{story['customer'].pk}/").content.decode()
    assert "Restricted cases are not listed here: " + line in page
    for link in _links(page):
        assert client_for(role).get(link).status_code == 200


def test_the_contact_page_shows_its_handoff_and_complaint_linking_only_what_opens(client_for, story):
    adviser = client_for(Role.ADVISER)
    theirs = story["theirs"]
    page = adviser.get(f"/contacts/{theirs.contact_id}/").content.decode()
    assert f"Hand-off {theirs.pk}" in page and "Hand-off to Waste Operations" in page
    assert f'href="/handoffs/{theirs.pk}/"' not in page
    manager = client_for(Role.MANAGER)
    assert f'href="/handoffs/{theirs.pk}/"' in manager.get(f"/contacts/{theirs.contact_id}/").content.decode()


def test_the_360_offers_what_the_user_may_do_for_the_customer(client_for, story):
    customer = story["customer"]
    adviser_page = client_for(Role.ADVISER).get(f"/contacts/customers/{customer.pk}/").content.decode()
    assert f'href="/contacts/log/?customer={customer.pk}">Log a contact' in adviser_page
    assert f'href="/contacts/log/?customer={customer.pk}&amp;complaint=1">Log a complaint' in adviser_page
    officer_page = client_for(Role.BACK_OFFICE).get(f"/contacts/customers/{customer.pk}/").content.decode()
    assert f'href="/contacts/log/team/?customer={customer.pk}">Log a contact' in officer_page
    legal_page = client_for(Role.LEGAL).get(f"/contacts/customers/{customer.pk}/").content.decode()
    assert "Log a contact" not in legal_page
