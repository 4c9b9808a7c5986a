"""The case page's doors to issue 18 items 2, 3 and 5: a response with a remedy, the Ombudsman's
decision and its recommendations marked done, learning actions added, done and listed by service,
and the statutory stage 3 review panel; each through the same services as the API."""

from datetime import date

import pytest
import time_machine

from complaints.models import ComplaintRemedy, LearningAction, OmbudsmanRecommendation, ReviewPanel
from core.roles import Role
from tests.complaints.factories import at, complaint, user_with, walk
from tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db


def _respond(client, case, **fields):
    body = {"respond-outcome": "upheld", "respond-response": "We are sorry.", **fields}
    return client.post(f"/complaints/{case.pk}/respond/", body)


def test_the_page_records_a_response_with_a_financial_remedy(client_for):
    case = walk(complaint(), ["allocate"])
    client = client_for(Role.COMPLAINTS_OFFICER)
    response = _respond(client, case, **{"respond-remedy_kind": "financial",
                                         "respond-remedy_amount": "£75.50",
                                         "respond-remedy_detail": "Time and trouble"})
    assert response.status_code == 302
    remedy = ComplaintRemedy.objects.get(stage__complaint=case)
    assert (remedy.kind, remedy.amount_pence, remedy.detail) == ("financial", 7550, "Time and trouble")
    page = client.get(f"/complaints/{case.pk}/").content.decode()
    assert "Financial remedy: £75.50" in page and "Time and trouble" in page


@pytest.mark.parametrize(("fields", "box", "message"), [
    ({"respond-remedy_kind": "financial"}, "respond-remedy_amount",
     "Enter the amount of the financial remedy, in pounds."),
    ({"respond-remedy_kind": "financial", "respond-remedy_amount": "-3"}, "respond-remedy_amount",
     "Enter an amount of more than £0."),
    ({"respond-remedy_kind": "other"}, "respond-remedy_detail", "Describe the remedy."),
    ({"respond-remedy_amount": "20"}, "respond-remedy_kind",
     "Select the kind of remedy, or clear the amount and what it was."),
])
def test_a_bad_remedy_on_the_page_is_a_field_error_by_its_box(client_for, fields, box, message):
    case = walk(complaint(), ["allocate"])
    response = _respond(client_for(Role.COMPLAINTS_OFFICER), case, **fields)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and f'href="#id_{box}"' in page
    case.refresh_from_db()
    assert case.status == "open"


def test_a_learning_action_from_the_response_and_from_the_page(client_for):
    owner = user_with(Role.BACK_OFFICE, first_name="Olive", last_name="Owner")
    case = walk(complaint(), ["allocate"])
    client = client_for(Role.COMPLAINTS_OFFICER)
    assert _respond(client, case, **{
        "respond-lessons_learned": "Crews skip cul-de-sacs.", "respond-learning_action": "Brief the crews",
        "respond-learning_owner": owner.username, "respond-learning_due_date_day": "1",
        "respond-learning_due_date_month": "12", "respond-learning_due_date_year": "2099"}).status_code == 302
    added = client.post(f"/complaints/{case.pk}/learning-actions/new/", {
        "learning-action": "Add cul-de-sacs to the round", "learning-owner": owner.username,
        "learning-due_date_day": "31", "learning-due_date_month": "1", "learning-due_date_year": "2100"})
    assert added.status_code == 302
    actions = list(LearningAction.objects.filter(complaint=case).order_by("due_date"))
    assert [(a.action, a.owner, a.due_date, a.stage.stage) for a in actions] == [
        ("Brief the crews", owner, date(2099, 12, 1), "1"),
        ("Add cul-de-sacs to the round", owner, date(2100, 1, 31), "1")]
    assert client.post(f"/complaints/{case.pk}/learning-actions/{actions[0].pk}/done/").status_code == 302
    actions[0].refresh_from_db()
    assert actions[0].done_at is not None
    assert list(case.events.filter(action__startswith="learning_action").values_list("action", flat=True)
                .order_by("pk")) == ["learning_action_added", "learning_action_added", "learning_action_done"]


def test_a_learning_action_needs_an_owner_and_a_due_date_not_in_the_past(client_for):
    case = walk(complaint(), ["allocate"])
    client = client_for(Role.COMPLAINTS_OFFICER)
    missing = client.post(f"/complaints/{case.pk}/learning-actions/new/",
                          {"learning-action": "Brief the crews"})
    assert missing.status_code == 400
    assert "Select who owns the action." in missing.content.decode()
    assert "Enter when the action is due." in missing.content.decode()
    past = client.post(f"/complaints/{case.pk}/learning-actions/new/", {
        "learning-action": "Brief", "learning-owner": client.user.username,
        "learning-due_date_day": "1", "learning-due_date_month": "1", "learning-due_date_year": "2020"})
    assert past.status_code == 400
    assert "The due date cannot be in the past." in past.content.decode()
    assert not LearningAction.objects.exists()


