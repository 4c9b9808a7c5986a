"""Work lists that scale (issue 20, item 1) on the hand-off lists: search by reference, name,
postcode and UPRN; "assigned to me" and "unassigned"; server-side sort by column; numbered pages
with counts, filters kept in every link; a team lead's bulk assign (through the service, audited,
permission-checked); a fixed number of queries per page."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import AuditEvent
from core.roles import Role
from handoffs import services
from handoffs.models import Handoff, HandoffUpdate
from tests.factories import CustomerFactory
from tests.handoffs.factories import CA, officer_in, open_handoff, team_with_lead, user_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    return team_with_lead(code="highways", name="Highways")


def listed(response) -> list[int]:
    return [h.pk for h in response.context["listing"].page.object_list]


def test_queue_search_by_reference_name_postcode_and_uprn(client_for, team):
    client = client_for(Role.BACK_OFFICE)
    team.members.add(client.user)
    grace = CustomerFactory(first_name="Grace", last_name="Buckley", postcode="SK16 4XY", uprn="100012999001")
    arthur = CustomerFactory(first_name="Arthur", last_name="Buckley", postcode="SK14 2AA",
                             uprn="100012999002")
    hers = open_handoff(team=team, customer=grace)
    his = open_handoff(team=team, customer=arthur)
    other = open_handoff(team=team)
    assert listed(client.get("/handoffs/?q=buckley")) == [hers.pk, his.pk]
    assert listed(client.get("/handoffs/?q=Grace+Buckley")) == [hers.pk]
    assert listed(client.get("/handoffs/?q=sk164xy")) == [hers.pk]
    assert listed(client.get("/handoffs/?q=100012999002")) == [his.pk]
    assert listed(client.get(f"/handoffs/?q={other.pk}")) == [other.pk]
    assert listed(client.get("/handoffs/?q=nobody+matches")) == []


def test_queue_search_finds_only_what_the_officer_may_see(client_for, team):
    client = client_for(Role.BACK_OFFICE)
    team.members.add(client.user)
    grace = CustomerFactory(first_name="Grace", last_name="Buckley")
    elsewhere = open_handoff(team=team_with_lead(), customer=grace)
    assert listed(client.get("/handoffs/?q=buckley")) == []
    assert listed(client.get(f"/handoffs/?q={elsewhere.pk}")) == []


def test_assigned_to_me_and_unassigned(client_for, team):
    client = client_for(Role.BACK_OFFICE)
    team.members.add(client.user)
    colleague = officer_in(team)
    mine, theirs, nobodys = (open_handoff(team=team) for _ in range(3))
    services.handoff_accept(handoff=mine, actor=client.user)
    services.handoff_accept(handoff=theirs, actor=colleague)
    assert listed(client.get("/handoffs/?assigned=me")) == [mine.pk]
    assert listed(client.get("/handoffs/?assigned=none")) == [nobodys.pk]
    assert set(listed(client.get("/handoffs/"))) == {mine.pk, theirs.pk, nobodys.pk}


def test_sort_by_column_both_ways_and_headers_say_so(client_for, team):
    client = client_for(Role.BACK_OFFICE)
    team.members.add(client.user)
    slow = open_handoff(team=team, days=10)
    fast = open_handoff(team=team, days=1)
    middle = open_handoff(team=team, days=5)
    assert listed(client.get("/handoffs/")) == [fast.pk, middle.pk, slow.pk]  # soonest due first
    assert listed(client.get("/handoffs/?sort=due&order=desc")) == [slow.pk, middle.pk, fast.pk]
    assert listed(client.get("/handoffs/?sort=reference&order=asc")) == [slow.pk, fast.pk, middle.pk]
    response = client.get("/handoffs/?sort=reference&order=desc&assigned=none")
    assert listed(response) == [middle.pk, fast.pk, slow.pk]
    html = response.content.decode()
    # The sorted column says so; its link turns the order round and keeps the filter.
    header = re.search(r'<th [^>]*aria-sort="descending"[^>]*><a [^>]*href="([^"]+)"', html)
    assert header and "sort=reference" in header.group(1) and "order=asc" in header.group(1)
    assert "assigned=none" in header.group(1).replace("&amp;", "&")
    assert html.count('aria-sort="none"') == 2  # status and due: sortable, not sorted
    # An unknown column falls back to the default order, never a 500.
    assert listed(client.get("/handoffs/?sort=__class__&order=sideways")) == [fast.pk, middle.pk, slow.pk]


def test_numbered_pages_with_counts_keep_the_filters(client_for, team):
    client = client_for(Role.MANAGER)
    for _ in range(53):
        open_handoff(team=team)
    first = client.get("/handoffs/?team=highways")
    html = first.content.decode()
    assert "Showing 1 to 50 of 53 hand-offs" in html
    assert 'aria-current="page"' in html
    second_link = re.search(r'href="(\?[^"]*page=2[^"]*)"', html).group(1).replace("&amp;", "&")
    assert "team=highways" in second_link
    second = client.get(f"/handoffs/{second_link}")
    assert "Showing 51 to 53 of 53 hand-offs" in second.content.decode()
    assert len(listed(second)) == 3
    assert client.get("/handoffs/?page=999").status_code == 200  # past the end: the last page


def test_queue_queries_are_fixed_per_page(client_for, team):
    client = client_for(Role.BACK_OFFICE)
    team.members.add(client.user)
    customer = CustomerFactory(last_name="Buckley")

    def count(url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    open_handoff(team=team, customer=customer)
    url = "/handoffs/?q=buckley&sort=status&assigned=none"
    client.get(url)
    few = count(url)
    for _ in range(6):
        open_handoff(team=team, customer=customer)
    assert count(url) == few


# --- bulk assign -------------------------------------------------------------------------------


def test_team_lead_assigns_selected_handoffs_to_an_officer(client, team):
    lead = user_with(Role.BACK_OFFICE)
    team.members.add(lead)
    team.lead = lead
    team.save()
    officer = officer_in(team)
    picked = [open_handoff(team=team), open_handoff(team=team)]
    left = open_handoff(team=team)
    client.force_login(lead)
    page = client.get("/handoffs/").content.decode()
    assert "Assign selected" in page and 'form="bulk-assign"' in page
    response = client.post("/handoffs/assign/", {
        "handoff": [h.pk for h in picked], "officer": officer.pk, "query": "assigned=none&sort=due"})
    assert response.status_code == 302
    assert response["Location"] == "/handoffs/?assigned=none&sort=due"
    for handoff in picked:
        handoff.refresh_from_db()
        assert (handoff.assigned_to, handoff.status) == (officer, Handoff.Status.IN_PROGRESS)
        assert handoff.updates.filter(kind=HandoffUpdate.Kind.REASSIGNED).count() == 1
        assert AuditEvent.objects.filter(action="handoff_reassigned", object_id=str(handoff.pk),
                                         actor=lead).count() == 1
    left.refresh_from_db()
    assert left.assigned_to is None
    # The same request again changes nothing (already theirs).
    client.post("/handoffs/assign/", {"handoff": [h.pk for h in picked], "officer": officer.pk})
    assert AuditEvent.objects.filter(action="handoff_reassigned").count() == 2


def test_bulk_assign_refuses_an_officer_outside_the_team_and_changes_nothing(client_for, team):
    client = client_for(Role.MANAGER)
    outsider = officer_in(team_with_lead())
    member = officer_in(team)
    handoff = open_handoff(team=team)
    response = client.post("/handoffs/assign/", {"handoff": [handoff.pk], "officer": outsider.pk})
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and "is not a member of Highways" in html
    handoff.refresh_from_db()
    assert handoff.assigned_to is None
    # Nothing selected, no officer: clear errors, not a 500.
    response = client.post("/handoffs/assign/", {"officer": member.pk})
    assert response.status_code == 400 and "Select the hand-offs to assign." in response.content.decode()
    response = client.post("/handoffs/assign/", {"handoff": [handoff.pk]})
    assert response.status_code == 400 and "Select an officer." in response.content.decode()
    response = client.post("/handoffs/assign/", {"handoff": ["x", "99999999"], "officer": member.pk})
    assert response.status_code == 400


def test_bulk_assign_is_all_or_nothing(client_for, team):
    client = client_for(Role.MANAGER)
    member = officer_in(team)
    other_team = team_with_lead(name="Waste")
    fine = open_handoff(team=team)
    wrong_team = open_handoff(team=other_team)
    response = client.post("/handoffs/assign/", {"handoff": [fine.pk, wrong_team.pk], "officer": member.pk})
    assert response.status_code == 400
    fine.refresh_from_db()
    assert fine.assigned_to is None
    resolved = open_handoff(team=team)
    services.handoff_resolve(handoff=resolved, actor=member, outcome="Done.")
    response = client.post("/handoffs/assign/", {"handoff": [fine.pk, resolved.pk], "officer": member.pk})
    assert response.status_code == 400 and "cannot be" in response.content.decode()
    fine.refresh_from_db()
    assert fine.assigned_to is None


@pytest.mark.parametrize(
    ("role", "lead", "status"),
    [(Role.BACK_OFFICE, True, 302), (Role.BACK_OFFICE, False, 403), (Role.MANAGER, False, 302),
     (Role.ADMIN, False, 302), (Role.ADVISER, False, 404), (Role.COMPLAINTS_OFFICER, False, 404),
     (Role.SOCIAL_CARE_COMPLAINTS, False, 404), (Role.LEGAL, False, 404)],
)
def test_bulk_assign_permissions_per_role(client_for, team, role, lead, status):
    client = client_for(role)
    team.members.add(client.user)
    if lead:
        team.lead = client.user
        team.save()
    officer = officer_in(team)
    handoff = open_handoff(team=team)
    response = client.post("/handoffs/assign/", {"handoff": [handoff.pk], "officer": officer.pk})
    assert response.status_code == status
    handoff.refresh_from_db()
    assert (handoff.assigned_to == officer) is (status == 302)


def test_a_lead_may_not_assign_another_teams_handoffs(client, team):
    lead = user_with(Role.BACK_OFFICE)
    team.lead = lead
    team.save()
    other = team_with_lead(name="Waste")
    other.members.add(lead)
    officer = officer_in(other)
    team.members.add(officer)  # an officer of both teams: the lead's choice is the other team's hand-off
    handoff = open_handoff(team=other)
    client.force_login(lead)
    response = client.post("/handoffs/assign/", {"handoff": [handoff.pk], "officer": officer.pk})
    assert response.status_code == 403
    handoff.refresh_from_db()
    assert handoff.assigned_to is None


def test_bulk_assign_is_only_offered_to_leads_managers_and_admins(client_for, team):
    client = client_for(Role.BACK_OFFICE)
    team.members.add(client.user)
    open_handoff(team=team)
    html = client.get("/handoffs/").content.decode()
    assert "Assign selected" not in html and 'form="bulk-assign"' not in html


# --- the advocate's list ---------------------------------------------------------------------------


def test_advocate_list_search_sort_and_pages(client_for, team):
    client = client_for(Role.ADVISER)
    grace = CustomerFactory(first_name="Grace", last_name="Buckley")
    hers = open_handoff(team=team, method=CA, adviser=client.user, customer=grace, days=9)
    other = open_handoff(team=team, method=CA, adviser=client.user, days=2)
    open_handoff(team=team, method=CA)  # another adviser's
    assert listed(client.get("/handoffs/advocate/")) == [other.pk, hers.pk]
    assert listed(client.get("/handoffs/advocate/?sort=due&order=desc")) == [hers.pk, other.pk]
    response = client.get("/handoffs/advocate/?q=grace+buckley")
    assert listed(response) == [hers.pk]
    assert "Showing 1 to 1 of 1 cases" in response.content.decode()


def test_the_database_keeps_each_hand_offs_copy_of_its_contacts_customer():
    """The queues search by a copy of the contact's customer on the hand-off (handoffs migration
    0006): stored with the hand-off whatever writes it, corrected if written wrong, following the
    contact when its customer changes, cleared when the contact loses it."""
    from contacts.models import Contact

    first, second = CustomerFactory(), CustomerFactory()
    handoff = open_handoff(customer=first)
    assert Handoff.objects.get(pk=handoff.pk).contact_customer_id == first.pk
    # A hand-off written without it (a bulk load, a raw INSERT) gets it all the same.
    other = Handoff.objects.create(contact=handoff.contact, method=handoff.method, team=handoff.team,
                                   opened_at=handoff.opened_at, due_date=handoff.due_date)
    assert Handoff.objects.get(pk=other.pk).contact_customer_id == first.pk
    Handoff.objects.filter(pk=other.pk).update(contact_customer_id=second.pk)  # wrong: corrected
    assert Handoff.objects.get(pk=other.pk).contact_customer_id == first.pk
    Contact.objects.filter(pk=handoff.contact_id).update(customer=second)
    assert set(Handoff.objects.filter(contact=handoff.contact_id)
               .values_list("contact_customer_id", flat=True)) == {second.pk}
    Contact.objects.filter(pk=handoff.contact_id).update(customer=None)
    assert set(Handoff.objects.filter(contact=handoff.contact_id)
               .values_list("contact_customer_id", flat=True)) == {None}
    # Other columns of the contact leave it alone.
    Contact.objects.filter(pk=handoff.contact_id).update(customer=first)
    Contact.objects.filter(pk=handoff.contact_id).update(summary="Changed")
    assert Handoff.objects.get(pk=handoff.pk).contact_customer_id == first.pk
