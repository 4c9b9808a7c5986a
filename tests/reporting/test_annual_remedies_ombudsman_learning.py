"""The annual report's issue 18 sections, with the figures written out: remedies and their cost,
the Ombudsman's decisions and compliance with its recommendations, and actions from lessons
learned (reporting/annual.py's docstring says on what base each is counted)."""

import csv
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from complaints import services as cs
from complaints.models import Outcome, Process
from core.roles import Role
from reporting.annual import Year, annual_csv_rows, annual_report
from tests.complaints.factories import complaint, user_with, walk
from tests.factories import CustomerFactory, ServiceFactory

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
YEAR = Year(2025)
TODAY = date(2026, 5, 1)


def _at(day: str, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.fromisoformat(f"{day}T{hour:02d}:{minute:02d}").replace(tzinfo=LONDON)


def _responded(officer, service, day: str, remedy):
    with time_machine.travel(_at(day), tick=False):
        case = cs.complaint_create(actor=officer, customer=CustomerFactory(), service=service,
                                   summary="Missed bins", process=Process.CORPORATE)
        case = cs.complaint_allocate(complaint=case, actor=officer, officer=officer)
        return cs.complaint_respond(complaint=case, actor=officer, outcome=Outcome.UPHELD, response="Sorry",
                                    remedy=remedy)


def _decided(officer, referred: str, decided: str, decision: str, recommendations=(), remedy=None):
    with time_machine.travel(_at(referred), tick=False):
        case = walk(complaint(), ["allocate", "respond", "escalate", "allocate", "respond",
                                  "refer_to_ombudsman"], officer=officer)
    with time_machine.travel(_at(decided), tick=False):
        cs.complaint_ombudsman_decision(complaint=case, actor=officer, decision=decision, remedy=remedy,
                                        recommendations=[{"action": f"Do {due}", "due_date": due}
                                                         for due in recommendations])
    return case


def _done(case, due: str, moment: datetime):
    item = case.ombudsman_recommendations.get(due_date=date.fromisoformat(due))
    with time_machine.travel(moment, tick=False):
        cs.ombudsman_recommendation_done(complaint=case, actor=None, recommendation=item.pk)


@pytest.fixture
def officer():
    return user_with(Role.COMPLAINTS_OFFICER, is_senior_officer=True)


def test_remedies_and_their_cost_by_kind(officer):
    waste = ServiceFactory(name="Waste")
    _responded(officer, waste, "2025-05-12", {"kind": "financial", "amount_pounds": 50})
    _responded(officer, waste, "2025-08-04", {"kind": "financial", "amount_pounds": "120.50"})
    _responded(officer, waste, "2025-11-03", {"kind": "apology"})
    _responded(officer, waste, "2026-03-02", {"kind": "service_action", "amount_pounds": 80,
                                              "detail": "Round re-planned"})
    _responded(officer, waste, "2025-03-03", {"kind": "financial", "amount_pounds": 999})  # 2024/25
    _responded(officer, waste, "2026-04-07", {"kind": "financial", "amount_pounds": 999})  # 2026/27
    # The Ombudsman's remedy is the Ombudsman's section's, not the council's responses'.
    _decided(officer, "2025-06-02", "2025-07-01", "upheld",
             remedy={"kind": "financial", "amount_pounds": 300})

    report = annual_report(YEAR, today=TODAY)
    rows = report["remedies_cost"]["rows"]
    assert [(r["kind"], r["count"], r["costed"], r["cost_pence"]) for r in rows] == [
        ("apology", 1, 0, 0), ("financial", 2, 2, 17050), ("service_action", 1, 1, 8000), ("other", 0, 0, 0)]
    assert (report["remedies_cost"]["count"], report["remedies_cost"]["cost_pence"]) == (4, 25050)
    rows = list(csv.reader(io.StringIO("\n".join(",".join(f'"{c}"' for c in row)
                                                 for row in annual_csv_rows(report)))))
    caption = "Remedies given with the responses, and their cost"
    assert [caption, "Financial remedy", "Cost (£)", "170.50"] in rows
    assert [caption, "All remedies", "Cost (£)", "250.50"] in rows
    assert [caption, "All remedies", "Remedies", "4"] in rows
    evidence = next(r["evidence"] for r in report["self_assessment"]
                    if r["section"] == "Putting things right")
    assert evidence.endswith("remedies cost £250.50 in all.")


def test_ombudsman_decisions_upheld_rate_and_compliance(officer):
    a = _decided(officer, "2025-06-02", "2025-07-01", "upheld", ["2025-07-15", "2025-08-01", "2026-03-31"],
                 remedy={"kind": "financial", "amount_pounds": 300})
    _done(a, "2025-07-15", _at("2025-07-14"))  # on time
    _done(a, "2025-08-01", _at("2025-08-05"))  # late
    _done(a, "2026-03-31", _at("2026-03-31", 23, 30))  # on time: 31 March in London (summer time)
    _decided(officer, "2025-09-01", "2025-10-01", "not_upheld")
    _decided(officer, "2025-11-03", "2025-12-01", "closed_after_initial_enquiries", ["2026-01-15"])  # overdue
    _decided(officer, "2026-03-02", "2026-04-10", "upheld", ["2026-04-30"])  # decided in 2026/27
    _decided(officer, "2025-02-03", "2025-03-03", "premature")  # decided in 2024/25

    ombudsman = annual_report(YEAR, today=TODAY)["ombudsman"]
    assert ombudsman["decisions"] == [("upheld", "Upheld", 1), ("not_upheld", "Not upheld", 1),
                                      ("closed_after_initial_enquiries", "Closed after initial enquiries", 1),
                                      ("premature", "Premature (referred back to the council)", 0)]
    assert ombudsman["decided"] == 3
    assert ombudsman["upheld_percent"] == 50.0  # 1 upheld of 2 investigated
    assert (ombudsman["remedies"], ombudsman["remedies_cost_pence"]) == (1, 30000)
    assert (ombudsman["recommendations_due"], ombudsman["on_time"], ombudsman["late"], ombudsman["overdue"],
            ombudsman["waiting"]) == (4, 2, 1, 1, 0)
    assert ombudsman["compliance_percent"] == 50.0


def test_compliance_counts_only_recommendations_already_due(officer):
    case = _decided(officer, "2025-06-02", "2025-07-01", "upheld", ["2025-07-15", "2026-02-27"])
    _done(case, "2025-07-15", _at("2025-07-10"))
    # Halfway through the year the February recommendation is not due yet.
    ombudsman = annual_report(YEAR, today=date(2025, 11, 3))["ombudsman"]
    assert (ombudsman["recommendations_due"], ombudsman["on_time"], ombudsman["compliance_percent"]) == (
        1, 1, 100.0)


def test_actions_from_lessons_learned_by_service(officer):
    waste, parks = ServiceFactory(name="Waste"), ServiceFactory(name="Parks")
    owner = user_with(Role.BACK_OFFICE)

    def action(service, created: str, due: str, done: str | None = None):
        with time_machine.travel(_at(created), tick=False):
            item = cs.learning_action_add(complaint=complaint(service=service), actor=None, action="Act",
                                          owner=owner, due_date=date.fromisoformat(due))
        if done:
            with time_machine.travel(_at(done), tick=False):
                cs.learning_action_done(learning_action=item, actor=None)

    action(waste, "2025-05-01", "2025-06-02", done="2025-05-20")  # on time
    action(waste, "2025-09-01", "2025-10-01", done="2025-10-03")  # late
    action(waste, "2026-02-02", "2026-06-30")  # open, not yet due
    action(parks, "2025-11-03", "2026-01-30")  # open and overdue
    action(parks, "2025-03-31", "2025-04-30")  # created in 2024/25
    action(parks, "2026-04-01", "2026-04-02")  # created in 2026/27

    learning = annual_report(YEAR, today=TODAY)["learning_actions"]
    assert learning["rows"] == [
        {"service": "Parks", "actions": 1, "done": 0, "on_time": 0, "open": 1, "overdue": 1},
        {"service": "Waste", "actions": 3, "done": 2, "on_time": 1, "open": 1, "overdue": 0}]
    assert learning["total"] == {"actions": 4, "done": 2, "on_time": 1, "open": 2, "overdue": 1}


def test_the_page_shows_the_new_sections(client_for, officer):
    _responded(officer, ServiceFactory(name="Waste"), "2025-05-12",
               {"kind": "financial", "amount_pounds": 50})
    with time_machine.travel(_at("2026-05-01"), tick=False):
        page = client_for(Role.MANAGER).get("/reports/annual/?year=2025").content.decode()
    for caption in ("Remedies given with the responses, and their cost",
                    "The Ombudsman&#x27;s decisions in the year, and compliance with its recommendations",
                    "Actions from lessons learned in the year, by service"):
        assert caption in page
    assert "50.00" in page
