"""Issue 18, items 2 and 3 (API.md v1.2): remedies recorded with a response, the Ombudsman's
decision, remedy and recommendations, compliance with them, and Legal told of a referral."""

import pytest
import time_machine

from complaints.models import ComplaintRemedy, ComplaintStage, OmbudsmanDecision, OmbudsmanRecommendation
from core.models import OutboundMessage
from core.roles import Role
from tests.complaints.factories import at, complaint, user_with, walk

pytestmark = pytest.mark.django_db
NOT_A_NUMBER = "Enter the amount in pounds as a number, like 50 or 49.99."


def _open_case():
    return walk(complaint(received_at=at("2026-01-05", 9)), ["allocate"], at_times=[at("2026-01-05", 10)])


def _with_ombudsman(process="corporate"):
    """A corporate complaint through both stages, referred to the Ombudsman on 2 March 2026."""
    steps = ["allocate", "respond", "escalate", "allocate", "respond", "refer_to_ombudsman"]
    if process == "statutory":
        steps = ["allocate", "respond", "escalate", "allocate", "respond", "escalate", "allocate", "respond",
                 "refer_to_ombudsman"]
    times = [at(f"2026-01-{5 + i:02d}", 10) for i in range(len(steps) - 1)] + [at("2026-03-02", 10)]
    user_with(Role.SOCIAL_CARE_COMPLAINTS)
    return walk(complaint(process=process, received_at=at("2026-01-05", 9)), steps, at_times=times)


# --- A: remedies on respond ----------------------------------------------------------------------


def test_respond_with_a_financial_remedy_records_kind_amount_and_words(api_client_for):
    case = _open_case()
    api = api_client_for(Role.COMPLAINTS_OFFICER)
    response = api.post(f"/api/v1/complaints/{case.pk}/respond/", {
        "outcome": "upheld", "response": "We are sorry.",
        "remedy": {"kind": "financial", "amount_pounds": "149.50", "detail": "Time and trouble"}},
        format="json")
    assert response.status_code == 200, response.json()
    stage_one = response.json()["stages"][0]
    assert stage_one["remedy"] == {"kind": "financial", "amount_pounds": 149.5, "detail": "Time and trouble"}
    remedy = ComplaintRemedy.objects.get(stage__complaint=case)
    assert (remedy.kind, remedy.amount_pence) == ("financial", 14950)
    assert ComplaintStage.objects.get(complaint=case, stage="1").remedy == \
        "Financial remedy of £149.50: Time and trouble"
    assert response.json()["events"][-1]["data"]["remedy"] == {
        "kind": "financial", "amount_pence": 14950, "detail": "Time and trouble"}


