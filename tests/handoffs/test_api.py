"""The hand-offs API exactly as API.md, "Hand-offs": fields, filters, actions, and every
400 / 403 / 404 / 409 answer; partners read only the hand-offs of contacts they created."""

import pytest
import time_machine
from django.utils import timezone

from core.roles import Role
from handoffs import services
from handoffs.models import Handoff
from tests.handoffs.factories import CA, at, open_handoff, team_with_lead


@pytest.fixture
def team():
    return team_with_lead(code="highways")


@pytest.fixture
def officer_api(api_client_for, team):
    api = api_client_for(Role.BACK_OFFICE)
    team.members.add(api.user)
    return api


def _url(handoff, action=""):
    return f"/api/v1/handoffs/{handoff.pk}/" + (f"{action}/" if action else "")


@pytest.mark.django_db
def test_detail_has_exactly_the_contract_fields(officer_api, team):
    handoff = open_handoff(team=team)
    body = officer_api.get(_url(handoff)).json()
    assert set(body) == {"id", "contact", "method", "status", "team", "assigned_to", "due_date",
                         "overdue", "resolved_at", "updates"}
    assert body["id"] == handoff.pk
    assert body["contact"] == handoff.contact_id
    assert body["method"] == "fire_and_forget"
    assert body["status"] == "open"
    assert body["team"] == "highways"
    assert body["assigned_to"] is None
    assert body["due_date"] == handoff.due_date.isoformat()
    assert body["overdue"] is False
    assert body["resolved_at"] is None
    assert [u["kind"] for u in body["updates"]] == ["opened"]
    assert set(body["updates"][0]) == {"kind", "at", "author", "note", "customer_informed",
                                       "informed_via", "informed_at"}


@pytest.mark.django_db
def test_overdue_is_true_for_an_unresolved_handoff_due_before_today(officer_api, team):
    with time_machine.travel(at("2023-01-09", 9), tick=False):
        handoff = open_handoff(team=team, received_at=at("2023-01-09", 9), days=5)
    with time_machine.travel(at("2023-01-16", 12), tick=False):
        assert officer_api.get(_url(handoff)).json()["overdue"] is False  # due today
    with time_machine.travel(at("2023-01-17", 12), tick=False):
        assert officer_api.get(_url(handoff)).json()["overdue"] is True
        services.handoff_resolve(handoff=handoff, actor=officer_api.user, outcome="Done.")
        assert officer_api.get(_url(handoff)).json()["overdue"] is False


@pytest.mark.django_db
def test_accept_update_resolve_through_the_api(officer_api, team):
    handoff = open_handoff(team=team)
    accepted = officer_api.post(_url(handoff, "accept"), {}, format="json")
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "in_progress"
    assert accepted.json()["assigned_to"] == officer_api.user.username

    updated = officer_api.post(_url(handoff, "update"),
                               {"note": "Called the customer.", "customer_informed": True,
                                "informed_via": "phone"}, format="json")
    assert updated.status_code == 200
    last = updated.json()["updates"][-1]
    assert (last["kind"], last["note"], last["customer_informed"], last["informed_via"]) == (
        "note", "Called the customer.", True, "phone")

    moment = timezone.now().isoformat()
    resolved = officer_api.post(_url(handoff, "resolve"), {"note": "Pothole filled.", "at": moment},
                                format="json")
    assert resolved.status_code == 200
    assert resolved.json()["status"] == "resolved"
    assert resolved.json()["resolved_at"] is not None


