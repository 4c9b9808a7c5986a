"""The dashboard's tables as plain data: shown as HTML, drawn as charts and exported as CSV."""

import csv
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlencode

from django.http import StreamingHttpResponse
from django.urls import get_script_prefix, reverse

from reporting import selectors


@dataclass
class Cell:
    text: object
    href: str = ""
    numeric: bool = False


@dataclass
class Table:
    name: str
    caption: str
    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)

    @property
    def columns(self) -> list[tuple[str, bool]]:
        """(header, numeric) per column: a column is numeric when its cells are."""
        first = self.rows[0] if self.rows else []
        return [(h, i > 0 and (first[i].numeric if i < len(first) else True))
                for i, h in enumerate(self.headers)]


def _pct(value) -> str:
    return "" if value is None else f"{value:.1f}%"


@lru_cache(maxsize=8)
def _drill_path(script_prefix: str) -> str:
    return reverse("reporting:contacts")


def drill_url(query: dict, **extra) -> str:
    # A dashboard has hundreds of these links: the path is resolved once per script prefix.
    return f"{_drill_path(get_script_prefix())}?{urlencode({**query, **extra})}"


def _points(value, up: str = "above", down: str = "below") -> str:
    """A difference in percentage points in words (a leading sign would read as a formula in a
    spreadsheet, and CSV export would have to escape it)."""
    if value is None:
        return ""
    if value == 0:
        return "level"
    return f"{abs(value):.1f} points {up if value > 0 else down}"


def _money(value) -> str:
    return f"£{value:,.2f}"


def breakdown_table(name, caption, first_header, rows, query, drill_key) -> Table:
    table = Table(name, caption, [first_header, "Contacts", "Avoidable", "NI14 %",
                                  "Resolved first time", "First-contact resolution %",
                                  f"Against the {selectors.FCR_TARGET_PERCENT}% target"])
    for r in rows:
        extra = drill_key(r) if drill_key else {}
        gap = None if r["fcr_percent"] is None else round(r["fcr_percent"] - selectors.FCR_TARGET_PERCENT, 1)
        table.rows.append([
            Cell(r["label"]),
            Cell(r["total"], drill_url(query, **extra), True),
            Cell(r["avoidable"], drill_url(query, avoidable="yes", **extra), True),
            Cell(_pct(r["ni14_percent"]), numeric=True),
            Cell(r["fcr"], drill_url(query, fcr="yes", **extra), True),
            Cell(_pct(r["fcr_percent"]), numeric=True),
            Cell(_points(gap), numeric=True),
        ])
    return table


def reason_table(rows, query) -> Table:
    table = Table("reason", "Avoidable contact by NI14 reason", ["NI14 reason", "Avoidable contacts",
                                                                "Share of all contacts"])
    for r in rows:
        table.rows.append([Cell(r["label"]),
                           Cell(r["avoidable"], drill_url(query, reason=r["key"]), True),
                           Cell(_pct(r["ni14_percent"]), numeric=True)])
    return table


def channel_mix_table(mix, query) -> Table:
    table = Table("channel_mix", "Channel mix by month (contacts and share)",
                  ["Month", *[label for _, label in mix["channels"]], "Contacts"])
    for r in mix["rows"]:
        table.rows.append([Cell(r["label"]), *[
            Cell(f"{n} ({_pct(s)})", drill_url(query, month=r["month"], channel=code), True)
            for (code, _), n, s in zip(mix["channels"], r["counts"], r["shares"], strict=True)],
            Cell(r["total"], drill_url(query, month=r["month"]), True)])
    return table


def channel_shift_table(shift, mix) -> Table:
    rows = mix["rows"]
    first = rows[0]["label"] if rows else "first month"
    last = rows[-1]["label"] if rows else "last month"
    table = Table("channel_shift", f"Channel shift: share of contacts in {first} and {last}",
                  ["Channel", f"Share in {first}", f"Share in {last}", "Change"])
    for r in shift:
        table.rows.append([Cell(r["label"]), Cell(_pct(r["first"]), numeric=True),
                           Cell(_pct(r["last"]), numeric=True),
                           Cell(_points(r["change"], "up", "down"), numeric=True)])
    return table


