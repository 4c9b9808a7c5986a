"""Report pages for managers and admins (others get 403). Thin: forms, selectors, tables."""

from datetime import date
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from complaints.selectors import complaints_visible_to
from core.documents import html_to_pdf
from core.models import AvoidableReason, EnquiryType
from core.roles import Role, has_role
from handoffs.selectors import handoffs_visible_to
from reporting import annual as annual_report
from reporting import selectors
from reporting.forms import ReportFilterForm, WhatIfForm
from reporting.tables import (
    CONTACT_CSV_HEADERS,
    Cell,
    Table,
    channel_tables,
    complaints_tables,
    contact_csv_rows,
    csv_response,
    csv_rows_response,
    csv_stream,
    handoff_tables,
    joined_up_tables,
    ni14_tables,
)

REPORT_ROLES = (Role.MANAGER, Role.ADMIN)


def _require_manager(request):
    if not has_role(request.user, *REPORT_ROLES):
        raise PermissionDenied


# The report pages, in sub-navigation order: (url name, title).
PAGES = (
    ("dashboard", "Avoidable contact (NI14)"),
    ("channels", "Channels and cost"),
    ("complaints", "Complaints"),
    ("handoffs", "Hand-offs"),
    ("joined_up", "Joined-up view"),
    ("annual", "Annual complaints report"),
)
ALL_FILTERS = ("date_from", "date_to", "service", "channel", "site", "sampling_period")


def _report(request, *, page: str, build, fields=ALL_FILTERS, extra=None):
    """Render one report page, or one of its tables as CSV with ?format=csv&table=<name>.

    Filters the page does not offer are dropped, so that a figure never depends on a filter the
    reader cannot see."""
    _require_manager(request)
    form = ReportFilterForm(request.GET or None, fields=fields, initial=ReportFilterForm.initial_filters())
    filters = form.filters()
    query = form.query()
    data = build(filters, query)
    if request.GET.get("format") == "csv":
        table = data["tables"].get(request.GET.get("table", ""))
        if table is None:
            raise Http404("No such table.")
        return csv_response(table, f"{page}-{table.name}-{filters.date_from}-{filters.date_to}")
    title = dict(PAGES)[page]
    form.read_choices()
    csv_query = urlencode({**query, **(extra or {})})
    return render(request, f"reporting/{page}.html", {
        "form": form, "filters": filters, "query": query, "csv_query": csv_query,
        "period_query": urlencode(query),
        "title": title, "pages": PAGES, "current": page, **data,
    })


def dashboard(request):
    return _report(request, page="dashboard", build=ni14_tables)


def channels(request):
    what_if = WhatIfForm(request.GET or None)
    shift = what_if.percent()
    return _report(request, page="channels", extra={"shift": shift}, build=lambda f, q: {
        **channel_tables(f, q, shift), "what_if": what_if})


def complaints(request):
    every_lesson = request.GET.get("format") == "csv" and request.GET.get("table") == "lessons"
    return _report(request, page="complaints", fields=("date_from", "date_to", "service"),
                   build=lambda f, q: complaints_tables(f, every_lesson=every_lesson))


def handoffs(request):
    return _report(request, page="handoffs", fields=("date_from", "date_to"),
                   build=lambda f, q: handoff_tables(f))


def joined_up(request):
    return _report(request, page="joined_up", fields=("date_from", "date_to"),
                   build=lambda f, q: joined_up_tables(f, q))


def _month(value: str) -> date | None:
    try:
        return date.fromisoformat(f"{value}-01") if value else None
    except ValueError:
        return None


def contacts(request):
    """The contacts behind a figure: the dashboard's filters plus the figure's dimension."""
    _require_manager(request)
    form = ReportFilterForm(request.GET or None)
    filters = form.filters()
    g = request.GET
    enquiry_type = None
    if g.get("enquiry_type") and g["enquiry_type"] != "none":
        enquiry_type = EnquiryType.objects.filter(pk=g["enquiry_type"]).first() \
            if g["enquiry_type"].isdigit() else None
    reason = AvoidableReason.objects.filter(code=g["reason"]).first() if g.get("reason") else None
    qs = selectors.contacts_behind(
        filters, enquiry_type=enquiry_type, reason=reason,
        avoidable=True if g.get("avoidable") == "yes" else None,
        fcr=True if g.get("fcr") == "yes" else None, month=_month(g.get("month", "")))
    if g.get("enquiry_type") == "none":
        qs = qs.filter(enquiry_type__isnull=True)
    if g.get("site_recorded") == "no":
        qs = qs.filter(site__isnull=True)
    if g.get("format") == "csv":
        return csv_stream(CONTACT_CSV_HEADERS, contact_csv_rows(qs),
                          f"contacts-{filters.date_from}-{filters.date_to}")
    page = Paginator(qs, 50).get_page(g.get("page"))
    params = g.copy()
    params.pop("page", None)
    params.pop("format", None)
    return render(request, "reporting/contacts.html", {
        "form": form, "filters": filters, "page": page, "query": params.urlencode(),
        "chosen": {"enquiry type": enquiry_type, "NI14 reason": reason,
                   "avoidable only": g.get("avoidable") == "yes",
                   "resolved first time only": g.get("fcr") == "yes", "month": g.get("month"),
                   "no site recorded": g.get("site_recorded") == "no"},
    })


