"""Hand-off pages: the team queue, the detail with its actions, the advocate's list; who sees
what (404 otherwise), tags, filters, and the hooks for the page shell."""

from datetime import date

import pytest
import time_machine

from core.models import HandoffMethod
from core.navigation import attention_items, nav_items, timeline_for
from core.roles import Role
from handoffs import services
from handoffs.models import Handoff, HandoffUpdate
from tests.handoffs.factories import CA, at, officer_in, open_handoff, team_with_lead, user_with


@pytest.fixture
def team():
    return team_with_lead(code="highways", name="Highways")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "relation", "status"),
    [
        (Role.BACK_OFFICE, "member", 200),
        (Role.BACK_OFFICE, None, 404),
        (Role.ADVISER, "advocate", 200),
        (Role.ADVISER, "handled", 200),
        (Role.ADVISER, None, 404),
        (Role.MANAGER, None, 200),
        (Role.ADMIN, None, 200),
        (Role.COMPLAINTS_OFFICER, None, 404),
        (Role.SOCIAL_CARE_COMPLAINTS, None, 404),
        (Role.LEGAL, None, 404),
        (None, None, 403),  # no staff role at all: the middleware refuses every page
    ],
)
def test_detail_visibility_per_role_and_relation(client_for, team, role, relation, status):
    client = client_for(role)
    if relation == "member":
        team.members.add(client.user)
    if relation == "advocate":
        handoff = open_handoff(team=team, method=CA, adviser=client.user, actor=user_with(Role.ADVISER))
        Handoff.objects.filter(pk=handoff.pk).update(advocate=client.user)
    elif relation == "handled":
        handoff = open_handoff(team=team, actor=client.user)
    else:
        handoff = open_handoff(team=team)
    assert client.get(f"/handoffs/{handoff.pk}/").status_code == status


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.BACK_OFFICE, 200), (Role.MANAGER, 200), (Role.ADMIN, 200), (Role.ADVISER, 404),
     (Role.COMPLAINTS_OFFICER, 404), (Role.LEGAL, 404)],
)
def test_team_queue_is_for_the_back_office_managers_and_admins(client_for, role, status):
    assert client_for(role).get("/handoffs/").status_code == status


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "status"), [(Role.ADVISER, 200), (Role.BACK_OFFICE, 404),
                                              (Role.COMPLAINTS_OFFICER, 404)])
def test_advocate_list_is_for_advisers(client_for, role, status):
    assert client_for(role).get("/handoffs/advocate/").status_code == status


@pytest.mark.django_db
def test_queue_shows_only_the_officers_teams_sorted_by_due_date_with_tags(client_for, team):
    client = client_for(Role.BACK_OFFICE)
    team.members.add(client.user)
    with time_machine.travel(at("2023-01-09", 9), tick=False):
        later = open_handoff(team=team, received_at=at("2023-01-09", 9), days=5)
        late = open_handoff(team=team, received_at=at("2023-01-02", 9), days=1)
        soon = open_handoff(team=team, received_at=at("2023-01-09", 9), days=1)
        elsewhere = open_handoff(team=team_with_lead(), received_at=at("2023-01-09", 9))
        resolved = open_handoff(team=team, received_at=at("2023-01-09", 9))
        services.handoff_resolve(handoff=resolved, actor=client.user, outcome="Done.")
        page = client.get("/handoffs/")
    listed = [h.pk for h in page.context["page"].object_list]
    assert listed == [late.pk, soon.pk, later.pk]
    assert elsewhere.pk not in listed
    html = page.content.decode()
    assert html.count("govuk-tag--red\">Overdue") == 1
    assert html.count("govuk-tag--yellow\">Due soon") == 1
    assert html.count(">Claim<") == 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [("", ["late", "advocate", "mine"]), ("?overdue=on", ["late"]),
     ("?method=customer_advocate", ["advocate"]), ("?status=in_progress", ["mine"]),
     ("?team=waste", ["mine"]), ("?team=unknown", ["late", "advocate", "mine"])],
)
def test_queue_filters(client_for, team, query, expected):
    client = client_for(Role.BACK_OFFICE)
    team.members.add(client.user)
    waste = team_with_lead(code="waste")
    waste.members.add(client.user)
    with time_machine.travel(at("2023-01-09", 9), tick=False):
        cases = {
            "late": open_handoff(team=team, received_at=at("2023-01-02", 9), days=1),
            "advocate": open_handoff(team=team, method=CA, received_at=at("2023-01-09", 9), days=2),
            "mine": open_handoff(team=waste, received_at=at("2023-01-09", 9), days=3),
        }
        services.handoff_accept(handoff=cases["mine"], actor=client.user)
        page = client.get(f"/handoffs/{query}")
    names = {h.pk: name for name, h in cases.items()}
    assert [names[h.pk] for h in page.context["page"].object_list] == expected


