"""Sections measured inside Django (server time with the test client, no network), run in a child
process against the bench database:

    python -m benchmarks.django_side SECTION RESULT.json   (SECTION: dashboards, adviser, sweeps, planning,
    worklists)

Each writes a list of figures (dicts of benchmarks.harness.Figure) to RESULT.json.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from dataclasses import asdict
from datetime import timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from benchmarks.harness import Figure, median, percentile  # noqa: E402


def _user(username: str):
    from core.models import User

    return User.objects.get(username=username)


def _timed_get(client: Client, url: str, runs: int) -> tuple[list[float], int, int]:
    """Server times (s) of `runs` GETs after one warm-up, the queries of the last one, its status."""
    client.get(url)
    times = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - start)
    return times, len(queries), response.status_code


def _raw_time(sql: str, params: list, runs: int = 3) -> tuple[float, list]:
    times, rows = [], []
    for _ in range(runs):
        with connection.cursor() as cursor:
            start = time.perf_counter()
            cursor.execute(sql, params)
            rows = cursor.fetchall()
            times.append(time.perf_counter() - start)
    return median(times), rows


# --- dashboards -------------------------------------------------------------------------------

def dashboards(runs: int = 5) -> list[Figure]:
    from contacts.models import Contact
    from core.models import Service

    today = timezone.localdate()
    last_month_end = today.replace(day=1) - timedelta(days=1)
    service = Service.objects.get(code="waste")
    periods = [
        ("a year", today - timedelta(days=365), today, None),
        ("a month", last_month_end.replace(day=1), last_month_end, None),
        ("one service, a year", today - timedelta(days=365), today, service),
    ]
    client = Client()
    client.force_login(_user("manager"))
    contacts = Contact.objects.count()
    figures = []
    for label, start, end, svc in periods:
        where = "received_date BETWEEN %s AND %s" + (" AND service_id = %s" if svc else "")
        params = [start, end] + ([svc.pk] if svc else [])
        raw_seconds, raw_rows = _raw_time(
            "SELECT service_id, COUNT(*), COUNT(*) FILTER (WHERE avoidable) FROM contacts_contact "
            f"WHERE {where} GROUP BY service_id ORDER BY service_id", params)
        codes = dict(Service.objects.values_list("pk", "code"))
        raw = {codes[service_id]: (total, avoidable) for service_id, total, avoidable in raw_rows}
        in_period = sum(total for total, _ in raw.values())
        query = f"date_from={start}&date_to={end}" + (f"&service={svc.code}" if svc else "")
        page_times, page_queries, page_status = _timed_get(client, f"/reports/?{query}", runs)
        api_query = f"from={start}&to={end}&group_by=service" + (f"&service={svc.code}" if svc else "")
        api_times, api_queries, api_status = _timed_get(client, f"/api/v1/reports/ni14/?{api_query}", runs)
        api = client.get(f"/api/v1/reports/ni14/?{api_query}").json()
        shown = {row["key"]: (row["total"], row["avoidable"]) for row in api.get("rows", [])}
        equal = shown == raw and api.get("total_contacts") == in_period
        for what, times, queries, status in (("NI14 page", page_times, page_queries, page_status),
                                             ("NI14 API", api_times, api_queries, api_status)):
            value = median(times) * 1000
            figures.append(Figure(
                "dashboards", f"{what}, {label}", value, "ms", raw_seconds * 1000,
                "raw GROUP BY over contacts_contact, same rows (ms)", "< 150 ms and <= 1/20 of raw",
                status == 200 and value < 150 and value <= raw_seconds * 1000 / 20,
                notes=f"{in_period:,} of {contacts:,} contacts; {queries} queries; median of {runs}"
                      + ("" if status == 200 else f"; HTTP {status}")))
        figures.append(Figure("dashboards", f"figures = raw recount, {label}", 1 if equal else 0, "bool",
                              target="equal", met=equal,
                              notes="" if equal else f"API {sorted(shown.items())[:3]} "
                                                             f"raw {sorted(raw.items())[:3]}"))
    figures += _other_reports(client, today - timedelta(days=365), today, runs)
    return figures


def _other_reports(client: Client, start, end, runs: int) -> list[Figure]:
    """Issue 6: every report page well under a second at full volume, against a raw GROUP BY over
    the rows it reports on."""
    pages = [
        ("channels and cost", "channels/",
         "SELECT channel, COUNT(*) FROM contacts_contact WHERE received_date BETWEEN %s AND %s "
         "GROUP BY channel"),
        ("complaints", "complaints/",
         "SELECT service_id, stage, status, COUNT(*) FROM complaints_complaint "
         "WHERE received_at::date BETWEEN %s AND %s GROUP BY service_id, stage, status"),
        ("hand-offs", "handoffs/",
         "SELECT team_id, method, COUNT(*), COUNT(*) FILTER (WHERE resolved_at::date <= due_date) "
         "FROM handoffs_handoff WHERE opened_at::date BETWEEN %s AND %s GROUP BY team_id, method"),
        ("joined-up view", "joined-up/",
         "SELECT c.service_id, COUNT(*) FILTER (WHERE c.avoidable), (SELECT COUNT(*) FROM "
         "complaints_complaint k WHERE k.service_id = c.service_id) FROM contacts_contact c "
         "WHERE c.received_date BETWEEN %s AND %s GROUP BY c.service_id"),
    ]
    figures = []
    for label, path, sql in pages:
        raw_seconds, _ = _raw_time(sql, [start, end], runs=1)
        times, queries, status = _timed_get(client, f"/reports/{path}?date_from={start}&date_to={end}", runs)
        value = median(times) * 1000
        figures.append(Figure(
            "dashboards", f"{label} page, a year", value, "ms", raw_seconds * 1000,
            "raw GROUP BY over the rows it reports on (ms)", "< 1 s (issue 6)",
            status == 200 and value < 1000,
            notes=f"{queries} queries; median of {runs}" + ("" if status == 200 else f"; HTTP {status}")))
    return figures


# --- adviser path -----------------------------------------------------------------------------

def adviser(runs: int = 60) -> list[Figure]:
    from contacts import selectors
    from contacts.models import Customer

    rng = random.Random(5)  # nosec B311 - benchmark sampling
    client = Client()
    client.force_login(_user("adviser"))
    highest = Customer.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    sample = list(Customer.objects.filter(pk__in=[rng.randint(1, highest) for _ in range(runs * 3)])
                  .values("pk", "first_name", "last_name", "postcode", "phone")[:runs])
    if not sample:
        return [Figure("adviser", "no customers", 0, "count", met=False)]
    searches = []
    for i, c in enumerate(sample):
        kind = i % 4
        searches.append([f"{c['first_name']} {c['last_name']}", c["last_name"], c["postcode"],
                         c["phone"] or c["postcode"]][kind])
    figures = []
    page_times, page_queries, raw_times = [], 0, []
    for q in searches:
        times, queries, status = _timed_get(client, f"/contacts/customers/?q={q}", 1)
        page_times += times
        page_queries = max(page_queries, queries)
        sql, params = selectors.customer_search(q)[:50].query.sql_with_params()
        raw_times.append(_raw_time(sql, list(params), runs=1)[0])
    figures += _percentiles("customer search", page_times, page_queries, raw_times,
                            "raw SQL of the same search, first 50 (ms)", len(sample))
    log_times, log_queries, raw_times = [], 0, []
    for c in sample:
        times, queries, status = _timed_get(client, f"/contacts/log/?customer={c['pk']}", 1)
        log_times += times
        log_queries = max(log_queries, queries)
        customer = Customer.objects.get(pk=c["pk"])
        sql, params = selectors.contact_open_enquiries(customer).query.sql_with_params()
        raw_times.append(_raw_time(sql, list(params), runs=1)[0])
    figures += _percentiles("log-contact page", log_times, log_queries, raw_times,
                            "raw SQL of the open-enquiry lookup (ms)", len(sample))
    return figures


def _percentiles(name, times, queries, raw_times, raw_name, n) -> list[Figure]:
    p50, p95 = percentile(times, 50) * 1000, percentile(times, 95) * 1000
    return [
        Figure("adviser", f"{name} p50", p50, "ms", median(raw_times) * 1000, raw_name,
               notes=f"{n} requests, server time"),
        Figure("adviser", f"{name} p95", p95, "ms", percentile(raw_times, 95) * 1000, raw_name,
               "< 50 ms", p95 < 50),
        Figure("adviser", f"{name} queries per page", queries, "queries", target="<= 10",
               met=queries <= 10),
    ]


# --- deadline sweeps --------------------------------------------------------------------------

def sweeps() -> list[Figure]:
    from complaints.models import Complaint
    from complaints.services import complaints_enforce_deadlines
    from core.working_days import calendar
    from handoffs.models import Handoff
    from handoffs.services import handoffs_enforce_deadlines

    today = timezone.localdate()
    remind_up_to = calendar().add_working_days(today, 1)
    complaint_horizon = calendar().add_working_days(today, 2)
    open_handoffs = Handoff.objects.unresolved().count()
    open_complaints = Complaint.objects.unresolved().count()
    # Baseline: the least any sweep must do, flag the due rows in one UPDATE each (rolled back).
    with transaction.atomic(), connection.cursor() as cursor:
        start = time.perf_counter()
        cursor.execute(
            "UPDATE handoffs_handoff SET reminded_at = now() WHERE status <> 'resolved' AND "
            "reminded_at IS NULL AND due_date <= %s", [remind_up_to])
        flagged = cursor.rowcount
        cursor.execute(
            "UPDATE handoffs_handoff SET overdue_at = now() WHERE status <> 'resolved' AND "
            "overdue_at IS NULL AND due_date < %s", [today])
        flagged += cursor.rowcount
        cursor.execute(
            "UPDATE complaints_complaint SET overdue_at = now() WHERE due_date IS NOT NULL AND "
            "due_date <= %s AND overdue_at IS NULL", [complaint_horizon])
        flagged += cursor.rowcount
        raw_seconds = time.perf_counter() - start
        transaction.set_rollback(True)
    start = time.perf_counter()
    handoff_counts = handoffs_enforce_deadlines(today)
    handoff_seconds = time.perf_counter() - start
    start = time.perf_counter()
    complaint_counts = complaints_enforce_deadlines(today)
    complaint_seconds = time.perf_counter() - start
    total = handoff_seconds + complaint_seconds
    # Again at once: nothing is due any more, which is what most runs of the sweep find.
    start = time.perf_counter()
    handoffs_enforce_deadlines(today)
    complaints_enforce_deadlines(today)
    idle_seconds = time.perf_counter() - start
    acted = (handoff_counts["reminders"] + handoff_counts["overdue"] + complaint_counts["reminders"]
             + complaint_counts["overdue"])
    return [
        Figure("sweeps", "hand-off sweep", handoff_seconds * 1000, "ms",
               notes=f"{open_handoffs:,} open; {handoff_counts}"),
        Figure("sweeps", "complaint sweep", complaint_seconds * 1000, "ms",
               notes=f"{open_complaints:,} open; {complaint_counts}"),
        Figure("sweeps", "both sweeps", total * 1000, "ms", raw_seconds * 1000,
               "raw UPDATEs flagging the same due rows (ms)", "< 1 s", total < 1.0,
               notes=f"{flagged:,} due rows flagged by the raw UPDATEs; {acted:,} reminders + overdue sent"),
        Figure("sweeps", "both sweeps, nothing due", idle_seconds * 1000, "ms", target="< 50 ms",
               met=idle_seconds < 0.05,
               notes=f"run again at once: {open_handoffs + open_complaints:,} open, none due"),
    ]


# --- contact-centre planning (issue 22) ----------------------------------------------------------

def planning(runs: int = 5) -> list[Figure]:
    """The nightly forecast of every service and channel from three years of history, and the
    planning page from the stored forecast; and the forecast's backtest per channel against
    "same day last week" on the same held-back weeks."""
    from contacts.models import Contact
    from core.models import ChannelCode, Service
    from planning.models import ChannelBacktest, ForecastRun
    from planning.services import HISTORY_DAYS, forecasts_refresh

    today = timezone.localdate()
    history_to = today - timedelta(days=1)
    history_from = history_to - timedelta(days=HISTORY_DAYS - 1)
    in_history = Contact.objects.filter(received_date__gte=history_from,
                                        received_date__lte=history_to).count()
    everything = Contact.objects.count()
    services = Service.objects.filter(is_active=True).count()
    # Baseline: reading the same history from the contacts themselves, without summary rows.
    raw_seconds, raw_rows = _raw_time(
        "SELECT service_id, channel, received_date, COUNT(*) FROM contacts_contact "
        "WHERE received_date BETWEEN %s AND %s GROUP BY service_id, channel, received_date",
        [history_from, history_to], runs=1)
    start = time.perf_counter()
    made = forecasts_refresh(force=True)
    seconds = time.perf_counter() - start
    run = ForecastRun.objects.order_by("-history_to_date", "-pk").first()
    figures = [Figure(
        "planning", "nightly forecast", seconds, "s", raw_seconds,
        "raw GROUP BY of the same 3 years of contacts by service, channel and day (s)", "< 2 min",
        seconds < 120,
        notes=f"{made['series']} services x channels ({services} services), {in_history:,} contacts in 3 "
              f"years of daily history ({everything:,} in all); 8 weeks by day, 2 by half hour, "
              f"8-week backtest")]
    client = Client()
    client.force_login(_user("manager"))
    interval_ids = ("SELECT i.series_id, i.forecast_date, i.contacts FROM planning_intervalforecast i "
                    "JOIN planning_forecastseries s ON s.id = i.series_id WHERE s.run_id = %s "
                    "AND s.channel IN ('telephone', 'face_to_face')")
    daily = ("SELECT d.forecast_date, s.channel, SUM(d.contacts) FROM planning_dailyforecast d "
             "JOIN planning_forecastseries s ON s.id = d.series_id WHERE s.run_id = %s "
             "GROUP BY d.forecast_date, s.channel")
    raw_page = median([_raw_time(daily, [run.pk], runs=1)[0] + _raw_time(interval_ids, [run.pk], runs=1)[0]
                       for _ in range(runs)])
    for label, query in (("planning page", ""),
                         ("planning page with a what-if", "?shift_to_web=20&reason=progress_chasing")):
        times, queries, status = _timed_get(client, f"/planning/{query}", runs)
        value = median(times) * 1000
        figures.append(Figure(
            "planning", label, value, "ms", raw_page * 1000,
            "raw SELECT of the stored rows it shows (daily sums, telephone and counter half hours) (ms)",
            "< 300 ms", status == 200 and value < 300,
            notes=f"{queries} queries; median of {runs}" + ("" if status == 200 else f"; HTTP {status}")))
    names = dict(ChannelCode.choices)
    for row in ChannelBacktest.objects.filter(run=run).order_by("channel"):
        held_back = f"{row.contacts:,} contacts from {run.backtest_from_date} to {run.backtest_to_date}"
        for measure, value, naive, unit in (("MAPE", row.mape, row.naive_mape, "%"),
                                             ("MASE", row.mase, row.naive_mase, "")):
            if value is None or naive is None:
                continue
            figures.append(Figure(
                "planning", f"backtest {measure}, {names[row.channel]}", value, unit or "ratio", naive,
                f"same day last week, same weeks ({measure})", "below same day last week", value < naive,
                notes=held_back if measure == "MAPE" else ""))
    return figures


# --- work lists (issue 20, item 1) ------------------------------------------------------------------

WORKLIST_HANDOFFS = 1_000_000


def worklists(runs: int = 5) -> list[Figure]:
    """The queues and the register at 1 million open hand-offs and 200,000 complaints: each page
    (search, filters, sort, numbered pages) against the raw SELECT of the rows it shows (the
    same WHERE, ORDER BY and LIMIT 50, no count, no rendering)."""
    from django.contrib.auth.models import Group

    from complaints.models import Complaint
    from contacts.models import Customer
    from core.models import Team
    from core.roles import Role
    from handoffs.models import Handoff

    manager, officer, adviser = _user("manager"), _user("back_office"), _user("adviser")
    complaints_officer = _user("complaints_officer")
    with connection.cursor() as cursor:
        _hand_off_contacts(cursor, WORKLIST_HANDOFFS - Handoff.objects.count())
    # The team with most hand-offs: the worst queue of the council.
    busiest = (Handoff.objects.values("team").order_by().annotate(n=models_count())
               .order_by("-n").first())
    team = Team.objects.get(pk=busiest["team"])
    team.members.add(officer)
    team.lead = officer
    team.save(update_fields=["lead"])
    officer.groups.add(Group.objects.get(name=Role.BACK_OFFICE))
    # Some of the work assigned (2%), some advocated (1%), as in a working council.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE handoffs_handoff SET assigned_to_id = %s, status = 'in_progress', "
                       "accepted_at = opened_at WHERE id %% 50 = 0 AND team_id = %s", [officer.pk, team.pk])
        cursor.execute("UPDATE handoffs_handoff SET advocate_id = %s WHERE id %% 100 = 1 AND "
                       "method = 'customer_advocate'", [adviser.pk])
        cursor.execute("ANALYZE handoffs_handoff")
    handoffs, complaints = Handoff.objects.count(), Complaint.objects.count()
    in_team = Handoff.objects.filter(team=team).count()
    sample = Customer.objects.filter(pk__in=Handoff.objects.filter(team=team).order_by("pk")
                                     .values("contact__customer")[:1]).first()
    surname = sample.last_name if sample else "Smith"
    postcode = sample.postcode if sample else "OL6 6AB"
    complainant = (Customer.objects.filter(pk=Complaint.objects.order_by("pk").values("customer")[:1])
                   .first())
    handoff_raw = ("SELECT h.* FROM handoffs_handoff h WHERE h.status <> 'resolved' {where} "
                   "ORDER BY {order} LIMIT 50")
    pages = [
        ("team queue, manager, all teams", manager, "/handoffs/",
         handoff_raw.format(where="", order="h.due_date, h.id"), []),
        ("team queue, officer's team", officer, "/handoffs/",
         handoff_raw.format(where="AND h.team_id = %s", order="h.due_date, h.id"), [team.pk]),
        ("team queue, page 100", manager, "/handoffs/?page=100",
         handoff_raw.format(where="", order="h.due_date, h.id") + " OFFSET 4950", []),
        ("team queue, assigned to me", officer, "/handoffs/?assigned=me",
         handoff_raw.format(where="AND h.assigned_to_id = %s", order="h.due_date, h.id"), [officer.pk]),
        ("team queue, unassigned, by status", officer, "/handoffs/?assigned=none&sort=status",
         handoff_raw.format(where="AND h.team_id = %s AND h.assigned_to_id IS NULL",
                            order="h.status, h.due_date, h.id"), [team.pk]),
        ("team queue, newest reference first", manager, "/handoffs/?sort=reference&order=desc",
         handoff_raw.format(where="", order="h.id DESC"), []),
        ("team queue, search a surname", officer, f"/handoffs/?q={surname}",
         handoff_raw.format(where="AND h.team_id = %s AND h.contact_customer_id IN (SELECT id FROM "
                                  "contacts_customer WHERE lower(last_name) = lower(%s))",
                            order="h.due_date, h.id"), [team.pk, surname]),
        ("team queue, search a postcode", officer, f"/handoffs/?q={postcode}",
         handoff_raw.format(where="AND h.team_id = %s AND h.contact_customer_id IN (SELECT id FROM "
                                  "contacts_customer WHERE postcode = %s)",
                            order="h.due_date, h.id"), [team.pk, postcode]),
        ("advocate cases", adviser, "/handoffs/advocate/",
         handoff_raw.format(where="AND h.advocate_id = %s", order="h.due_date, h.id"), [adviser.pk]),
    ]
    complaint_raw = "SELECT k.* FROM complaints_complaint k WHERE {where} ORDER BY {order} LIMIT 50"
    pages += [
        ("complaints register, newest first", complaints_officer, "/complaints/",
         complaint_raw.format(where="k.process = 'corporate'", order="k.received_at DESC, k.id DESC"), []),
        ("complaints register, by due date", complaints_officer, "/complaints/?sort=due",
         complaint_raw.format(where="k.process = 'corporate'", order="k.due_date, k.id"), []),
        ("complaints register, page 100", complaints_officer, "/complaints/?page=100",
         complaint_raw.format(where="k.process = 'corporate'", order="k.received_at DESC, k.id DESC")
         + " OFFSET 4950", []),
        ("complaints register, not allocated", complaints_officer, "/complaints/?assigned=none",
         complaint_raw.format(where="k.process = 'corporate' AND k.assigned_to_id IS NULL",
                              order="k.received_at DESC, k.id DESC"), []),
        ("complaints register, search a surname", complaints_officer,
         f"/complaints/?q={complainant.last_name if complainant else 'Smith'}",
         complaint_raw.format(where="k.process = 'corporate' AND k.customer_id IN (SELECT id FROM "
                                    "contacts_customer WHERE lower(last_name) = lower(%s))",
                              order="k.received_at DESC, k.id DESC"),
         [complainant.last_name if complainant else "Smith"]),
        ("complaints register, search a reference", complaints_officer,
         f"/complaints/?q=C{Complaint.objects.order_by('-pk').values_list('pk', flat=True).first() or 1:06d}",
         complaint_raw.format(where="k.id = %s", order="k.id"),
         [Complaint.objects.order_by("-pk").values_list("pk", flat=True).first() or 1]),
    ]
    figures = []
    for label, user, url, sql, params in pages:
        client = Client()
        client.force_login(user)
        raw_seconds, _ = _raw_time(sql, params, runs=runs)
        times, queries, status = _timed_get(client, url, runs)
        value = median(times) * 1000
        figures.append(Figure(
            "worklists", label, value, "ms", raw_seconds * 1000,
            "raw SELECT of the page's 50 rows (ms)", "< 100 ms", status == 200 and value < 100,
            notes=f"{queries} queries; median of {runs}; {handoffs:,} hand-offs ({in_team:,} in the "
                  f"officer's team), {complaints:,} complaints"
                  + ("" if status == 200 else f"; HTTP {status}")))
    return figures


def models_count():
    from django.db.models import Count

    return Count("pk")


# --- how cost grows (issue 23) ------------------------------------------------------------------

def growth(runs: int = 3) -> list[Figure]:
    """At the volume the bench database has now: the NI14 page for a year (against the raw
    GROUP BY) and both sweeps, with 1,000 due and with nothing due."""
    from contacts.models import Contact

    today = timezone.localdate()
    start = today - timedelta(days=365)
    raw_seconds, _ = _raw_time(
        "SELECT service_id, COUNT(*), COUNT(*) FILTER (WHERE avoidable) FROM contacts_contact "
        "WHERE received_date BETWEEN %s AND %s GROUP BY service_id", [start, today], runs=1)
    client = Client()
    client.force_login(_user("manager"))
    times, queries, status = _timed_get(client, f"/reports/?date_from={start}&date_to={today}", runs)
    contacts = Contact.objects.count()
    figures = [Figure("growth", "NI14 page, a year", median(times) * 1000, "ms", raw_seconds * 1000,
                      "raw GROUP BY over contacts_contact, same rows (ms)",
                      "< 100 ms and <= 1/20 of raw",
                      status == 200 and median(times) < 0.1 and median(times) <= raw_seconds / 20,
                      notes=f"{contacts:,} contacts; {queries} queries; median of {runs}",
                      extra={"contacts": contacts})]
    for figure in sweeps():
        if figure.name in ("both sweeps", "both sweeps, nothing due"):
            figure.section = "growth"
            figure.extra = {"contacts": contacts}
            figures.append(figure)
    return figures





def main() -> int:
    section, result_path = sys.argv[1], sys.argv[2]
    figures = SECTIONS[section]()
    with open(result_path, "w") as out:
        json.dump([asdict(f) for f in figures], out, default=str)
    return 0



# --- proactive updates (issue 19) ---------------------------------------------------------------

UPDATES_OPEN = 100_000
UPDATES_DUE = 10_000


def _hand_off_contacts(cursor, count: int) -> None:
    """Hand off `count` more contacts (the newest that have no hand-off), open, to their enquiry
    type's team, due ten days after they came in: generate_data hands off only the contacts whose
    enquiry type calls for it (about one in five), short of the volumes the issues name."""
    if count <= 0:
        return
    cursor.execute("""
        INSERT INTO handoffs_handoff (contact_id, method, team_id, status, opened_at, due_date, outcome,
                                      contact_customer_id)
        SELECT c.id, 'fire_and_forget', COALESCE(et.team_id, fallback.id), 'open', c.received_at,
               c.received_date + 10, '', c.customer_id
        FROM contacts_contact c
        LEFT JOIN core_enquirytype et ON et.id = c.enquiry_type_id
        CROSS JOIN (SELECT MIN(id) AS id FROM core_team WHERE NOT is_front_office) fallback
        WHERE NOT EXISTS (SELECT 1 FROM handoffs_handoff h WHERE h.contact_id = c.id)
        ORDER BY c.id DESC LIMIT %s""", [count])
    cursor.execute("ANALYZE handoffs_handoff")


def updates() -> list[Figure]:
    """The "about to be missed" sweep over every open hand-off (issue 19: 100,000 open in under
    5 s): UPDATES_DUE of them are due by the next working day and their customers agreed to
    email, so each gets one update stored in the outbox. Against the least such a sweep must do:
    one raw INSERT ... SELECT of the same outbox rows (rolled back). Then the sweep again, which
    finds nothing left to do."""
    from core.models import OutboundMessage
    from core.working_days import calendar
    from handoffs.models import Handoff
    from handoffs.services import handoffs_warn_customers

    today = timezone.localdate()
    tomorrow = calendar().add_working_days(today, 1)
    with connection.cursor() as cursor:
        # generate_data makes hand-offs only for the contacts whose enquiry type calls for one
        # (about one contact in five): reopen resolved ones, then hand off contacts that have
        # none, until UPDATES_OPEN are open whatever the volumes.
        short = UPDATES_OPEN - Handoff.objects.unresolved().count()
        if short > 0:
            cursor.execute("""
                UPDATE handoffs_handoff SET status = 'open', resolved_at = NULL
                WHERE id IN (SELECT id FROM handoffs_handoff WHERE status = 'resolved'
                             ORDER BY id DESC LIMIT %s)""", [short])
        _hand_off_contacts(cursor, UPDATES_OPEN - Handoff.objects.unresolved().count())
    open_handoffs = Handoff.objects.unresolved().count()
    if open_handoffs < UPDATES_OPEN:
        raise RuntimeError(f"only {open_handoffs:,} open hand-offs: give --set contacts= at least "
                           f"{UPDATES_OPEN:,}")
    with connection.cursor() as cursor:
        # The set-up: push every open hand-off's due date past the window, then bring
        # UPDATES_DUE of them (with a customer) into it and let their customers agree to email.
        cursor.execute("UPDATE handoffs_handoff SET due_date = %s WHERE status <> 'resolved'",
                       [calendar().add_working_days(today, 10)])
        cursor.execute("""
            WITH due AS (
                SELECT h.id, c.customer_id FROM handoffs_handoff h
                JOIN contacts_contact c ON c.id = h.contact_id
                WHERE h.status <> 'resolved' AND c.customer_id IS NOT NULL
                ORDER BY h.id LIMIT %s)
            UPDATE handoffs_handoff SET due_date = %s FROM due WHERE handoffs_handoff.id = due.id""",
                       [UPDATES_DUE, tomorrow])
        cursor.execute("""
            UPDATE contacts_customer SET consent_email = true, message_channel = 'email',
                email = COALESCE(NULLIF(email, ''), 'bench' || id || '@example.com')
            WHERE id IN (SELECT c.customer_id FROM handoffs_handoff h
                         JOIN contacts_contact c ON c.id = h.contact_id
                         WHERE h.due_date = %s AND h.status <> 'resolved')""", [tomorrow])
        cursor.execute("DELETE FROM core_outboundmessage WHERE dedupe_key LIKE 'handoff:%%:at_risk:customer'")
        cursor.execute("ANALYZE handoffs_handoff; ANALYZE contacts_customer; ANALYZE core_outboundmessage")
    with transaction.atomic(), connection.cursor() as cursor:
        start = time.perf_counter()
        cursor.execute("""
            INSERT INTO core_outboundmessage (dedupe_key, created_at, channel, to_email, to_phone,
                to_address, subject, body, message_type, language, personalisation, object_type,
                object_id, recipient_type, recipient_id, provider_reference, delivery_status,
                next_attempt_at, attempt_count, send_error)
            SELECT 'handoff:' || h.id || ':at_risk:customer', now(), 'email', cu.email, '', '[]',
                'Your enquiry will take longer', 'Body', 'handoff_at_risk', 'en', '{}',
                'handoffs.handoff', h.id::text, 'contacts.customer', cu.id::text, '', '', now(), 0, ''
            FROM handoffs_handoff h JOIN contacts_contact c ON c.id = h.contact_id
            JOIN contacts_customer cu ON cu.id = c.customer_id
            WHERE h.status <> 'resolved' AND h.due_date >= %s AND h.due_date <= %s
              AND (cu.consent_email OR cu.consent_sms OR cu.consent_letter)""", [today, tomorrow])
        raw_rows = cursor.rowcount
        raw_seconds = time.perf_counter() - start
        transaction.set_rollback(True)
    start = time.perf_counter()
    stored = handoffs_warn_customers(today)
    first = time.perf_counter() - start
    start = time.perf_counter()
    again = handoffs_warn_customers(today)
    second = time.perf_counter() - start
    queued = OutboundMessage.objects.filter(message_type="handoff_at_risk").count()
    return [
        Figure("updates", "about-to-be-missed sweep", first, "s", raw_seconds,
               "raw INSERT ... SELECT of the same outbox rows (s)", "< 5 s", first < 5.0,
               notes=f"{open_handoffs:,} open hand-offs; {stored:,} updates stored "
                     f"({raw_rows:,} by the raw INSERT; {queued:,} in the outbox)"),
        Figure("updates", "the sweep again (nothing left)", second, "s", first, "first sweep (s)",
               notes=f"{again} stored"),
    ]


SECTIONS = {"growth": growth, "dashboards": dashboards, "adviser": adviser, "sweeps": sweeps,
            "planning": planning, "worklists": worklists, "updates": updates}


if __name__ == "__main__":
    sys.exit(main())