def cost_table(costs) -> Table:
    table = Table("cost", "Cost by channel, now and in the what-if",
                  ["Channel", "Contacts", "Cost per contact", "Cost", "Moved to web in the what-if",
                   "Contacts in the what-if", "Cost in the what-if"])
    for r in costs["rows"]:
        table.rows.append([Cell(r["label"]), Cell(r["contacts"], numeric=True),
                           Cell(_money(r["unit_cost"]), numeric=True), Cell(_money(r["cost"]), numeric=True),
                           Cell(r["moved"], numeric=True), Cell(r["after_contacts"], numeric=True),
                           Cell(_money(r["after_cost"]), numeric=True)])
    contacts = sum(r["contacts"] for r in costs["rows"])
    table.rows.append([Cell("Total"), Cell(contacts, numeric=True), Cell(""),
                       Cell(_money(costs["total"]), numeric=True), Cell(costs["moved"], numeric=True),
                       Cell(contacts, numeric=True), Cell(_money(costs["after"]), numeric=True)])
    return table


def _chart(table: Table, kind: str, labels, datasets, **options) -> dict:
    return {"id": f"chart-{table.name}", "type": kind, "labels": labels, "datasets": datasets,
            "table": table.name, **options}


def _section(title, table, chart=None, intro="") -> dict:
    return {"title": title, "table": table, "chart": chart, "intro": intro}


def _page(sections) -> dict:
    return {"sections": sections, "tables": {s["table"].name: s["table"] for s in sections}}


def ni14_tables(filters: selectors.Filters, query: dict) -> dict:
    """The dashboard's tables and its headline (`headline`), from one read per part of the period."""
    headline, tables = selectors.breakdowns(
        filters, ("month", "service", "channel", "enquiry_type", "reason", "site"))
    month, service, channel, enquiry, reason, site = (
        tables[g] for g in ("month", "service", "channel", "enquiry_type", "reason", "site"))
    trend = breakdown_table("trend", "NI14 and first-contact resolution by month", "Month",
                            month, query, lambda r: {"month": r["key"]})
    by_service = breakdown_table("service", "By service", "Service", service, query,
                                 lambda r: {"service": r["key"]})
    by_reason = reason_table(reason, query)
    target = selectors.FCR_TARGET_PERCENT
    return {"headline": headline, **_page([
        _section("Trend by month", trend, _chart(
            trend, "line", [r["label"] for r in month], [
                {"label": "NI14 %", "data": [r["ni14_percent"] for r in month]},
                {"label": "First-contact resolution %", "data": [r["fcr_percent"] for r in month]},
                {"label": f"Target {target}%", "data": [target] * len(month), "target": True}],
            percent=True)),
        _section("By service", by_service, _chart(
            by_service, "bar", [r["label"] for r in service], [
                {"label": "Avoidable", "data": [r["avoidable"] for r in service], "colour": "#d4351c"},
                {"label": "Not avoidable", "data": [r["total"] - r["avoidable"] for r in service],
                 "colour": "#1d70b8"}],
            stacked=True, horizontal=True)),
        _section("By NI14 reason", by_reason, _chart(
            by_reason, "bar", [r["label"] for r in reason],
            [{"label": "Avoidable contacts", "data": [r["avoidable"] for r in reason]}], horizontal=True)),
        _section("By channel", breakdown_table("channel", "By channel", "Channel", channel, query,
                                               lambda r: {"channel": r["key"]})),
        _section("By enquiry type", breakdown_table(
            "enquiry_type", "By enquiry type", "Enquiry type", enquiry, query,
            lambda r: {"enquiry_type": r["id"] or "none"})),
        _section("By site", breakdown_table(
            "site", "By site", "Site", site, query,
            lambda r: {"site": r["key"]} if r["key"] else {"site_recorded": "no"}),
            intro="Where contacts were taken. Back-office sites are the public contact that "
                  "reached a back-office team directly, logged there: the teams that take most "
                  "of it are where contact could move to the front office or online."),
    ])}


def channel_tables(filters: selectors.Filters, query: dict, shift: int) -> dict:
    rows = selectors.channel_rows(filters)
    mix = selectors.channel_mix(filters, rows)
    costs = selectors.channel_costs(filters, shift, rows)
    moves = selectors.channel_shift(mix)
    mix_table = channel_mix_table(mix, query)
    shift_table = channel_shift_table(moves, mix)
    costs_table = cost_table(costs)
    page = _page([
        _section("Channel mix by month", mix_table, _chart(
            mix_table, "bar", [r["label"] for r in mix["rows"]],
            [{"label": label, "data": [r["shares"][i] for r in mix["rows"]]}
             for i, (_, label) in enumerate(mix["channels"])], stacked=True, percent=True)),
        _section("Channel shift", shift_table, _chart(
            shift_table, "bar", [r["label"] for r in moves],
            [{"label": "Change in share (percentage points)", "data": [r["change"] for r in moves]}],
            horizontal=True),
            intro="Self service (web) should grow and face to face and telephone shrink."),
    ])
    page["cost_section"] = _section("Cost of contact", costs_table, _chart(
        costs_table, "bar", [r["label"] for r in costs["rows"]],
        [{"label": "Cost now (£)", "data": [float(r["cost"]) for r in costs["rows"]]},
         {"label": "Cost in the what-if (£)",
          "data": [float(r["after_cost"]) for r in costs["rows"]]}],
        horizontal=True))
    page["tables"]["cost"] = costs_table
    page["costs"] = costs
    page["shift"] = moves
    return page


