"""The dashboard's tables as plain data: shown as HTML, drawn as charts and exported as CSV."""

import csv
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.http import StreamingHttpResponse
from django.urls import reverse

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
    numeric_from: int = 1


def _pct(value) -> str:
    return "" if value is None else f"{value:.1f}%"


def drill_url(query: dict, **extra) -> str:
    return f"{reverse('reporting:contacts')}?{urlencode({**query, **extra})}"


def breakdown_table(name, caption, first_header, rows, query, drill_key) -> Table:
    table = Table(name, caption, [first_header, "Contacts", "Avoidable", "NI14 %",
                                  "Resolved first time", "First-contact resolution %"])
    for r in rows:
        extra = drill_key(r) if drill_key else {}
        table.rows.append([
            Cell(r["label"]),
            Cell(r["total"], drill_url(query, **extra), True),
            Cell(r["avoidable"], drill_url(query, avoidable="yes", **extra), True),
            Cell(_pct(r["ni14_percent"]), numeric=True),
            Cell(r["fcr"], drill_url(query, fcr="yes", **extra), True),
            Cell(_pct(r["fcr_percent"]), numeric=True),
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


def channel_mix_table(mix) -> Table:
    table = Table("channel_mix", "Channel mix by month (share of contacts)",
                  ["Month", *[label for _, label in mix["channels"]], "Contacts"])
    for r in mix["rows"]:
        table.rows.append([Cell(r["label"]), *[Cell(f"{n} ({_pct(s)})", numeric=True)
                                               for n, s in zip(r["counts"], r["shares"])],
                           Cell(r["total"], numeric=True)])
    return table


def cost_table(costs) -> Table:
    table = Table("cost", "Cost by channel", ["Channel", "Contacts", "Unit cost", "Cost",
                                              "Moved to web in the what-if"])
    for r in costs["rows"]:
        table.rows.append([Cell(r["label"]), Cell(r["contacts"], numeric=True),
                           Cell(f"£{r['unit_cost']:,.2f}", numeric=True),
                           Cell(f"£{r['cost']:,.2f}", numeric=True), Cell(r["moved"], numeric=True)])
    table.rows.append([Cell("Total"), Cell(sum(r["contacts"] for r in costs["rows"]), numeric=True),
                       Cell(""), Cell(f"£{costs['total']:,.2f}", numeric=True),
                       Cell(sum(r["moved"] for r in costs["rows"]), numeric=True)])
    return table


def ni14_tables(filters: selectors.Filters, query: dict, shift: int) -> dict:
    month = selectors.breakdown(filters, "month")
    service = selectors.breakdown(filters, "service")
    channel = selectors.breakdown(filters, "channel")
    enquiry = selectors.breakdown(filters, "enquiry_type")
    reason = selectors.breakdown(filters, "reason")
    mix = selectors.channel_mix(filters)
    costs = selectors.channel_costs(filters, shift)
    tables = {
        "trend": breakdown_table("trend", "NI14 and first-contact resolution by month", "Month",
                                 month, query, lambda r: {"month": r["key"]}),
        "service": breakdown_table("service", "By service", "Service", service, query,
                                   lambda r: {"service": r["key"]}),
        "channel": breakdown_table("channel", "By channel", "Channel", channel, query,
                                   lambda r: {"channel": r["key"]}),
        "enquiry_type": breakdown_table("enquiry_type", "By enquiry type", "Enquiry type", enquiry,
                                        query, lambda r: {"enquiry_type": r["id"] or "none"}),
        "reason": reason_table(reason, query),
        "channel_mix": channel_mix_table(mix),
        "cost": cost_table(costs),
    }
    charts = [
        {"id": "chart-trend", "type": "line", "title": "NI14 % and first-contact resolution % by month",
         "labels": [r["label"] for r in month], "percent": True,
         "datasets": [{"label": "NI14 %", "data": [r["ni14_percent"] for r in month]},
                      {"label": "First-contact resolution %", "data": [r["fcr_percent"] for r in month]},
                      {"label": "Target 80%", "data": [selectors.FCR_TARGET_PERCENT] * len(month)}],
         "table": "trend"},
        {"id": "chart-service", "type": "bar", "title": "Contacts by service",
         "labels": [r["label"] for r in service],
         "datasets": [{"label": "Avoidable", "data": [r["avoidable"] for r in service]},
                      {"label": "Not avoidable", "data": [r["total"] - r["avoidable"] for r in service]}],
         "stacked": True, "horizontal": True, "table": "service"},
        {"id": "chart-reason", "type": "bar", "title": "Avoidable contacts by NI14 reason",
         "labels": [r["label"] for r in reason],
         "datasets": [{"label": "Avoidable contacts", "data": [r["avoidable"] for r in reason]}],
         "horizontal": True, "table": "reason"},
        {"id": "chart-channel-mix", "type": "bar", "title": "Channel mix by month",
         "labels": [r["label"] for r in mix["rows"]],
         "datasets": [{"label": label, "data": [r["shares"][i] for r in mix["rows"]]}
                      for i, (_, label) in enumerate(mix["channels"])],
         "stacked": True, "percent": True, "table": "channel_mix"},
    ]
    return {"tables": tables, "charts": charts, "costs": costs}


_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def _safe(value) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_DANGEROUS) else text


class _Echo:
    def write(self, value):
        return value


def csv_response(table: Table, filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def rows():
        yield writer.writerow([_safe(h) for h in table.headers])
        for row in table.rows:
            yield writer.writerow([_safe(cell.text) for cell in row])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response
