"""Complaints, hand-off, channel and joined-up reports: every figure against a recount in Python
from the raw rows (London days, back-dated and edited records), filters and CSV."""

import csv
import io
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.utils import timezone

from complaints.models import Complaint, ComplaintStage
from contacts.models import Contact
from core.models import Channel, HandoffMethod
from core.roles import Role
from handoffs.models import Handoff
from reporting.selectors import handoff_raw_counts, handoff_summary_counts, handoff_summary_mismatches
from tests.factories import TeamFactory
from tests.reporting.factories import LONDON, varied_complaints, varied_contacts, varied_handoffs

pytestmark = pytest.mark.django_db
PERIOD = {"date_from": "2025-01-01", "date_to": "2025-12-31"}
IN_2025 = (date(2025, 1, 1), date(2025, 12, 31))


def local(moment):
    return timezone.localtime(moment).date() if moment else None


def pct(a, b):
    return None if not b else round(100 * a / b, 1)


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.fixture
def contacts():
    return varied_contacts(90, start=date(2025, 1, 5), days=150)


@pytest.fixture
def handoffs(contacts):
    # Some hand-offs opened outside the period, which no period figure may count.
    outside = varied_contacts(10, seed=9, start=date(2024, 11, 1), days=40)
    return varied_handoffs(contacts + outside)


@pytest.fixture
def officer(make_user):
    return make_user(Role.COMPLAINTS_OFFICER)


@pytest.fixture
def complaints(contacts, officer):
    services = sorted({c.service for c in contacts}, key=lambda s: s.pk)
    varied_complaints(services, officer, n=8, seed=11, start=date(2024, 10, 1), days=60)  # outside
    return varied_complaints(services, officer)


# --- Hand-offs ------------------------------------------------------------------------------------

def python_handoff_counts() -> Counter:
    counts = Counter()
    for h in Handoff.objects.all():
        resolved = h.resolved_at is not None
        counts[(local(h.opened_at), h.team_id, h.method, resolved,
                resolved and local(h.resolved_at) <= h.due_date)] += 1
    return counts


def assert_handoff_summary_exact():
    assert handoff_summary_mismatches() == []
    assert handoff_summary_counts() == dict(python_handoff_counts())


def test_handoff_summary_follows_every_write(handoffs, make_user):
    from handoffs.services import handoff_resolve

    assert_handoff_summary_exact()
    assert handoff_raw_counts() == dict(python_handoff_counts())
    on_time = [k for k in python_handoff_counts() if k[4]]
    late = [k for k in python_handoff_counts() if k[3] and not k[4]]
    assert on_time and late
    # Resolved through the service, now.
    open_one = Handoff.objects.unresolved().filter(opened_at__year=2025).first()
    handoff_resolve(handoff=open_one, actor=make_user(Role.BACK_OFFICE), outcome="Done")
    # Moved to another team, back-dated, re-opened, due date moved, deleted; in bulk and one by one.
    other = TeamFactory()
    ids = [h.pk for h in handoffs[:12]]
    Handoff.objects.filter(pk__in=ids[:4]).update(team=other)
    back_dated = datetime(2024, 10, 27, 0, 30, tzinfo=LONDON)  # still 26 October in UTC
    Handoff.objects.filter(pk__in=ids[4:8]).update(opened_at=back_dated)
    Handoff.objects.filter(pk__in=ids[8:10], resolved_at__isnull=False).update(
        status="open", resolved_at=None)
    one = Handoff.objects.get(pk=ids[10])
    one.due_date = one.due_date + timedelta(days=5)
    one.save()
    Handoff.objects.filter(pk=ids[11]).delete()
    Handoff.objects.filter(pk__in=ids).update(outcome="unrelated")
    assert_handoff_summary_exact()
    assert sum(n for k, n in handoff_summary_counts().items() if k[1] == other.pk) == 4
    assert sum(n for k, n in handoff_summary_counts().items() if k[0] == date(2024, 10, 27)) == 4


def test_handoff_rebuild_and_check(handoffs):
    from io import StringIO

    from django.core.management import CommandError, call_command

    from reporting.models import HandoffDailySummary

    HandoffDailySummary.objects.filter(pk=HandoffDailySummary.objects.order_by("pk").first().pk) \
        .update(count=77)
    with pytest.raises(CommandError, match="hand-off"):
        call_command("reporting_check", stdout=StringIO(), stderr=StringIO())
    out = StringIO()
    call_command("reporting_rebuild", stdout=out)
    assert "hand-off summary" in out.getvalue()
    call_command("reporting_check", stdout=StringIO())
    assert_handoff_summary_exact()