def complaints_tables(filters: selectors.Filters, every_lesson: bool = False) -> dict:
    """The complaints tables; the page lists the latest ten lessons learned, the CSV every one."""
    perf = selectors.complaints_performance(filters, lessons_limit=None if every_lesson else 10)
    stage_labels = [label for _, label in selectors.Stage.choices]
    volumes = Table("volumes", "Complaints received by service, and the stages they reached",
                    ["Service", "Complaints received", *stage_labels])
    for r in perf["volumes"]:
        volumes.rows.append([Cell(r["label"]), Cell(r["received"], numeric=True),
                             *[Cell(n, numeric=True) for n in r["stages"]]])
    deadlines = Table("deadlines", "Responses within the deadline, by process and stage",
                      ["Process and stage", "Stages started", "Responded", "Within the deadline", "Late",
                       "% within the deadline", "Awaiting a response"])
    for r in perf["deadlines"]:
        deadlines.rows.append([Cell(r["label"]), Cell(r["started"], numeric=True),
                               Cell(r["responded"], numeric=True), Cell(r["on_time"], numeric=True),
                               Cell(r["late"], numeric=True), Cell(_pct(r["on_time_percent"]), numeric=True),
                               Cell(r["waiting"], numeric=True)])
    outcome_labels = [label for _, label in selectors.Outcome.choices]
    outcomes = Table("outcomes", "Outcomes of the responses, by stage",
                     ["Stage", *outcome_labels, "Responses", *[f"{o} %" for o in outcome_labels]])
    for r in perf["outcomes"]:
        outcomes.rows.append([Cell(r["label"]), *[Cell(n, numeric=True) for n in r["counts"]],
                              Cell(r["total"], numeric=True),
                              *[Cell(_pct(p), numeric=True) for p in r["percents"]]])
    overdue = Table("overdue", "Complaints overdue now (past the current stage's deadline)",
                    ["Process and stage", "Overdue now"])
    for r in perf["overdue"]:
        overdue.rows.append([Cell(r["label"]), Cell(r["n"], numeric=True)])
    lessons = Table("lessons", "Lessons learned (the latest ten on this page; the CSV has them all)",
                    ["Complaint", "Service", "Stage", "Outcome", "Lessons learned"])
    for stage in perf["lessons"]:
        complaint = stage.complaint
        lessons.rows.append([Cell(complaint.reference, reverse("complaints:detail", args=[complaint.pk])),
                             Cell(complaint.service.name),
                             Cell(stage.get_stage_display()), Cell(stage.get_outcome_display()),
                             Cell(stage.lessons_learned)])
    page = _page([
        _section("Volumes by service and stage", volumes, _chart(
            volumes, "bar", [r["label"] for r in perf["volumes"]],
            [{"label": label, "data": [r["stages"][i] for r in perf["volumes"]]}
             for i, label in enumerate(stage_labels)], horizontal=True)),
        _section("Responded within the deadline", deadlines, _chart(
            deadlines, "bar", [r["label"] for r in perf["deadlines"]],
            [{"label": "% within the deadline", "data": [r["on_time_percent"] for r in perf["deadlines"]]}],
            horizontal=True, percent=True, max100=True)),
        _section("Outcomes", outcomes, _chart(
            outcomes, "bar", [r["label"] for r in perf["outcomes"]],
            [{"label": label, "data": [r["counts"][i] for r in perf["outcomes"]]}
             for i, label in enumerate(outcome_labels)], stacked=True, horizontal=True)),
        _section("Overdue now", overdue),
        _section("Lessons learned", lessons),
    ])
    page["perf"] = perf
    return page


def _handoff_table(name, caption, first, rows) -> Table:
    table = Table(name, caption, [first, "Opened in the period", "Resolved", "Within the service standard",
                                  "% within the service standard", "Open now", "Overdue now"])
    for r in rows:
        table.rows.append([Cell(r["label"]), Cell(r["opened"], numeric=True),
                           Cell(r["resolved"], numeric=True),
                           Cell(r["on_time"], numeric=True), Cell(_pct(r["on_time_percent"]), numeric=True),
                           Cell(r["open_now"], numeric=True), Cell(r["overdue_now"], numeric=True)])
    return table