@pytest.mark.django_db
def test_list_filters_by_team_status_method_and_overdue_sorted_by_due_date(officer_api, team):
    other_team = team_with_lead(code="waste")
    other_team.members.add(officer_api.user)
    with time_machine.travel(at("2023-01-09", 9), tick=False):
        late = open_handoff(team=team, received_at=at("2023-01-02", 9), days=1)
        soon = open_handoff(team=team, method=CA, received_at=at("2023-01-09", 9), days=3)
        waste = open_handoff(team=other_team, received_at=at("2023-01-09", 9), days=2)
        services.handoff_accept(handoff=waste, actor=officer_api.user)
        cases = {
            "": [late, waste, soon],
            "?team=highways": [late, soon],
            "?team=nobody": [],
            "?status=in_progress": [waste],
            "?method=customer_advocate": [soon],
            "?overdue=true": [late],
            "?team=highways&method=fire_and_forget": [late],
        }
        for query, expected in cases.items():
            body = officer_api.get(f"/api/v1/handoffs/{query}").json()
            assert [h["id"] for h in body["results"]] == [h.pk for h in expected], query
            assert body["count"] == len(expected)
            assert {"count", "next", "previous", "results"} <= set(body)


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["?status=closed", "?method=carrier_pigeon", "?overdue=maybe"])
def test_list_rejects_unknown_filter_values(officer_api, query):
    response = officer_api.get(f"/api/v1/handoffs/{query}")
    assert response.status_code == 400
    assert list(response.json()) == [query[1:].split("=")[0]]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("update", {}, "note"),
        ("update", {"note": ""}, "note"),
        ("update", {"note": "x", "customer_informed": "perhaps"}, "customer_informed"),
        ("update", {"note": "x", "informed_via": "pigeon"}, "informed_via"),
        ("resolve", {}, "note"),
        ("resolve", {"note": "x", "at": "yesterday"}, "at"),
        ("accept", {"at": "2999-01-01T10:00:00+00:00"}, "at"),
        ("accept", {"at": "2000-01-01T10:00:00+00:00"}, "at"),
    ],
)
def test_invalid_action_input_answers_400_with_the_field(officer_api, team, action, body, field):
    handoff = open_handoff(team=team)
    response = officer_api.post(_url(handoff, action), body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert isinstance(response.json()[field], list)
    assert Handoff.objects.get(pk=handoff.pk).updates.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("steps", "action", "body"),
    [
        (["accept"], "accept", {}),
        (["resolve"], "accept", {}),
        (["resolve"], "update", {"note": "x"}),
        (["resolve"], "resolve", {"note": "x"}),
    ],
)
def test_action_not_allowed_in_current_status_answers_409(officer_api, team, steps, action, body):
    handoff = open_handoff(team=team)
    for step in steps:
        officer_api.post(_url(handoff, step), {"note": "first"}, format="json")
    response = officer_api.post(_url(handoff, action), body, format="json")
    assert response.status_code == 409
    assert set(response.json()) == {"detail"}


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["", "accept", "update", "resolve"])
def test_unknown_and_out_of_scope_ids_answer_404(officer_api, action):
    elsewhere = open_handoff(team=team_with_lead())
    method = officer_api.get if not action else (lambda url: officer_api.post(url, {"note": "x"},
                                                                              format="json"))
    assert method(_url(elsewhere, action)).status_code == 404
    assert method(f"/api/v1/handoffs/999999/{action + '/' if action else ''}").status_code == 404


@pytest.mark.django_db
def test_unauthenticated_callers_get_401():
    from rest_framework.test import APIClient

    assert APIClient().get("/api/v1/handoffs/").status_code == 401


@pytest.mark.django_db
def test_partner_reads_handoffs_of_its_own_contacts_only_and_cannot_act(api_client_for, team):
    partner = api_client_for(Role.PARTNER)
    own = open_handoff(team=team, actor=partner.user)
    other = open_handoff(team=team)
    assert [h["id"] for h in partner.get("/api/v1/handoffs/").json()["results"]] == [own.pk]
    assert partner.get(_url(own)).status_code == 200
    assert partner.get(_url(other)).status_code == 404
    assert partner.post(_url(own, "accept"), {}, format="json").status_code == 403
    assert partner.post(_url(own, "resolve"), {"note": "x"}, format="json").status_code == 403


@pytest.mark.django_db
def test_advocate_may_add_updates_but_not_accept_or_resolve(api_client_for, team):
    adviser = api_client_for(Role.ADVISER)
    handoff = open_handoff(team=team, method=CA, adviser=adviser.user)
    assert adviser.post(_url(handoff, "update"), {"note": "Customer rang."},
                        format="json").status_code == 200
    assert adviser.post(_url(handoff, "accept"), {}, format="json").status_code == 403
    assert adviser.post(_url(handoff, "resolve"), {"note": "x"}, format="json").status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "in_team", "sees"),
    [
        (Role.BACK_OFFICE, True, True),
        (Role.BACK_OFFICE, False, False),
        (Role.MANAGER, False, True),
        (Role.ADMIN, False, True),
        (Role.ADVISER, False, False),
        (Role.COMPLAINTS_OFFICER, False, False),
        (Role.LEGAL, False, False),
        (Role.SOCIAL_CARE_COMPLAINTS, False, False),
    ],
)
def test_api_visibility_per_role_and_team(api_client_for, team, role, in_team, sees):
    api = api_client_for(role)
    if in_team:
        team.members.add(api.user)
    handoff = open_handoff(team=team)
    assert api.get(_url(handoff)).status_code == (200 if sees else 404)
    assert api.get("/api/v1/handoffs/").json()["count"] == (1 if sees else 0)


@pytest.mark.django_db
def test_schema_describes_the_handoff_endpoints(api_client_for):
    schema = api_client_for(Role.PARTNER).get("/api/schema/?format=json").json()
    paths = schema["paths"]
    for path in ("/api/v1/handoffs/", "/api/v1/handoffs/{handoff_id}/",
                 "/api/v1/handoffs/{handoff_id}/accept/", "/api/v1/handoffs/{handoff_id}/update/",
                 "/api/v1/handoffs/{handoff_id}/resolve/"):
        assert path in paths
    assert set(schema["components"]["schemas"]["Handoff"]["properties"]) == {
        "id", "contact", "method", "status", "team", "assigned_to", "due_date", "overdue",
        "resolved_at", "updates"}
    assert {"400", "404", "409"} <= set(paths["/api/v1/handoffs/{handoff_id}/resolve/"]["post"]["responses"])
    assert {p["name"] for p in paths["/api/v1/handoffs/"]["get"]["parameters"]} >= {
        "team", "status", "method", "overdue"}