def test_handoff_page_equals_recount(client_for, handoffs):
    today = timezone.localdate()
    res = client_for(Role.MANAGER).get("/reports/handoffs/", PERIOD)
    assert res.status_code == 200
    perf = res.context["perf"]
    everything = list(Handoff.objects.select_related("team"))
    in_period = [h for h in everything if IN_2025[0] <= local(h.opened_at) <= IN_2025[1]]
    assert len(in_period) < len(everything)

    def expect(group):
        rows = {}
        for h in in_period:
            r = rows.setdefault(group(h), Counter())
            r["opened"] += 1
            r["resolved"] += h.resolved_at is not None
            r["on_time"] += h.resolved_at is not None and local(h.resolved_at) <= h.due_date
        for h in everything:
            if h.resolved_at is None:
                r = rows.setdefault(group(h), Counter())
                r["open_now"] += 1
                r["overdue_now"] += h.due_date < today
        return {k: {f: v[f] for f in ("opened", "resolved", "on_time", "open_now", "overdue_now")}
                for k, v in rows.items()}

    def got(rows):
        return {r["label"]: {f: r[f] for f in ("opened", "resolved", "on_time", "open_now", "overdue_now")}
                for r in rows}

    labels = dict(HandoffMethod.choices)
    assert got(perf["by_team"]) == expect(lambda h: h.team.name)
    assert got(perf["by_method"]) == expect(lambda h: labels[h.method])
    assert got(perf["by_team_method"]) == expect(lambda h: f"{h.team.name}: {labels[h.method]}")
    for r in perf["by_team"]:
        assert r["on_time_percent"] == pct(r["on_time"], r["resolved"])
    advocate = [h for h in everything
                if h.method == HandoffMethod.CUSTOMER_ADVOCATE and h.resolved_at is None]
    assert perf["advocate_open"] == len(advocate) > 0
    assert perf["advocate_overdue"] == sum(h.due_date < today for h in advocate)
    body = res.content.decode()
    for name in ("team", "method", "team_method"):
        assert f'id="table-{name}"' in body
    assert 'id="chart-team-data" type="application/json"' in body


def test_handoff_period_filter(client_for, handoffs):
    day = min(local(h.opened_at) for h in handoffs if local(h.opened_at).year == 2025)
    res = client_for(Role.MANAGER).get("/reports/handoffs/", {"date_from": day, "date_to": day})
    expected = sum(local(h.opened_at) == day for h in Handoff.objects.all())
    assert res.context["perf"]["total"]["opened"] == expected > 0


# --- Complaints -----------------------------------------------------------------------------------

def _in_period(complaint, service=None):
    return IN_2025[0] <= local(complaint.received_at) <= IN_2025[1] and (
        service is None or complaint.service_id == service.pk)


