"""The annual complaints performance and service improvement report, and the self-assessment
against the Ombudsman's Complaint Handling Code (issue 18, item 7; DOMAIN.md, "Complaints": "the
council publishes an annual complaints performance and service improvement report and a
self-assessment against the Code").

The year is the council's financial year, 1 April to 31 March, as the Ombudsman's annual review
letters are. Its figures are those of `selectors.complaints_performance` for the complaints
received in the year (the complaints report's cohort: each complaint counted once, with every
stage it reached), plus the extensions, remedies and lessons learned of those stages, so that the
report agrees with the complaints report for the same dates.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Min, Q
from django.utils import timezone

from complaints.models import Complaint, ComplaintRuleSet, Process, Stage
from reporting import selectors
from reporting.selectors import Filters, percent

STAGE_LABELS = dict(Stage.choices)
PROCESS_LABELS = dict(Process.choices)


@dataclass(frozen=True)
class Year:
    """A financial year: `start` is the calendar year it begins in (2025 = 2025/26)."""

    start: int

    @property
    def first_day(self) -> date:
        return date(self.start, 4, 1)

    @property
    def last_day(self) -> date:
        return date(self.start + 1, 3, 31)

    @property
    def label(self) -> str:
        return f"{self.start}/{(self.start + 1) % 100:02d}"

    def __str__(self) -> str:
        return self.label


def year_of(day: date) -> Year:
    return Year(day.year if day.month >= 4 else day.year - 1)


def years_available(today: date | None = None) -> list[Year]:
    """From the year of the first complaint received to this year, newest first."""
    today = today or timezone.localdate()
    first = Complaint.objects.aggregate(first=Min("received_at"))["first"]
    newest = year_of(today).start
    oldest = year_of(timezone.localtime(first).date()).start if first else newest
    return [Year(start) for start in range(newest, min(oldest, newest) - 1, -1)]


def default_year(today: date | None = None) -> Year:
    """The last year that has ended: the one a council publishes its report for."""
    return Year(year_of(today or timezone.localdate()).start - 1)


def annual_report(year: Year, today: date | None = None) -> dict:
    """Every figure of the annual report and the self-assessment, as plain data."""
    filters = Filters(date_from=year.first_day, date_to=year.last_day)
    performance = selectors.complaints_performance(filters, today=today, lessons_limit=None)
    stages = selectors.stages_in_period(filters)

    per_stage = {
        (r["complaint__process"], r["stage"]): r
        for r in stages.values("complaint__process", "stage").annotate(
            extended=Count("pk", filter=Q(interim_response_at__isnull=False)
                           | Q(extended_by_working_days__gt=0)),
            responded=Count("pk", filter=Q(responded_at__isnull=False)),
            remedied=Count("pk", filter=Q(responded_at__isnull=False) & ~Q(remedy="")),
        ).order_by()
    }
    deadlines = []
    for row in performance["deadlines"]:
        counts = per_stage.get((row["process"], row["stage"]), {})
        deadlines.append({**row, "extended": counts.get("extended", 0),
                          "extended_percent": percent(counts.get("extended", 0), row["started"])})
    remedies = []
    for (process, stage), counts in sorted(per_stage.items(),
                                           key=lambda i: (i[0][0], selectors.STAGE_ORDER.index(i[0][1]))):
        if counts["responded"]:
            remedies.append({"label": f"{PROCESS_LABELS[process]}, {STAGE_LABELS[stage]}",
                             "responded": counts["responded"], "remedied": counts["remedied"],
                             "remedied_percent": percent(counts["remedied"], counts["responded"])})
    lessons_by_service = Counter()
    for stage in performance["lessons"]:
        lessons_by_service[stage.complaint.service.name] += 1
    by_stage = Counter()
    for row in performance["volumes"]:
        for code, n in zip(selectors.STAGE_ORDER, row["stages"], strict=True):
            by_stage[code] += n

    report = {
        "year": year, "performance": performance, "deadlines": deadlines, "remedies": remedies,
        "by_stage": [(STAGE_LABELS[code], by_stage[code]) for code in selectors.STAGE_ORDER],
        "lessons_by_service": sorted(lessons_by_service.items()),
        "rule_sets": list(ComplaintRuleSet.objects.filter(
            pk__in=selectors.complaints_in_period(filters).values("rule_set")).order_by("name")
            .values_list("name", flat=True)),
    }
    report["self_assessment"] = self_assessment(report)
    return report


def _stage_row(report, process: str, stage: str) -> dict | None:
    return next((r for r in report["deadlines"] if r["process"] == process and r["stage"] == stage), None)


def _within(row: dict | None) -> str:
    if row is None or not row["with_deadline"]:
        return "No responses with a deadline in the year."
    return (f"{row['on_time']} of {row['with_deadline']} responses within the deadline "
            f"({row['on_time_percent']:.1f}%); {row['extended']} extended by an interim response.")


def self_assessment(report: dict) -> list[dict]:
    """The Code's requirements, each with the evidence the records give for the year. What this
    service does not record yet says so, rather than claiming compliance."""
    perf = report["performance"]
    stage_one = _stage_row(report, Process.CORPORATE, Stage.ONE)
    stage_two = _stage_row(report, Process.CORPORATE, Stage.TWO)
    remedied = sum(r["remedied"] for r in report["remedies"])
    responded = sum(r["responded"] for r in report["remedies"])
    return [
        {"section": "Definition and accessibility",
         "requirement": "Complaints are accepted however they arrive and recorded as complaints.",
         "evidence": f"{perf['received']} complaints received in {report['year']}, logged at every "
                     f"door (counter, telephone, back office, partner systems, self service) through "
                     f"one service."},
        {"section": "Complaint handling process",
         "requirement": "A two-stage process, with the timescales of the rules in force.",
         "evidence": "Rules in force for complaints received in the year: "
                     + (", ".join(report["rule_sets"]) or "none") + "."},
        {"section": "Stage 1",
         "requirement": "Stage 1 complaints answered within the timescale, extensions exceptional.",
         "evidence": _within(stage_one)},
        {"section": "Stage 2",
         "requirement": "Stage 2 complaints answered within the timescale, by a senior officer who "
                        "did not answer stage 1.",
         "evidence": _within(stage_two) + " The service allocates stage 2 only to senior officers."},
        {"section": "Putting things right",
         "requirement": "Remedies recorded where a complaint is upheld.",
         "evidence": f"{remedied} of {responded} responses recorded a remedy."},
        {"section": "Self-assessment, reporting and compliance",
         "requirement": "Ombudsman cases recorded and followed up.",
         "evidence": f"{perf['ombudsman_premature']} complaints made to the Ombudsman first and "
                     f"{perf['ombudsman_period'] - perf['ombudsman_premature']} referred after the final "
                     f"stage; {perf['ombudsman_open']} Ombudsman cases open now."},
        {"section": "Learning from complaints",
         "requirement": "Lessons learned recorded and acted on, reported by service.",
         "evidence": f"{perf['lessons_total']} responses recorded lessons learned, across "
                     f"{len(report['lessons_by_service'])} services."},
    ]


def _pct(value) -> str:
    return "" if value is None else f"{value:.1f}%"


def annual_tables(report: dict) -> list:
    """The report's tables, as the page shows them and the CSV lists them."""
    from reporting.tables import Cell, Table

    perf = report["performance"]
    stage_labels = [STAGE_LABELS[code] for code in selectors.STAGE_ORDER]
    volumes = Table("volumes", "Complaints received by service, and the stages they reached",
                    ["Service", "Complaints received", *stage_labels])
    for r in perf["volumes"]:
        volumes.rows.append([Cell(r["label"]), Cell(r["received"], numeric=True),
                             *[Cell(n, numeric=True) for n in r["stages"]]])
    volumes.rows.append([Cell("All services"), Cell(perf["received"], numeric=True),
                         *[Cell(n, numeric=True) for _, n in report["by_stage"]]])
    timeliness = Table("timeliness", "Responses within the deadline, and extensions, by stage",
                       ["Process and stage", "Stages started", "Responded", "Within the deadline", "Late",
                        "% within the deadline", "Extended", "% extended", "Awaiting a response"])
    for r in report["deadlines"]:
        timeliness.rows.append([Cell(r["label"]), Cell(r["started"], numeric=True),
                                Cell(r["responded"], numeric=True), Cell(r["on_time"], numeric=True),
                                Cell(r["late"], numeric=True), Cell(_pct(r["on_time_percent"]), numeric=True),
                                Cell(r["extended"], numeric=True),
                                Cell(_pct(r["extended_percent"]), numeric=True),
                                Cell(r["waiting"], numeric=True)])
    outcome_labels = [label for _, label in selectors.Outcome.choices]
    outcomes = Table("outcomes", "Outcomes of the responses, by stage",
                     ["Stage", *outcome_labels, "Responses", *[f"{o} %" for o in outcome_labels]])
    for r in perf["outcomes"]:
        outcomes.rows.append([Cell(r["label"]), *[Cell(n, numeric=True) for n in r["counts"]],
                              Cell(r["total"], numeric=True),
                              *[Cell(_pct(p), numeric=True) for p in r["percents"]]])
    remedies = Table("remedies", "Remedies recorded with the responses",
                     ["Process and stage", "Responses", "With a remedy", "% with a remedy"])
    for r in report["remedies"]:
        remedies.rows.append([Cell(r["label"]), Cell(r["responded"], numeric=True),
                              Cell(r["remedied"], numeric=True),
                              Cell(_pct(r["remedied_percent"]), numeric=True)])
    ombudsman = Table("ombudsman", "The Local Government and Social Care Ombudsman",
                      ["Measure", "Complaints"])
    for label, n in (("Made to the Ombudsman first (premature)", perf["ombudsman_premature"]),
                     ("Referred to the Ombudsman after the final stage",
                      perf["ombudsman_period"] - perf["ombudsman_premature"]),
                     ("Ombudsman cases open now", perf["ombudsman_open"])):
        ombudsman.rows.append([Cell(label), Cell(n, numeric=True)])
    lessons = Table("lessons", "Lessons learned, by service", ["Service", "Responses with lessons learned"])
    for name, n in report["lessons_by_service"]:
        lessons.rows.append([Cell(name), Cell(n, numeric=True)])
    assessment = Table("self_assessment", "Self-assessment against the Complaint Handling Code",
                       ["Section of the Code", "Requirement", "Evidence from the records"])
    for r in report["self_assessment"]:
        assessment.rows.append([Cell(r["section"]), Cell(r["requirement"]), Cell(r["evidence"])])
    return [volumes, timeliness, outcomes, remedies, ombudsman, lessons, assessment]


def annual_csv_rows(report: dict):
    """The whole report as one CSV: one row per figure (table, row, column, value)."""
    yield ["Table", "Row", "Column", "Value"]
    for table in annual_tables(report):
        for row in table.rows:
            for header, cell in zip(table.headers[1:], row[1:], strict=False):
                yield [table.caption, row[0].text, header, cell.text]
