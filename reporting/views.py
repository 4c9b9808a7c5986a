"""Report pages for managers and admins (others get 403). Thin: forms, selectors, tables."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from core.models import AvoidableReason, EnquiryType
from core.roles import Role, has_role
from reporting import selectors
from reporting.forms import ReportFilterForm, WhatIfForm
from reporting.tables import csv_response, ni14_tables

REPORT_ROLES = (Role.MANAGER, Role.ADMIN)


def _require_manager(request):
    if not has_role(request.user, *REPORT_ROLES):
        raise PermissionDenied


def dashboard(request):
    _require_manager(request)
    form = ReportFilterForm(request.GET or None)
    filters = form.filters()
    query = form.query()
    what_if = WhatIfForm(request.GET or None)
    data = ni14_tables(filters, query, what_if.percent())
    if request.GET.get("format") == "csv":
        table = data["tables"].get(request.GET.get("table", ""))
        if table is None:
            raise Http404("No such table.")
        return csv_response(table, f"ni14-{table.name}-{filters.date_from}-{filters.date_to}")
    return render(request, "reporting/dashboard.html", {
        "form": form, "what_if": what_if, "filters": filters, "query": query,
        "headline": selectors.headline(filters), **data,
    })


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
    page = Paginator(qs, 50).get_page(g.get("page"))
    params = g.copy()
    params.pop("page", None)
    return render(request, "reporting/contacts.html", {
        "form": form, "filters": filters, "page": page, "query": params.urlencode(),
        "chosen": {"enquiry type": enquiry_type, "NI14 reason": reason,
                   "avoidable only": g.get("avoidable") == "yes",
                   "resolved first time only": g.get("fcr") == "yes", "month": g.get("month")},
    })
