"""The annual complaints performance and service improvement report, and the self-assessment
against the Ombudsman's Complaint Handling Code (issue 18, item 7; DOMAIN.md, "Complaints": "the
council publishes an annual complaints performance and service improvement report and a
self-assessment against the Code").

The year is the council's financial year, 1 April to 31 March, as the Ombudsman's annual review
letters are. Its figures are those of `selectors.complaints_performance` for the complaints
received in the year (the complaints report's cohort: each complaint counted once, with every
stage it reached), plus the extensions, remedies and lessons learned of those stages, so that the
report agrees with the complaints report for the same dates.

Issue 18 adds three sections, each on the base the Ombudsman's own letters and the Code use:
- remedies and their cost: the remedies given with the council's responses (stages 1 to 3) to
  the year's complaints, by kind, with the sum of their amounts;
- the Ombudsman: the decisions the Ombudsman made in the year (decided_at in the year), the
  upheld rate (upheld of upheld and not upheld, the cases the Ombudsman investigated), the
  remedies it asked for, and compliance with its recommendations due in the year up to today:
  done by the due date (a London day) over all those due;
- actions from lessons learned: the actions created in the year, by service, done (by the due
  date or late), open, and overdue today.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Min, Q, Sum
from django.utils import timezone

from complaints.models import (
    Complaint,
    ComplaintRemedy,
    ComplaintRuleSet,
    LearningAction,
    OmbudsmanDecision,
    OmbudsmanDecisionKind,
    OmbudsmanRecommendation,
    Process,
    RemedyKind,
    Stage,
)
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
    today = today or timezone.localdate()
    report["remedies_cost"] = remedies_cost(filters)
    report["ombudsman"] = ombudsman_year(year, today)
    report["learning_actions"] = learning_actions_year(year, today)
    report["self_assessment"] = self_assessment(report)
    return report


def _pounds(pence: int | None) -> str:
    return f"{(pence or 0) / 100:,.2f}"


def remedies_cost(filters: Filters) -> dict:
    """The remedies given with the council's responses to the year's complaints, by kind: how
    many, how many had an amount, and what they cost in pence."""
    remedies = (ComplaintRemedy.objects
                .filter(stage__in=selectors.stages_in_period(filters), stage__responded_at__isnull=False)
                .exclude(stage__stage=Stage.OMBUDSMAN))
    counts = {row["kind"]: row for row in remedies.values("kind").annotate(
        n=Count("pk"), costed=Count("amount_pence"), pence=Sum("amount_pence")).order_by()}
    rows = [{"kind": kind, "label": label, "count": counts.get(kind, {}).get("n", 0),
             "costed": counts.get(kind, {}).get("costed", 0),
             "cost_pence": counts.get(kind, {}).get("pence") or 0}
            for kind, label in RemedyKind.choices]
    return {"rows": rows, "count": sum(r["count"] for r in rows),
            "cost_pence": sum(r["cost_pence"] for r in rows)}


def ombudsman_year(year: Year, today: date) -> dict:
    """The Ombudsman's decisions made in the year and compliance with its recommendations due in
    the year (up to today)."""
    start, end = selectors.period_bounds(Filters(date_from=year.first_day, date_to=year.last_day))
    decisions = OmbudsmanDecision.objects.filter(decided_at__gte=start, decided_at__lt=end)
    by_kind = dict(decisions.values_list("decision").annotate(n=Count("pk")).order_by())
    upheld = by_kind.get(OmbudsmanDecisionKind.UPHELD, 0)
    not_upheld = by_kind.get(OmbudsmanDecisionKind.NOT_UPHELD, 0)
    remedies = ComplaintRemedy.objects.filter(stage__stage=Stage.OMBUDSMAN,
                                              stage__complaint__in=decisions.values("complaint"))
    asked = remedies.aggregate(n=Count("pk"), pence=Sum("amount_pence"))
    last_due = min(year.last_day, today)
    due = list(OmbudsmanRecommendation.objects.filter(due_date__gte=year.first_day, due_date__lte=last_due)
               .order_by("due_date", "pk"))
    on_time = sum(1 for r in due if r.done_at and timezone.localtime(r.done_at).date() <= r.due_date)
    late = sum(1 for r in due if r.done_at and timezone.localtime(r.done_at).date() > r.due_date)
    overdue = sum(1 for r in due if r.done_at is None and r.due_date < today)
    return {
        "decisions": [(kind, label, by_kind.get(kind, 0)) for kind, label in OmbudsmanDecisionKind.choices],
        "decided": sum(by_kind.values()), "upheld_percent": percent(upheld, upheld + not_upheld),
        "remedies": asked["n"], "remedies_cost_pence": asked["pence"] or 0,
        "recommendations_due": len(due), "on_time": on_time, "late": late,
        "overdue": overdue, "waiting": len(due) - on_time - late - overdue,
        "compliance_percent": percent(on_time, len(due)),
    }


LEARNING_COLUMNS = ("actions", "done", "on_time", "open", "overdue")


def learning_actions_year(year: Year, today: date) -> dict:
    """The actions from lessons learned created in the year, by service."""
    start, end = selectors.period_bounds(Filters(date_from=year.first_day, date_to=year.last_day))
    actions = (LearningAction.objects.filter(created_at__gte=start, created_at__lt=end)
               .select_related("complaint__service").order_by("pk"))
    by_service: dict[str, Counter] = {}
    for action in actions:
        counts = by_service.setdefault(action.complaint.service.name, Counter())
        counts["actions"] += 1
        if action.done_at is not None:
            counts["done"] += 1
            counts["on_time"] += timezone.localtime(action.done_at).date() <= action.due_date
        else:
            counts["open"] += 1
            counts["overdue"] += action.due_date < today
    rows = [{"service": name, **{key: counts[key] for key in LEARNING_COLUMNS}}
            for name, counts in sorted(by_service.items())]
    total = {key: sum(r[key] for r in rows) for key in LEARNING_COLUMNS}
    return {"rows": rows, "total": total}


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
         "evidence": f"{remedied} of {responded} responses recorded a remedy; remedies cost "
                     f"£{_pounds(report['remedies_cost']['cost_pence'])} in all."},
        {"section": "Self-assessment, reporting and compliance",
         "requirement": "Ombudsman cases recorded and followed up.",
         "evidence": f"{perf['ombudsman_premature']} complaints made to the Ombudsman first and "
                     f"{perf['ombudsman_period'] - perf['ombudsman_premature']} referred after the final "
                     f"stage; {perf['ombudsman_open']} Ombudsman cases open now. "
                     f"{report['ombudsman']['decided']} Ombudsman decisions in the year; "
                     f"{report['ombudsman']['on_time']} of {report['ombudsman']['recommendations_due']} "
                     f"recommendations due were done by their due date"
                     + (f" ({report['ombudsman']['compliance_percent']:.1f}%)."
                        if report["ombudsman"]["compliance_percent"] is not None else ".")},
        {"section": "Learning from complaints",
         "requirement": "Lessons learned recorded and acted on, reported by service.",
         "evidence": f"{perf['lessons_total']} responses recorded lessons learned, across "
                     f"{len(report['lessons_by_service'])} services; "
                     f"{report['learning_actions']['total']['actions']} actions from them in the year, "
                     f"{report['learning_actions']['total']['done']} done, "
                     f"{report['learning_actions']['total']['overdue']} overdue."},
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
    costs = Table("remedies_cost", "Remedies given with the responses, and their cost",
                  ["Kind of remedy", "Remedies", "With an amount", "Cost (£)"])
    for r in report["remedies_cost"]["rows"]:
        costs.rows.append([Cell(r["label"]), Cell(r["count"], numeric=True), Cell(r["costed"], numeric=True),
                           Cell(_pounds(r["cost_pence"]), numeric=True)])
    costs.rows.append([Cell("All remedies"), Cell(report["remedies_cost"]["count"], numeric=True),
                       Cell(sum(r["costed"] for r in report["remedies_cost"]["rows"]), numeric=True),
                       Cell(_pounds(report["remedies_cost"]["cost_pence"]), numeric=True)])
    ombudsman = Table("ombudsman", "The Local Government and Social Care Ombudsman",
                      ["Measure", "Complaints"])
    for label, n in (("Made to the Ombudsman first (premature)", perf["ombudsman_premature"]),
                     ("Referred to the Ombudsman after the final stage",
                      perf["ombudsman_period"] - perf["ombudsman_premature"]),
                     ("Ombudsman cases open now", perf["ombudsman_open"])):
        ombudsman.rows.append([Cell(label), Cell(n, numeric=True)])
    year_ombudsman = report["ombudsman"]
    decisions = Table("ombudsman_decisions",
                      "The Ombudsman's decisions in the year, and compliance with its recommendations",
                      ["Measure", "Number"])
    for _, label, n in year_ombudsman["decisions"]:
        decisions.rows.append([Cell(f"Decided: {label.lower()}"), Cell(n, numeric=True)])
    for label, value in (
            ("Upheld, % of those upheld or not upheld", _pct(year_ombudsman["upheld_percent"])),
            ("Remedies the Ombudsman asked for", year_ombudsman["remedies"]),
            ("Their cost (£)", _pounds(year_ombudsman["remedies_cost_pence"])),
            ("Recommendations due in the year", year_ombudsman["recommendations_due"]),
            ("Done by the due date", year_ombudsman["on_time"]),
            ("Done late", year_ombudsman["late"]),
            ("Not done and overdue", year_ombudsman["overdue"]),
            ("Compliance rate (done by the due date, % of those due)",
             _pct(year_ombudsman["compliance_percent"]))):
        decisions.rows.append([Cell(label), Cell(value, numeric=True)])
    learning = Table("learning_actions", "Actions from lessons learned in the year, by service",
                     ["Service", "Actions", "Done", "Done by the due date", "Open", "Overdue"])
    learning_rows = report["learning_actions"]
    for r in [*learning_rows["rows"], {"service": "All services", **learning_rows["total"]}]:
        learning.rows.append([Cell(r["service"]), *[Cell(r[key], numeric=True) for key in LEARNING_COLUMNS]])
    lessons = Table("lessons", "Lessons learned, by service", ["Service", "Responses with lessons learned"])
    for name, n in report["lessons_by_service"]:
        lessons.rows.append([Cell(name), Cell(n, numeric=True)])
    assessment = Table("self_assessment", "Self-assessment against the Complaint Handling Code",
                       ["Section of the Code", "Requirement", "Evidence from the records"])
    for r in report["self_assessment"]:
        assessment.rows.append([Cell(r["section"]), Cell(r["requirement"]), Cell(r["evidence"])])
    return [volumes, timeliness, outcomes, remedies, costs, ombudsman, decisions, lessons, learning,
            assessment]


def annual_csv_rows(report: dict):
    """The whole report as one CSV: one row per figure (table, row, column, value)."""
    yield ["Table", "Row", "Column", "Value"]
    for table in annual_tables(report):
        for row in table.rows:
            for header, cell in zip(table.headers[1:], row[1:], strict=False):
                yield [table.caption, row[0].text, header, cell.text]
