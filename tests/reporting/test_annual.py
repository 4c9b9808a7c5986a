"""The annual complaints report and self-assessment (issue 18, item 7): every figure equals a
recount from the raw rows, for a financial year (1 April to 31 March, London days), as the page,
the CSV and the PDF; managers and admins only; a bad year is a clear error."""

import csv
import io
from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from pypdf import PdfReader

from complaints import services as cs
from complaints.models import Complaint, ComplaintStage, Outcome, Process, Stage
from core.roles import Role
from reporting.annual import Year, annual_csv_rows, annual_report, default_year, year_of
from tests.factories import CustomerFactory, ServiceFactory
from tests.reporting.factories import varied_complaints

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
YEAR = Year(2025)


def _moment(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


@pytest.fixture
def officer(make_user):
    return make_user(Role.COMPLAINTS_OFFICER, is_senior_officer=True)


@pytest.fixture
def services():
    return [ServiceFactory(code=code, name=name) for code, name in
            (("waste", "Waste"), ("housing", "Housing"), ("council-tax", "Council Tax"))]


@pytest.fixture
def year_of_complaints(services, officer):
    """Varied complaints in 2025/26, some before and after it, and a few with extensions and
    remedies; two at the year's edges (London time, summer time on 31 March 2026)."""
    varied_complaints(services, officer, n=10, seed=7, start=date(2025, 1, 6), days=80)  # before
    varied_complaints(services, officer, n=50, seed=4, start=date(2025, 4, 1), days=360)
    varied_complaints(services, officer, n=6, seed=5, start=date(2026, 4, 2), days=60)  # after
    for i, (day, remedy) in enumerate([(date(2025, 6, 2), "An apology and £50."),
                                       (date(2025, 9, 15), ""), (date(2026, 1, 12), "Bins fixed.")]):
        case = cs.complaint_create(actor=officer, customer=CustomerFactory(), service=services[i],
                                   summary="Extended", process=Process.CORPORATE, received_at=_moment(day, 9))
        case = cs.complaint_allocate(complaint=case, actor=officer, officer=officer, at=_moment(day, 11))
        case = cs.complaint_interim_response(complaint=case, actor=officer, note="More time",
                                             at=_moment(day + timedelta(days=3)))
        cs.complaint_respond(complaint=case, actor=officer, outcome=Outcome.UPHELD, response="Sorry",
                             remedy=remedy, lessons_learned="Check the round." if remedy else "",
                             at=_moment(day + timedelta(days=9)))
    last = cs.complaint_create(actor=officer, customer=CustomerFactory(), service=services[0],
                               summary="Last evening of the year", process=Process.CORPORATE,
                               received_at=_moment(date(2026, 3, 31), 23, 30))
    first_next = cs.complaint_create(actor=officer, customer=CustomerFactory(), service=services[0],
                                     summary="Just after midnight", process=Process.CORPORATE,
                                     received_at=_moment(date(2026, 4, 1), 0, 30))
    return last, first_next


def _recount() -> dict:
    """The figures counted again, one row at a time, from the complaints and their stages."""
    in_year = [c for c in Complaint.objects.select_related("service")
               if YEAR.first_day <= c.received_at.astimezone(LONDON).date() <= YEAR.last_day]
    ids = {c.pk for c in in_year}
    stages = [s for s in ComplaintStage.objects.select_related("complaint__service")
              if s.complaint_id in ids]
    counts = {"received": len(in_year), "by_service": Counter(c.service.name for c in in_year),
              "by_stage": Counter(s.stage for s in stages), "timeliness": {}, "outcomes": Counter(),
              "remedies": Counter(), "premature": sum(c.via_ombudsman for c in in_year),
              "referred": sum(1 for s in stages
                              if s.stage == Stage.OMBUDSMAN and not s.complaint.via_ombudsman),
              "lessons": Counter(s.complaint.service.name for s in stages if s.lessons_learned)}
    for s in stages:
        key = (s.complaint.process, s.stage)
        t = counts["timeliness"].setdefault(key, Counter())
        t["started"] += 1
        t["extended"] += s.interim_response_at is not None or s.extended_by_working_days > 0
        if s.responded_at:
            t["responded"] += 1
            counts["outcomes"][(s.stage, s.outcome)] += 1
            counts["remedies"][(key, "responded")] += 1
            counts["remedies"][(key, "remedied")] += bool(s.remedy)
            deadline = s.revised_target_date or s.due_date
            if deadline:
                t["with_deadline"] += 1
                t["on_time"] += s.responded_at.astimezone(LONDON).date() <= deadline
    return counts


def test_every_figure_equals_a_recount_from_the_raw_rows(year_of_complaints):
    last, first_next = year_of_complaints
    recount = _recount()
    report = annual_report(YEAR)
    perf = report["performance"]
    assert perf["received"] == recount["received"] > 50
    assert {r["label"]: r["received"] for r in perf["volumes"]} == dict(recount["by_service"])
    assert dict(report["by_stage"]) == {label: recount["by_stage"][code] for code, label in Stage.choices}
    timeliness = {(r["process"], r["stage"]): r for r in report["deadlines"]}
    assert set(timeliness) == set(recount["timeliness"])
    for key, t in recount["timeliness"].items():
        row = timeliness[key]
        assert (row["started"], row["responded"], row["with_deadline"], row["on_time"], row["extended"]) == (
            t["started"], t["responded"], t["with_deadline"], t["on_time"], t["extended"]), key
        assert row["late"] == t["with_deadline"] - t["on_time"]
    assert sum(t["extended"] for t in recount["timeliness"].values()) == 3
    outcomes = {(r["stage"], code): n for r in perf["outcomes"]
                for (code, _), n in zip(Outcome.choices, r["counts"], strict=True) if n}
    assert outcomes == dict(recount["outcomes"])
    remedies = {r["label"]: (r["responded"], r["remedied"]) for r in report["remedies"]}
    for (key, what), n in recount["remedies"].items():
        label = f"{dict(Process.choices)[key[0]]}, {dict(Stage.choices)[key[1]]}"
        assert remedies[label][0 if what == "responded" else 1] == n
    assert sum(r["remedied"] for r in report["remedies"]) == 2
    assert (perf["ombudsman_premature"], perf["ombudsman_period"] - perf["ombudsman_premature"]) == (
        recount["premature"], recount["referred"])
    assert dict(report["lessons_by_service"]) == dict(recount["lessons"])


def test_the_years_edges_are_london_days(year_of_complaints):
    last, first_next = year_of_complaints
    this_year = annual_report(YEAR)["performance"]["received"]
    next_year = annual_report(Year(2026))["performance"]["received"]
    # Recounted: the 23:30 complaint on 31 March (22:30 UTC) is this year's; the 00:30 one on
    # 1 April (23:30 UTC on 31 March) is next year's.
    assert year_of(last.received_at.astimezone(LONDON).date()) == YEAR
    assert year_of(first_next.received_at.astimezone(LONDON).date()) == Year(2026)
    assert this_year == _recount()["received"]
    assert next_year == 6 + 1


def test_the_csv_has_every_figure_of_the_page(year_of_complaints):
    report = annual_report(YEAR)
    rows = list(annual_csv_rows(report))
    assert rows[0] == ["Table", "Row", "Column", "Value"]
    received = [r for r in rows
                if r[0].startswith("Complaints received by service") and r[2] == "Complaints received"]
    assert {r[1]: r[3] for r in received} == {**_recount()["by_service"],
                                              "All services": report["performance"]["received"]}


def test_the_year_names_and_default():
    assert (Year(2025).label, Year(2025).first_day, Year(2025).last_day) == (
        "2025/26", date(2025, 4, 1), date(2026, 3, 31))
    assert year_of(date(2026, 3, 31)) == Year(2025) and year_of(date(2026, 4, 1)) == Year(2026)
    assert default_year(date(2026, 11, 30)) == Year(2025)


def test_the_page_csv_and_pdf(client_for, year_of_complaints):
    client = client_for(Role.MANAGER)
    page = client.get("/reports/annual/?year=2025")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Annual complaints report 2025/26" in body
    assert "Self-assessment against the Complaint Handling" in body
    received = _recount()["received"]
    assert f'<span class="nwd-stat">{received}</span>' in body
    download = client.get("/reports/annual/?year=2025&format=csv")
    assert download["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode())))
    assert ["Complaints received by service, and the stages they reached", "All services",
            "Complaints received", str(received)] in rows
    one = client.get("/reports/annual/?year=2025&format=csv&table=outcomes")
    assert b"".join(one.streaming_content).decode().startswith("Stage,Upheld")
    assert client.get("/reports/annual/?year=2025&format=csv&table=nothing").status_code == 404
    pdf = client.get("/reports/annual/?year=2025&format=pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).split())
    assert "Annual complaints performance and service improvement report 2025/26" in text
    assert f"{received} complaints were received" in text
    assert "Self-assessment against the Complaint Handling Code" in text


@pytest.mark.parametrize("year", ["1999", "next", "2025-26", "9999"])
def test_a_year_outside_the_records_is_a_clear_error(client_for, year_of_complaints, year):
    with time_machine.travel(_moment(date(2026, 11, 30)), tick=False):
        response = client_for(Role.MANAGER).get(f"/reports/annual/?year={year}&format=pdf")
    assert response.status_code == 400
    assert "Choose a year between 2024/25 and 2026/27." in response.content.decode()


@pytest.mark.parametrize("role", [Role.ADVISER, Role.BACK_OFFICE, Role.COMPLAINTS_OFFICER,
                                  Role.SOCIAL_CARE_COMPLAINTS, Role.LEGAL])
def test_only_managers_and_admins_see_it(client_for, role):
    assert client_for(role).get("/reports/annual/").status_code == 403
    assert client_for(Role.ADMIN).get("/reports/annual/").status_code == 200