def handoff_tables(filters: selectors.Filters) -> dict:
    perf = selectors.handoff_performance(filters)
    by_team = _handoff_table("team", "By team", "Team", perf["by_team"])
    by_method = _handoff_table("method", "By method", "Method", perf["by_method"])
    by_both = _handoff_table("team_method", "By team and method", "Team and method", perf["by_team_method"])
    page = _page([
        _section("By team", by_team, _chart(
            by_team, "bar", [r["label"] for r in perf["by_team"]],
            [{"label": "% within the service standard",
              "data": [r["on_time_percent"] for r in perf["by_team"]]}],
            horizontal=True, percent=True, max100=True)),
        _section("By method", by_method, _chart(
            by_method, "bar", [r["label"] for r in perf["by_method"]],
            [{"label": "% within the service standard",
              "data": [r["on_time_percent"] for r in perf["by_method"]]}],
            horizontal=True, percent=True, max100=True)),
        _section("By team and method", by_both),
    ])
    page["perf"] = perf
    return page


def joined_up_tables(filters: selectors.Filters, query: dict) -> dict:
    data = selectors.joined_up(filters)
    table = Table("joined_up", "Avoidable contact and complaints by service",
                  ["Service", "Contacts", "Avoidable", "NI14 %", "Complaints received",
                   "Upheld or partly upheld", "Complaints per 1,000 contacts", "High on both"])
    for r in data["rows"]:
        extra = {"service": r["key"]} if r["key"] else None
        table.rows.append([
            Cell(r["label"]),
            Cell(r["contacts"], drill_url(query, **extra) if extra else "", True),
            Cell(r["avoidable"], drill_url(query, avoidable="yes", **extra) if extra else "", True),
            Cell(_pct(r["ni14_percent"]), numeric=True), Cell(r["complaints"], numeric=True),
            Cell(r["upheld"], numeric=True),
            Cell("" if r["per_thousand"] is None else f"{r['per_thousand']:.1f}", numeric=True),
            Cell("Yes" if r["high"] else "No"),
        ])
    points = [r for r in data["rows"] if r["ni14_percent"] is not None and r["per_thousand"] is not None]
    page = _page([_section("Services side by side", table, _chart(
        table, "scatter", [],
        [{"label": label, "data": [{"x": r["ni14_percent"], "y": r["per_thousand"], "service": r["label"]}
                                   for r in points if r["high"] == high], "colour": colour}
         for label, high, colour in (("High on both", True, "#d4351c"),
                                     ("Other services", False, "#1d70b8"))],
        x_title="NI14 % (avoidable contact)", y_title="Complaints per 1,000 contacts"))])
    page["joined"] = data
    return page


_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def _safe(value) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_DANGEROUS) else text


class _Echo:
    def write(self, value):
        return value


def csv_stream(headers: list[str], rows, filename: str) -> StreamingHttpResponse:
    """Rows (lists of values, any iterable: a queryset's iterator too) as a CSV download, written
    as they are read."""
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow([_safe(h) for h in headers])
        for row in rows:
            yield writer.writerow([_safe(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def csv_response(table: Table, filename: str) -> StreamingHttpResponse:
    return csv_stream(table.headers, ([cell.text for cell in row] for row in table.rows), filename)


# The contacts behind a figure, as CSV: the contact and customer numbers, not names (the page
# links each to its record for those allowed to open it).
CONTACT_CSV_HEADERS = ["Contact number", "Received", "Customer number", "Service", "Enquiry type",
                       "Channel", "Avoidable", "NI14 reason", "Resolved first time", "Site"]


def contact_csv_rows(contacts):
    for contact in contacts.iterator(chunk_size=2000):
        yield [contact.pk, contact.received_at.strftime("%Y-%m-%d %H:%M"), contact.customer_id or "",
               contact.service.name, contact.enquiry_type.name if contact.enquiry_type else "",
               contact.get_channel_display(), "Yes" if contact.avoidable else "No",
               contact.avoidable_reason.name if contact.avoidable_reason else "",
               "Yes" if contact.resolved_at_first_contact else "No",
               contact.site.name if contact.site else ""]


def csv_rows_response(rows, filename: str) -> StreamingHttpResponse:
    """Any rows (lists of values) as a CSV download, cells made safe for spreadsheets."""
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse((writer.writerow([_safe(value) for value in row]) for row in rows),
                                     content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response