@pytest.mark.django_db
def test_claim_from_the_queue_then_update_reassign_and_resolve_from_the_detail(client_for, team):
    client = client_for(Role.BACK_OFFICE)
    team.members.add(client.user)
    colleague = officer_in(team)
    handoff = open_handoff(team=team, method=CA)

    response = client.post(f"/handoffs/{handoff.pk}/accept/")
    assert response.status_code == 302
    handoff.refresh_from_db()
    assert handoff.assigned_to == client.user

    detail = client.get(f"/handoffs/{handoff.pk}/").content.decode()
    assert f'href="/contacts/customers/{handoff.contact.customer_id}/"' in detail
    assert "Add update" in detail and "Reassign" in detail and "Resolve hand-off" in detail

    client.post(f"/handoffs/{handoff.pk}/update/", {"update-note": "Rang them.",
                                                    "update-customer_informed": "on",
                                                    "update-informed_via": "phone"})
    update = handoff.updates.get(kind=HandoffUpdate.Kind.NOTE)
    assert (update.customer_informed, update.informed_via) == (True, "phone")

    client.post(f"/handoffs/{handoff.pk}/reassign/", {"reassign-officer": colleague.pk})
    handoff.refresh_from_db()
    assert handoff.assigned_to == colleague

    client.post(f"/handoffs/{handoff.pk}/resolve/", {"resolve-outcome": "Fixed."})
    handoff.refresh_from_db()
    assert handoff.status == Handoff.Status.RESOLVED
    detail = client.get(f"/handoffs/{handoff.pk}/").content.decode()
    assert "Customer informed" in detail and "Fixed." in detail
    assert "Resolve hand-off" not in detail


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("action", "data", "error"),
    [
        ("update", {"update-note": ""}, "Enter the update."),
        ("update", {"update-note": "x", "update-customer_informed": "on"},
         "Select how the customer was informed."),
        ("resolve", {"resolve-outcome": ""}, "Enter the outcome."),
        ("reassign", {"reassign-officer": ""}, "Select an officer."),
    ],
)
def test_invalid_action_forms_show_the_error_summary(client_for, team, action, data, error):
    client = client_for(Role.BACK_OFFICE)
    team.members.add(client.user)
    handoff = open_handoff(team=team)
    response = client.post(f"/handoffs/{handoff.pk}/{action}/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and error in html


@pytest.mark.django_db
def test_acting_on_a_resolved_handoff_explains_instead_of_failing(client_for, team):
    client = client_for(Role.BACK_OFFICE)
    team.members.add(client.user)
    handoff = open_handoff(team=team)
    services.handoff_resolve(handoff=handoff, actor=client.user, outcome="Done.")
    response = client.post(f"/handoffs/{handoff.pk}/accept/", follow=True)
    assert "no longer possible" in response.content.decode()


@pytest.mark.django_db
def test_an_adviser_cannot_accept_but_the_advocate_may_add_updates(client_for, team):
    client = client_for(Role.ADVISER)
    handoff = open_handoff(team=team, method=CA, adviser=client.user)
    # The advocate can see the case, so refusing says so (403) rather than pretending it is gone.
    assert client.post(f"/handoffs/{handoff.pk}/accept/").status_code == 403
    assert client.post(f"/handoffs/{handoff.pk}/update/", {"update-note": "Chased."}).status_code == 302
    page = client.get("/handoffs/advocate/")
    assert [h.pk for h in page.context["page"].object_list] == [handoff.pk]


@pytest.mark.django_db
def test_nav_items_per_role(make_user):
    assert [i.label for i in nav_items(make_user(Role.BACK_OFFICE)) if "queue" in i.label] == ["Team queue"]
    assert "My advocate cases" in [i.label for i in nav_items(make_user(Role.ADVISER))]
    assert not [i for i in nav_items(make_user(Role.LEGAL)) if i.url.startswith("/handoffs/")]


@pytest.mark.django_db
def test_attention_items_count_open_and_overdue_in_the_officers_teams(make_user, team):
    officer = make_user(Role.BACK_OFFICE)
    team.members.add(officer)
    with time_machine.travel(at("2023-01-09", 9), tick=False):
        open_handoff(team=team, received_at=at("2023-01-02", 9), days=1)
        open_handoff(team=team, received_at=at("2023-01-09", 9), days=3)
        open_handoff(team=team_with_lead(), received_at=at("2023-01-02", 9), days=1)
        items = {i.label: i.count for i in attention_items(officer)}
    assert items["Open hand-offs in your teams"] == 2
    assert items["Overdue hand-offs"] == 1


@pytest.mark.django_db
def test_attention_items_count_the_advisers_open_advocate_cases(make_user, team):
    adviser = make_user(Role.ADVISER)
    open_handoff(team=team, method=CA, adviser=adviser)
    assert {i.label: i.count for i in attention_items(adviser)}["Your open advocate cases"] == 1


@pytest.mark.django_db
def test_customer_timeline_lists_every_handoff_and_links_only_those_the_user_may_open(
        make_user, team):
    """Issue 15: the 360 tells the whole story it may (team, status, due date of every hand-off
    of the customer) and has no link that would answer 404."""
    officer = make_user(Role.BACK_OFFICE)
    team.members.add(officer)
    handoff = open_handoff(team=team)
    customer = handoff.contact.customer
    other_team = team_with_lead(name="Revenues")
    hidden = open_handoff(team=other_team, customer=customer)
    entries = {e.id: e for e in timeline_for(customer, officer) if e.type == "handoff"}
    assert set(entries) == {handoff.pk, hidden.pk}
    assert entries[handoff.pk].url == f"/handoffs/{handoff.pk}/" and entries[handoff.pk].is_open
    assert entries[hidden.pk].url == "" and entries[hidden.pk].title.startswith("Hand-off to Revenues")
    assert f"due {hidden.due_date.day} {hidden.due_date:%B %Y}" in entries[hidden.pk].detail
    assert {e.id: bool(e.url) for e in timeline_for(customer, make_user(Role.MANAGER))
            if e.type == "handoff"} == {handoff.pk: True, hidden.pk: True}
    # A partner system knows only of the hand-offs of its own contacts.
    partner = make_user(Role.PARTNER)
    assert [e for e in timeline_for(customer, partner) if e.type == "handoff"] == []


def test_method_codes_match_api_md():
    assert HandoffMethod.values == ["one_and_done", "fire_and_forget", "customer_advocate"]
    assert Handoff.Status.values == ["open", "in_progress", "resolved"]
    assert date(2023, 1, 9).weekday() == 0


@pytest.mark.django_db
def test_queue_and_api_list_queries_do_not_grow_with_the_number_of_handoffs(
        client_for, api_client_for, team):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(Role.BACK_OFFICE)
    team.members.add(client.user)
    api = api_client_for(Role.MANAGER)

    def queries(get):
        with CaptureQueriesContext(connection) as captured:
            assert get().status_code == 200
        return len(captured)

    open_handoff(team=team, method=CA)
    client.get("/handoffs/"), api.get("/api/v1/handoffs/")  # warm the per-process caches
    few = (queries(lambda: client.get("/handoffs/")), queries(lambda: api.get("/api/v1/handoffs/")))
    for _ in range(8):
        open_handoff(team=team, method=CA)
    many = (queries(lambda: client.get("/handoffs/")), queries(lambda: api.get("/api/v1/handoffs/")))
    assert many == few