def test_complaints_page_equals_recount(client_for, complaints):
    today = timezone.localdate()
    res = client_for(Role.MANAGER).get("/reports/complaints/", PERIOD)
    assert res.status_code == 200
    perf = res.context["perf"]
    all_complaints = list(Complaint.objects.select_related("service"))
    period = [c for c in all_complaints if _in_period(c)]
    assert 0 < len(period) < len(all_complaints)
    stages = [s for s in ComplaintStage.objects.select_related("complaint") if _in_period(s.complaint)]

    assert perf["received"] == len(period)
    volumes = Counter((s.complaint.service.name, s.stage) for s in stages)
    received = Counter(c.service.name for c in period)
    assert {r["label"]: (r["received"], r["stages"]) for r in perf["volumes"]} == {
        name: (received[name], [volumes[(name, st)] for st in ("1", "2", "3", "ombudsman")])
        for name in received}

    deadlines = {}
    for s in stages:
        r = deadlines.setdefault((s.complaint.process, s.stage), Counter())
        r["started"] += 1
        deadline = s.revised_target_date or s.due_date
        if s.responded_at:
            r["responded"] += 1
            r["with_deadline"] += deadline is not None
            r["on_time"] += deadline is not None and local(s.responded_at) <= deadline
        else:
            r["waiting"] += 1
    got = {(r["process"], r["stage"]): {k: r[k] for k in ("started", "responded", "with_deadline",
                                                          "on_time", "waiting")}
           for r in perf["deadlines"]}
    assert got == {k: {f: v[f] for f in ("started", "responded", "with_deadline", "on_time", "waiting")}
                   for k, v in deadlines.items()}
    for r in perf["deadlines"]:
        assert r["on_time_percent"] == pct(r["on_time"], r["with_deadline"])
        assert r["late"] == r["with_deadline"] - r["on_time"]
    assert any(r["late"] for r in perf["deadlines"]) and any(r["on_time"] for r in perf["deadlines"])

    outcomes = Counter((s.stage, s.outcome) for s in stages if s.outcome)
    for r in perf["outcomes"]:
        assert r["counts"] == [outcomes[(r["stage"], o)] for o in ("upheld", "partly_upheld", "not_upheld")]

    overdue = Counter((c.process, c.stage) for c in all_complaints
                      if c.status != "closed" and c.due_date and c.due_date < today)
    assert {(r["process"], r["stage"]): r["n"] for r in perf["overdue"]} == dict(overdue)
    assert perf["overdue_total"] > 0

    ombudsman = [c for c in period if c.via_ombudsman or any(
        s.stage == "ombudsman" for s in stages if s.complaint_id == c.pk)]
    assert perf["ombudsman_period"] == len(ombudsman) > 0
    assert perf["ombudsman_premature"] == sum(c.via_ombudsman for c in period)
    open_ombudsman = [c for c in all_complaints if c.status != "closed" and c.ombudsman_follow_up_date]
    assert perf["ombudsman_open"] == len(open_ombudsman)
    assert perf["ombudsman_follow_up_passed"] == sum(
        c.ombudsman_follow_up_date < today for c in open_ombudsman)

    lessons = [s for s in stages if s.lessons_learned]
    assert perf["lessons_total"] == len(lessons) > 0
    assert {s.pk for s in perf["lessons"]} <= {s.pk for s in lessons}
    assert len(perf["lessons"]) == min(10, len(lessons))
    body = res.content.decode()
    for name in ("volumes", "deadlines", "outcomes", "overdue", "lessons"):
        assert f'id="table-{name}"' in body


def test_complaint_deadline_is_a_london_day(client_for, officer, contacts):
    """Responding at 00:30 on the day after the deadline is late, although it is still the
    deadline day in UTC during summer time."""
    from complaints import services as cs
    from tests.factories import CustomerFactory

    service = contacts[0].service
    results = []
    for minute_after_midnight in (False, True):
        complaint = cs.complaint_create(actor=officer, customer=CustomerFactory(), service=service,
                                        summary="Edge", process="corporate",
                                        received_at=datetime(2025, 6, 2, 9, tzinfo=LONDON))
        complaint = cs.complaint_allocate(complaint=complaint, actor=officer, officer=officer,
                                          at=datetime(2025, 6, 2, 10, tzinfo=LONDON))
        due = complaint.due_date
        at = (datetime.combine(due + timedelta(days=1), time(0, 30), tzinfo=LONDON) if minute_after_midnight
              else datetime.combine(due, time(23, 30), tzinfo=LONDON))
        cs.complaint_respond(complaint=complaint, actor=officer, outcome="upheld", response="R", at=at)
        results.append(at)
    assert results[1].astimezone(UTC).date() == results[1].date() - timedelta(days=1)
    res = client_for(Role.MANAGER).get("/reports/complaints/", {"date_from": "2025-06-02",
                                                                "date_to": "2025-06-02"})
    row = res.context["perf"]["deadlines"][0]
    assert (row["responded"], row["on_time"], row["late"]) == (2, 1, 1)


def test_complaints_service_filter(client_for, complaints):
    service = complaints[0].service
    res = client_for(Role.MANAGER).get("/reports/complaints/", {**PERIOD, "service": service.code})
    perf = res.context["perf"]
    assert perf["received"] == sum(_in_period(c, service) for c in Complaint.objects.all())
    assert [r["label"] for r in perf["volumes"]] == [service.name]
    assert sum(r["started"] for r in perf["deadlines"]) == ComplaintStage.objects.filter(
        complaint__service=service, complaint__received_at__year=2025).count()


# --- Channels, cost and the joined-up view ----------------------------------------------------