@pytest.mark.parametrize(("remedy", "expected"), [
    ({"kind": "apology"}, {"kind": "apology", "amount_pounds": None, "detail": ""}),
    ({"kind": "service_action", "detail": "Crew retrained", "amount_pounds": 80},
     {"kind": "service_action", "amount_pounds": 80.0, "detail": "Crew retrained"}),
    ({"kind": "financial", "amount_pounds": 50}, {"kind": "financial", "amount_pounds": 50.0, "detail": ""}),
    ("An apology and a visit", {"kind": "other", "amount_pounds": None, "detail": "An apology and a visit"}),
    (None, None),
])
def test_respond_accepts_each_kind_of_remedy(api_client_for, remedy, expected):
    case = _open_case()
    response = api_client_for(Role.COMPLAINTS_OFFICER).post(
        f"/api/v1/complaints/{case.pk}/respond/",
        {"outcome": "upheld", "response": "Sorry.", "remedy": remedy},
        format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["stages"][0]["remedy"] == expected


@pytest.mark.parametrize(("remedy", "message"), [
    ({"kind": "voucher"}, "Select the kind of remedy: apology, financial, service_action or other."),
    ({"amount_pounds": 10}, "Select the kind of remedy: apology, financial, service_action or other."),
    ({"kind": "financial"}, "Enter the amount of the financial remedy, in pounds."),
    ({"kind": "financial", "amount_pounds": -20}, "Enter an amount of more than £0."),
    ({"kind": "financial", "amount_pounds": 0}, "Enter an amount of more than £0."),
    ({"kind": "financial", "amount_pounds": "fifty"}, NOT_A_NUMBER),
    ({"kind": "financial", "amount_pounds": True}, NOT_A_NUMBER),
    ({"kind": "financial", "amount_pounds": "NaN"}, NOT_A_NUMBER),
    ({"kind": "financial", "amount_pounds": 10.005},
     "Enter the amount in pounds and pence, with at most 2 decimal places."),
    ({"kind": "financial", "amount_pounds": 1000000}, "Enter an amount of less than £1,000,000."),
    ({"kind": "other"}, "Describe the remedy."),
    ({"kind": "apology", "detail": 5}, "Enter the remedy's detail as text."),
    (["apology"],
     "Enter the remedy as an object with its kind (apology, financial, service_action or other)."),
])
def test_a_bad_remedy_answers_400_and_records_nothing(api_client_for, remedy, message):
    case = _open_case()
    response = api_client_for(Role.COMPLAINTS_OFFICER).post(
        f"/api/v1/complaints/{case.pk}/respond/",
        {"outcome": "upheld", "response": "Sorry.", "remedy": remedy},
        format="json")
    assert response.status_code == 400
    assert response.json() == {"remedy": [message]}
    case.refresh_from_db()
    assert case.status == "open"
    assert not ComplaintRemedy.objects.exists()


# --- B: the Ombudsman to the end ----------------------------------------------------------------


def test_referral_tells_every_active_member_of_legal_services_once():
    first, second = user_with(Role.LEGAL), user_with(Role.LEGAL)
    user_with(Role.LEGAL, is_active=False)
    case = _with_ombudsman()
    notices = OutboundMessage.objects.filter(dedupe_key__contains=":ombudsman-referral:").order_by("pk")
    assert [n.recipient_user_id for n in notices] == [first.pk, second.pk]
    assert notices[0].subject == f"Referred to the Ombudsman: complaint {case.reference}"
    assert "reference LGO/1" in notices[0].body and "on 2 March 2026" in notices[0].body
    assert "follows up on Monday 25 May 2026" in notices[0].body  # 84 days after 2 March 2026


def test_a_statutory_referral_tells_legal_its_references_only():
    user_with(Role.LEGAL)
    case = _with_ombudsman("statutory")
    notice = OutboundMessage.objects.get(dedupe_key__contains=":ombudsman-referral:")
    assert "social care complaints team holds the case" in notice.body
    assert case.service.name not in notice.body and case.summary not in notice.body


def test_ombudsman_output_before_and_after_the_decision(api_client_for):
    case = _with_ombudsman()
    api = api_client_for(Role.LEGAL)
    body = api.get(f"/api/v1/complaints/{case.pk}/").json()
    assert body["ombudsman"] == {"reference": "LGO/1", "referred_at": "2026-03-02T10:00:00Z",
                                 "follow_up_date": "2026-05-25", "decision": None, "decided_at": None,
                                 "recommendations": []}
    with time_machine.travel(at("2026-06-01", 12), tick=False):
        response = api.post(f"/api/v1/complaints/{case.pk}/ombudsman-decision/", {
            "decision": "upheld", "at": "2026-05-28T09:30:00+01:00",
            "remedy": {"kind": "financial", "amount_pounds": 300, "detail": "For distress"},
            "recommendations": [{"action": "Review the missed-bin procedure", "due_date": "2026-07-31"},
                                {"action": "Apologise in writing", "due_date": "2026-06-11"}]},
            format="json")
    assert response.status_code == 200, response.json()
    ombudsman = response.json()["ombudsman"]
    ids = sorted(OmbudsmanRecommendation.objects.filter(complaint=case).values_list("pk", flat=True))
    assert ombudsman == {
        "reference": "LGO/1", "referred_at": "2026-03-02T10:00:00Z", "follow_up_date": "2026-05-25",
        "decision": "upheld", "decided_at": "2026-05-28T09:30:00+01:00",
        "recommendations": [
            {"id": ids[1], "action": "Apologise in writing", "due_date": "2026-06-11", "done_at": None},
            {"id": ids[0], "action": "Review the missed-bin procedure", "due_date": "2026-07-31",
             "done_at": None}]}
    ombudsman_stage = next(s for s in response.json()["stages"] if s["stage"] == "ombudsman")
    assert ombudsman_stage["remedy"] == {"kind": "financial", "amount_pounds": 300.0,
                                         "detail": "For distress"}
    assert response.json()["status"] == "awaiting_allocation"  # the decision moves no status
    assert response.json()["events"][-1]["action"] == "ombudsman_decision"


def test_the_decision_is_recorded_once_and_only_at_the_ombudsman_stage(api_client_for):
    api = api_client_for(Role.MANAGER)
    early = _open_case()
    response = api.post(f"/api/v1/complaints/{early.pk}/ombudsman-decision/", {"decision": "upheld"},
                        format="json")
    assert response.status_code == 409
    assert "detail" in response.json()
    case = _with_ombudsman()
    assert api.post(f"/api/v1/complaints/{case.pk}/ombudsman-decision/", {"decision": "premature"},
                    format="json").status_code == 200
    again = api.post(f"/api/v1/complaints/{case.pk}/ombudsman-decision/", {"decision": "upheld"},
                     format="json")
    assert again.status_code == 409
    assert again.json() == {"detail": "The Ombudsman's decision has already been recorded at this stage."}


def test_a_decision_is_recorded_after_the_council_closed_its_side(api_client_for):
    case = walk(_with_ombudsman(), ["close"])
    response = api_client_for(Role.LEGAL).post(f"/api/v1/complaints/{case.pk}/ombudsman-decision/",
                                               {"decision": "not_upheld"}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["ombudsman"]["decision"]) == ("closed", "not_upheld")


@pytest.mark.parametrize(("body", "field"), [
    ({"decision": "maybe"}, "decision"),
    ({}, "decision"),
    ({"decision": "upheld", "remedy": {"kind": "financial"}}, "remedy"),
    ({"decision": "upheld", "recommendations": [{"action": "Apologise"}]}, "recommendations"),
    ({"decision": "upheld", "recommendations": [{"action": "", "due_date": "2026-07-01"}]},
     "recommendations"),
    ({"decision": "upheld", "recommendations": [{"action": "Apologise", "due_date": "31/07/2026"}]},
     "recommendations"),
    ({"decision": "upheld", "recommendations": [{"action": "Apologise", "due_date": "2026-02-01"}]},
     "recommendations"),
    ({"decision": "upheld", "recommendations": {"action": "Apologise"}}, "recommendations"),
    ({"decision": "upheld", "at": "2026-02-01T10:00:00Z"}, "at"),  # before the referral
])
def test_a_bad_decision_answers_400_naming_the_field(api_client_for, body, field):
    case = _with_ombudsman()
    response = api_client_for(Role.LEGAL).post(f"/api/v1/complaints/{case.pk}/ombudsman-decision/", body,
                                               format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not OmbudsmanDecision.objects.filter(complaint=case).exists()
    assert not OmbudsmanRecommendation.objects.exists()
    body = api_client_for(Role.LEGAL).get(f"/api/v1/complaints/{case.pk}/").json()
    assert body["ombudsman"]["decision"] is None


def test_a_recommendation_is_marked_done_once_and_a_retry_is_safe(api_client_for):
    case = _with_ombudsman()
    api = api_client_for(Role.LEGAL)
    with time_machine.travel(at("2026-06-01", 12), tick=False):
        api.post(f"/api/v1/complaints/{case.pk}/ombudsman-decision/", {
            "decision": "upheld", "recommendations": [{"action": "Apologise", "due_date": "2026-06-11"}]},
            format="json")
    rid = OmbudsmanRecommendation.objects.get(complaint=case).pk
    url = f"/api/v1/complaints/{case.pk}/recommendations/{rid}/done/"
    with time_machine.travel(at("2026-06-10", 12), tick=False):
        first = api.post(url, {"at": "2026-06-09T15:00:00+01:00"}, format="json")
        events = case.events.count()
        second = api.post(url, {}, format="json")
    assert first.status_code == second.status_code == 200
    done = [{"id": rid, "action": "Apologise", "due_date": "2026-06-11",
             "done_at": "2026-06-09T15:00:00+01:00"}]
    assert first.json()["ombudsman"]["recommendations"] == done
    assert second.json()["ombudsman"]["recommendations"] == done
    assert case.events.count() == events
    event = case.events.get(action="recommendation_done")
    assert event.data == {"recommendation": rid, "due_date": "2026-06-11", "on_time": True}


def test_an_unknown_or_another_complaints_recommendation_is_404(api_client_for):
    case, other = _with_ombudsman(), _with_ombudsman()
    api = api_client_for(Role.LEGAL)
    with time_machine.travel(at("2026-06-01", 12), tick=False):
        api.post(f"/api/v1/complaints/{other.pk}/ombudsman-decision/", {
            "decision": "upheld", "recommendations": [{"action": "Apologise", "due_date": "2026-06-11"}]},
            format="json")
    rid = OmbudsmanRecommendation.objects.get(complaint=other).pk
    assert api.post(f"/api/v1/complaints/{case.pk}/recommendations/{rid}/done/", {},
                    format="json").status_code == 404
    assert api.post(f"/api/v1/complaints/{case.pk}/recommendations/987654/done/", {},
                    format="json").status_code == 404
    early = _open_case()
    assert api_client_for(Role.MANAGER).post(f"/api/v1/complaints/{early.pk}/recommendations/{rid}/done/", {},
                                             format="json").status_code == 409


# --- The sweep: reminders before a recommendation is due, notices once it is overdue -------------


def _decided_with_recommendation(officer=None, due="2026-05-08"):
    """Decided 20 April 2026 with one recommendation due Friday 8 May 2026 (Monday 4 May 2026 is the
    early May bank holiday)."""
    case = _with_ombudsman()
    if officer is not None:
        with time_machine.travel(at("2026-04-01", 12), tick=False):
            case = walk(case, ["allocate"], officer=officer, at_times=[at("2026-03-03", 10)])
    from complaints.services import complaint_ombudsman_decision

    with time_machine.travel(at("2026-04-20", 12), tick=False):
        complaint_ombudsman_decision(complaint=case, actor=None, decision="upheld",
                                     recommendations=[{"action": "Apologise", "due_date": due}])
    return case


def _sweep(day):
    from complaints.tasks import sweep_deadlines

    with time_machine.travel(at(day, 7), tick=False):
        sweep_deadlines()


def test_recommendation_reminder_five_working_days_before_skipping_the_bank_holiday():
    manager = user_with(Role.MANAGER)
    officer = user_with(Role.LEGAL, line_manager=manager, is_senior_officer=True)
    case = _decided_with_recommendation(officer)
    reminders = OutboundMessage.objects.filter(dedupe_key__contains="ombudsman-recommendation:",
                                               dedupe_key__icontains=":reminder:")
    _sweep("2026-04-29")  # 6 working days before: nothing yet
    assert not reminders.exists()
    _sweep("2026-04-30")  # Thu 30 Apr: 5 working days before Fri 8 May, with Mon 4 May a bank holiday
    _sweep("2026-05-01")  # once only
    assert [(m.recipient_user_id, m.subject) for m in reminders] == [
        (officer.pk, f"Ombudsman recommendation due 8 May 2026: complaint {case.reference}")]
    overdue = OutboundMessage.objects.filter(dedupe_key__contains=":overdue:")
    _sweep("2026-05-08")
    assert not overdue.exists()
    _sweep("2026-05-11")
    _sweep("2026-05-12")
    assert [(m.recipient_user_id, m.subject) for m in overdue] == [
        (manager.pk, f"Overdue: Ombudsman recommendation on complaint {case.reference}")]
    assert "overdue by 1 working day." in overdue.get().body


def test_an_unowned_recommendation_is_chased_with_legal_services_and_done_ones_are_not():
    legal = user_with(Role.LEGAL)
    case = _decided_with_recommendation()
    _sweep("2026-05-11")
    messages = OutboundMessage.objects.filter(dedupe_key__startswith="ombudsman-recommendation:")
    assert sorted((m.recipient_user_id, ":overdue:" in m.dedupe_key) for m in messages) == [
        (legal.pk, False), (legal.pk, True)]
    from complaints.services import ombudsman_recommendation_done

    done_case = _decided_with_recommendation(due="2026-06-30")
    with time_machine.travel(at("2026-05-12", 12), tick=False):
        ombudsman_recommendation_done(complaint=done_case, actor=None,
                                      recommendation=done_case.ombudsman_recommendations.get().pk)
    _sweep("2026-07-01")
    assert messages.count() == 2  # the done one, due 30 June, was neither reminded nor noticed
    assert case.ombudsman_recommendations.get().done_at is None


def test_a_decided_case_gets_no_follow_up_reminder():
    legal = user_with(Role.LEGAL)
    decided = _decided_with_recommendation(due="2026-12-31")
    waiting = _with_ombudsman()
    _sweep("2026-05-20")  # the reminder day of the follow-up on Monday 25 May 2026
    follow_ups = OutboundMessage.objects.filter(dedupe_key__contains="ombudsman-follow-up",
                                                recipient_user=legal)
    assert [m.dedupe_key.split(":")[1] for m in follow_ups] == [str(waiting.pk)]
    assert decided.pk != waiting.pk


def test_too_many_recommendations_answer_400(api_client_for):
    case = _with_ombudsman()
    response = api_client_for(Role.LEGAL).post(f"/api/v1/complaints/{case.pk}/ombudsman-decision/", {
        "decision": "upheld", "recommendations": [{"action": "Apologise", "due_date": "2099-01-01"}] * 51},
        format="json")
    assert response.status_code == 400
    assert response.json() == {"recommendations": ["Enter at most 50 recommendations."]}


# --- The sweep: learning actions ------------------------------------------------------------------


def _learning_action(owner, due="2026-05-08"):
    """Created 20 April 2026, due Friday 8 May 2026 (Monday 4 May 2026 is the early May bank
    holiday): the reminder is due 2 working days before, on Wednesday 6 May."""
    from complaints.services import learning_action_add

    with time_machine.travel(at("2026-04-20", 12), tick=False):
        return learning_action_add(complaint=complaint(), actor=None, action="Brief the crews", owner=owner,
                                   due_date=due)


def test_learning_action_reminder_two_working_days_before_and_overdue_notice_once():
    manager = user_with(Role.MANAGER)
    owner = user_with(Role.BACK_OFFICE, line_manager=manager)
    item = _learning_action(owner)
    messages = OutboundMessage.objects.filter(dedupe_key__startswith="learning-action:")
    _sweep("2026-05-05")
    assert not messages.exists()
    _sweep("2026-05-06")
    _sweep("2026-05-07")
    assert [(m.recipient_user_id, m.subject) for m in messages] == [
        (owner.pk, f"Learning action due 8 May 2026: complaint {item.complaint.reference}")]
    _sweep("2026-05-08")
    assert messages.count() == 1
    _sweep("2026-05-11")
    _sweep("2026-05-12")
    overdue = messages.filter(dedupe_key__contains=":overdue:")
    assert [m.recipient_user_id for m in overdue] == [manager.pk]
    assert "overdue by 1 working day." in overdue.get().body


def test_a_leavers_learning_action_reminds_nobody_and_its_overdue_notice_goes_to_the_managers():
    from complaints.services import learning_action_done

    first, second = user_with(Role.MANAGER), user_with(Role.MANAGER)
    owner = user_with(Role.BACK_OFFICE)
    _learning_action(owner)
    done = _learning_action(owner)
    with time_machine.travel(at("2026-04-21", 12), tick=False):
        learning_action_done(learning_action=done, actor=None)
    owner.is_active = False
    owner.save()
    _sweep("2026-05-11")
    messages = OutboundMessage.objects.filter(dedupe_key__startswith="learning-action:").order_by("pk")
    assert [(m.recipient_user_id, ":overdue:" in m.dedupe_key) for m in messages] == [
        (first.pk, True), (second.pk, True)]