# --- The cases behind a headline figure (issue 20, item 6) ---------------------------------------

_COMPLAINT_HEADERS = ["Reference", "Received", "Service", "Process", "Stage", "Status", "Due"]
_HANDOFF_HEADERS = ["Hand-off", "Opened", "Team", "Service and enquiry", "Method", "Status", "Due"]


def _complaint_row(complaint) -> list:
    return [complaint.reference, complaint.received_at.strftime("%Y-%m-%d"), complaint.service.name,
            complaint.get_process_display(), complaint.get_stage_display(), complaint.get_status_display(),
            complaint.due_date.isoformat() if complaint.due_date else ""]


def _handoff_row(handoff) -> list:
    contact = handoff.contact
    about = contact.service.name + (f": {contact.enquiry_type.name}" if contact.enquiry_type else "")
    return [handoff.pk, handoff.opened_at.strftime("%Y-%m-%d"), handoff.team.name, about,
            handoff.get_method_display(), handoff.get_status_display(), handoff.due_date.isoformat()]


def _cases(request, *, report: str, figures: dict, behind, visible, headers, row, detail_url, fields):
    """One headline figure's cases: a page of 50 with links to each case, and all of them as CSV
    (case numbers and facts, no names). Managers and admins; each case also passes the app's own
    visibility rule, so a list never shows a case its reader could not open."""
    _require_manager(request)
    figure = request.GET.get("figure") or next(iter(figures))
    if figure not in figures:
        raise Http404("No such figure.")
    form = ReportFilterForm(request.GET or None, fields=fields, initial=ReportFilterForm.initial_filters())
    filters = form.filters()
    cases = behind(filters, figure).filter(pk__in=visible(request.user).values("pk"))
    name = f"{report}-{figure}-{filters.date_from}-{filters.date_to}"
    if request.GET.get("format") == "csv":
        return csv_stream(headers, (row(case) for case in cases.iterator(chunk_size=2000)), name)
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    table = Table(figure, figures[figure], headers)
    for case in page.object_list:
        values = row(case)
        table.rows.append([Cell(values[0], detail_url(case)), *(Cell(value) for value in values[1:])])
    query = urlencode({**form.query(), "figure": figure})
    return render(request, "reporting/cases.html", {
        "title": figures[figure], "form": form, "filters": filters, "page": page, "table": table,
        "query": query, "csv_query": query,
        "report_url": f"{reverse('reporting:' + report)}?{urlencode(form.query())}",
    })


def complaint_cases(request):
    return _cases(request, report="complaints", figures=selectors.COMPLAINT_FIGURES,
                  behind=selectors.complaints_behind, visible=complaints_visible_to,
                  headers=_COMPLAINT_HEADERS, row=_complaint_row,
                  detail_url=lambda c: reverse("complaints:detail", args=[c.pk]),
                  fields=("date_from", "date_to", "service"))


def handoff_cases(request):
    return _cases(request, report="handoffs", figures=selectors.HANDOFF_FIGURES,
                  behind=selectors.handoffs_behind, visible=handoffs_visible_to,
                  headers=_HANDOFF_HEADERS, row=_handoff_row,
                  detail_url=lambda h: reverse("handoffs:detail", args=[h.pk]),
                  fields=("date_from", "date_to"))


def annual(request):
    """The annual complaints performance and service improvement report and the self-assessment
    against the Code, for a chosen financial year: the page, one CSV of every figure (or one
    table's), and the PDF to publish."""
    _require_manager(request)
    years = annual_report.years_available()
    default = annual_report.default_year()
    if default.start not in {y.start for y in years}:
        # The year a council publishes for is always offered (and its CSV and PDF links work),
        # even before the first complaint on record.
        years = sorted({*years, default}, key=lambda y: -y.start)
    choices = {str(year.start): year for year in years}
    chosen = request.GET.get("year", "")
    error = ""
    if chosen and chosen not in choices:
        error = f"Choose a year between {years[-1]} and {years[0]}."
    year = choices.get(chosen) or default
    report = annual_report.annual_report(year)
    tables = annual_report.annual_tables(report)
    fmt = request.GET.get("format", "")
    if not error and fmt == "csv":
        if request.GET.get("table"):
            table = next((t for t in tables if t.name == request.GET["table"]), None)
            if table is None:
                raise Http404("No such table.")
            return csv_response(table, f"annual-complaints-report-{year.start}-{table.name}")
        return csv_rows_response(annual_report.annual_csv_rows(report),
                                 f"annual-complaints-report-{year.start}")
    context = {"report": report, "tables": tables, "year": year, "years": years, "error": error,
               "title": "Annual complaints report", "pages": PAGES, "current": "annual",
               "csv_query": urlencode({"year": year.start}), "council_name": settings.COUNCIL_NAME,
               "today": timezone.localdate()}
    if not error and fmt == "pdf":
        html = render_to_string("reporting/annual_document.html", context)
        response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="annual-complaints-report-{year.start}.pdf"'
        return response
    return render(request, "reporting/annual.html", context, status=400 if error else 200)