def test_the_managers_list_by_service_open_overdue_and_done(client_for):
    from complaints.services import learning_action_add, learning_action_done

    owner = user_with(Role.BACK_OFFICE)
    waste, parks = ServiceFactory(name="Waste"), ServiceFactory(name="Parks")
    with time_machine.travel(at("2026-03-02", 9), tick=False):
        late = learning_action_add(complaint=complaint(service=waste), actor=None, action="Late one",
                                   owner=owner, due_date=date(2026, 3, 3))
        learning_action_add(complaint=complaint(service=waste), actor=None, action="Open one", owner=owner,
                            due_date=date(2026, 6, 1))
        done = learning_action_add(complaint=complaint(service=parks), actor=None, action="Done one",
                                   owner=owner, due_date=date(2026, 3, 4))
        learning_action_done(learning_action=done, actor=None)
    client = client_for(Role.MANAGER)
    with time_machine.travel(at("2026-03-10", 9), tick=False):
        def listed(query):
            page = client.get(f"/complaints/learning-actions/{query}").content.decode()
            return [name for name in ("Late one", "Open one", "Done one") if name in page]

        assert listed("") == ["Late one", "Open one", "Done one"]
        assert listed("?state=overdue") == ["Late one"]
        assert listed("?state=open") == ["Late one", "Open one"]
        assert listed("?state=done") == ["Done one"]
        assert listed(f"?service={parks.code}") == ["Done one"]
    assert late.complaint.service == waste


def test_a_statutory_learning_action_is_listed_only_for_its_team(client_for):
    from complaints.services import learning_action_add

    user_with(Role.SOCIAL_CARE_COMPLAINTS)
    learning_action_add(complaint=complaint(process="statutory"), actor=None, action="Care plan review",
                        owner=user_with(Role.BACK_OFFICE), due_date=date(2099, 1, 1))
    assert "Care plan review" not in client_for(Role.COMPLAINTS_OFFICER).get(
        "/complaints/learning-actions/").content.decode()
    assert "Care plan review" in client_for(Role.SOCIAL_CARE_COMPLAINTS).get(
        "/complaints/learning-actions/").content.decode()


def test_the_ombudsman_decision_and_a_recommendation_done_from_the_page(client_for):
    case = walk(complaint(), ["allocate", "respond", "escalate", "allocate", "respond", "refer_to_ombudsman"])
    client = client_for(Role.LEGAL)
    decided = client.post(f"/complaints/{case.pk}/ombudsman-decision/", {
        "ombudsman_decision-decision": "upheld", "ombudsman_decision-remedy_kind": "apology",
        "ombudsman_decision-recommendation_1": "Apologise in writing",
        "ombudsman_decision-recommendation_1_due_day": "1",
        "ombudsman_decision-recommendation_1_due_month": "2",
        "ombudsman_decision-recommendation_1_due_year": "2099"})
    assert decided.status_code == 302
    item = OmbudsmanRecommendation.objects.get(complaint=case)
    assert (item.action, item.due_date) == ("Apologise in writing", date(2099, 2, 1))
    page = client.get(f"/complaints/{case.pk}/").content.decode()
    assert "The Ombudsman's decision</h2>" in page and "Apologise in writing" in page
    assert "Record the Ombudsman&#x27;s decision</span>" not in page  # recorded once: not offered
    assert client.post(f"/complaints/{case.pk}/recommendations/{item.pk}/done/").status_code == 302
    item.refresh_from_db()
    assert item.done_at is not None
    again = client.post(f"/complaints/{case.pk}/ombudsman-decision/",
                        {"ombudsman_decision-decision": "upheld"})
    assert again.status_code == 409


def test_a_recommendation_without_its_due_date_is_a_field_error(client_for):
    case = walk(complaint(), ["allocate", "respond", "escalate", "allocate", "respond", "refer_to_ombudsman"])
    response = client_for(Role.LEGAL).post(f"/complaints/{case.pk}/ombudsman-decision/", {
        "ombudsman_decision-decision": "upheld", "ombudsman_decision-recommendation_1": "Apologise"})
    assert response.status_code == 400
    assert "Enter the date recommendation 1 is due." in response.content.decode()


def test_the_review_panel_and_the_directors_decision_at_statutory_stage_three(client_for, api_client_for):
    user_with(Role.SOCIAL_CARE_COMPLAINTS)
    case = walk(complaint(process="statutory", received_at=at("2026-01-05")),
                ["allocate", "respond", "escalate", "allocate", "respond", "escalate", "allocate"],
                at_times=[at(f"2026-01-{5 + i:02d}") for i in range(7)])
    client = client_for(Role.SOCIAL_CARE_COMPLAINTS)
    early = client.post(f"/complaints/{case.pk}/review-panel/", {
        "review_panel-members": "Cllr A Chair", "review_panel-director_decision": "Agreed."})
    assert early.status_code == 400
    assert ("Enter the panel&#x27;s recommendations before the Director&#x27;s decision."
            in early.content.decode())
    saved = client.post(f"/complaints/{case.pk}/review-panel/", {
        "review_panel-panel_date_day": "20", "review_panel-panel_date_month": "2",
        "review_panel-panel_date_year": "2026", "review_panel-members": "Cllr A Chair\n\nMs B Independent",
        "review_panel-recommendations": "Reassess the care package.",
        "review_panel-director_decision": "Agreed in full."})
    assert saved.status_code == 302
    panel = ReviewPanel.objects.get(stage__complaint=case)
    assert (panel.panel_date, panel.member_names) == (date(2026, 2, 20), ["Cllr A Chair", "Ms B Independent"])
    assert panel.director_decided_at is not None
    stage_three = next(s for s in api_client_for(Role.MANAGER).get(f"/api/v1/complaints/{case.pk}/").json()
                       ["stages"] if s["stage"] == 3)
    assert stage_three["review_panel"]["members"] == ["Cllr A Chair", "Ms B Independent"]
    assert stage_three["review_panel"]["panel_date"] == "2026-02-20"
    assert stage_three["review_panel"]["director_decision"] == "Agreed in full."
    page = client.get(f"/complaints/{case.pk}/").content.decode()
    assert "Review panel (stage 3)" in page and "Ms B Independent" in page
    assert 'value="20"' in page  # the form shows what is recorded, so a save does not wipe it