def test_channel_mix_shift_and_what_if(client_for, contacts):
    res = client_for(Role.MANAGER).get("/reports/channels/", {**PERIOD, "shift": "30"})
    assert res.status_code == 200
    qs = list(Contact.objects.filter(received_date__year=2025))
    tables = res.context["tables"]
    assert set(tables) == {"channel_mix", "channel_shift", "cost"}
    months = sorted({c.received_date.strftime("%Y-%m") for c in qs})
    assert len(tables["channel_mix"].rows) == len(months)
    assert sum(r[-1].text for r in tables["channel_mix"].rows) == len(qs)
    first = [c for c in qs if c.received_date.strftime("%Y-%m") == months[0]]
    last = [c for c in qs if c.received_date.strftime("%Y-%m") == months[-1]]
    assert res.context["shift"]
    for r in res.context["shift"]:
        code = r["channel"]
        a = pct(sum(c.channel == code for c in first), len(first)) or 0.0
        b = pct(sum(c.channel == code for c in last), len(last)) or 0.0
        assert (r["first"], r["last"], r["change"]) == (a, b, round(b - a, 1))
    unit = dict(Channel.objects.values_list("code", "unit_cost"))
    costs = res.context["costs"]
    moved = {ch: sum(c.channel == ch for c in qs) * 30 // 100 for ch in ("face_to_face", "telephone")}
    assert costs["total"] == sum(unit[c.channel] for c in qs)
    assert costs["moved"] == sum(moved.values())
    assert costs["saving"] == sum(n * (unit[ch] - unit["web"]) for ch, n in moved.items())
    assert sum(r["after_cost"] for r in costs["rows"]) == costs["after"] == costs["total"] - costs["saving"]
    assert sum(r["after_contacts"] for r in costs["rows"]) == len(qs)


def test_joined_up_view(client_for, contacts, complaints):
    res = client_for(Role.MANAGER).get("/reports/joined-up/", PERIOD)
    assert res.status_code == 200
    joined = res.context["joined"]
    qs = list(Contact.objects.filter(received_date__year=2025).select_related("service"))
    period = [c for c in Complaint.objects.select_related("service") if _in_period(c)]
    ni14_all = pct(sum(c.avoidable for c in qs), len(qs))
    rate_all = round(1000 * len(period) / len(qs), 1)
    assert (joined["ni14_percent"], joined["per_thousand"]) == (ni14_all, rate_all)
    rows = {r["label"]: r for r in joined["rows"]}
    for name in {c.service.name for c in qs} | {c.service.name for c in period}:
        mine = [c for c in qs if c.service.name == name]
        n = sum(c.service.name == name for c in period)
        r = rows[name]
        assert (r["contacts"], r["avoidable"], r["complaints"]) == (
            len(mine), sum(c.avoidable for c in mine), n)
        rate = round(1000 * n / len(mine), 1) if mine else None
        assert r["per_thousand"] == rate
        ni14 = pct(sum(c.avoidable for c in mine), len(mine))
        assert r["high"] == bool(n and ni14 is not None and ni14 >= ni14_all and rate >= rate_all)
    flags = [r["high"] for r in joined["rows"]]
    assert flags == sorted(flags, reverse=True)  # the services high on both come first
    upheld = {c.service.name for c in period if c.stages.filter(outcome__in=["upheld", "partly_upheld"])}
    assert {r["label"] for r in joined["rows"] if r["upheld"]} == upheld


# --- CSV of every table on every page -------------------------------------------------------------

@pytest.mark.parametrize("url", ["/reports/", "/reports/channels/", "/reports/complaints/",
                                 "/reports/handoffs/", "/reports/joined-up/"])
def test_every_table_exports_as_csv(client_for, handoffs, complaints, url):
    client = client_for(Role.MANAGER)
    page = client.get(url, PERIOD)
    tables = page.context["tables"]
    assert tables
    body = page.content.decode()
    for name, table in tables.items():
        assert f"format=csv&amp;table={name}" in body
        res = client.get(url, {**PERIOD, "format": "csv", "table": name})
        assert res.status_code == 200 and res["Content-Type"].startswith("text/csv")
        rows = _csv(res)
        assert rows[0] == table.headers
        page_rows = [["" if c.text is None else str(c.text) for c in row] for row in table.rows]
        if name == "lessons":  # the page shows the latest ten, the CSV every one in the period
            assert len(rows) - 1 == page.context["perf"]["lessons_total"] > len(page_rows) == 10
            assert rows[1:11] == page_rows
            continue
        assert rows[1:] == page_rows, name
        assert table.rows or name in ("overdue", "lessons"), name
    assert client.get(url, {"format": "csv", "table": "nope"}).status_code == 404
