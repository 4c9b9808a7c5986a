"""Insight pages (issue 11). Reports are for managers and admins; counter surveys and Tell Us
Once for the front office; the emailed survey page is public and opened by its token."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from contacts.models import Contact, Customer
from contacts.selectors import customer_search
from handoffs.selectors import handoffs_visible_to
from insight import selectors, services
from insight.forms import CustomerSearchForm, JourneyFilterForm, LifeEventForm, PeriodForm, SurveyForm
from insight.models import LifeEvent
from reporting.tables import csv_stream


def _require_manager(request):
    if not selectors.can_see_insight(request.user):
        raise PermissionDenied


def _require_front_office(request):
    if not selectors.can_record_at_front_office(request.user):
        raise PermissionDenied


# A service's field that the form asks for in parts: its errors go on the part the error
# summary links to.
_FORM_FIELD = {"event_date": "event"}


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            field = _FORM_FIELD.get(field, field)
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


# --- Surveys -----------------------------------------------------------------------------------


def _csv_query(request) -> str:
    """The page's own filters, for its tables' CSV links."""
    return urlencode({k: v for k, v in request.GET.items() if k not in ("format", "table")})


SURVEY_CSV_HEADERS = ["Asked", "Answered", "Response rate %", "Satisfaction (1-5)", "Ease (1-5)",
                      "Resolved %"]


def survey_results(request):
    """Survey results by service, channel, team and method; each table also as CSV
    (?format=csv&table=service), like every report table (issue 20, item 6)."""
    _require_manager(request)
    form = PeriodForm(request.GET or None)
    date_from, date_to = form.period()
    tables = selectors.survey_results(date_from, date_to)
    if request.GET.get("format") == "csv":
        name = request.GET.get("table", "")
        if name not in tables:
            raise Http404("No such table.")
        rows = ([row.label, row.asked, row.answered, row.response_percent, row.satisfaction, row.ease,
                 row.resolved_percent] for row in tables[name])
        return csv_stream([name.capitalize(), *SURVEY_CSV_HEADERS], rows,
                          f"surveys-by-{name}-{date_from}-{date_to}")
    return render(request, "insight/survey_results.html", {
        "form": form, "date_from": date_from, "date_to": date_to,
        "headline": selectors.survey_headline(date_from, date_to),
        "tables": tables, "csv_query": _csv_query(request),
        "comments": selectors.recent_comments(date_from, date_to),
    })


@login_not_required
@require_http_methods(["GET", "POST"])
def survey_answer(request, token: str):
    """The page the emailed link opens: public, found by the token alone."""
    survey = services.survey_for_token(token)
    if survey is None:
        raise Http404("No such survey.")
    if survey.responded_at is not None:
        return render(request, "insight/survey_thanks.html", {"survey": survey, "already": True})
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_answer(survey=survey, **form.answers())
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return render(request, "insight/survey_thanks.html", {"survey": survey})
    return render(request, "insight/survey_answer.html", {"survey": survey, "form": form},
                  status=400 if form.errors else 200)


def counter_surveys(request):
    _require_front_office(request)
    return render(request, "insight/counter_list.html", {
        "contacts": selectors.counter_survey_candidates(request.user)[:50],
    })


@require_http_methods(["GET", "POST"])
def counter_survey_record(request, contact_id: int):
    _require_front_office(request)
    contact = get_object_or_404(
        Contact.objects.select_related("customer", "service", "enquiry_type"), pk=contact_id)
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_record_at_counter(contact=contact, actor=request.user, **form.answers())
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"Feedback from {contact.customer} recorded.")
            return redirect("insight:counter")
    return render(request, "insight/counter_record.html", {"contact": contact, "form": form},
                  status=400 if form.errors else 200)


# --- Journeys and services used together -------------------------------------------------------


def journeys(request):
    _require_manager(request)
    form = JourneyFilterForm(request.GET or None)
    date_from, date_to = form.period()
    enquiry_type = form.cleaned_data.get("enquiry_type") if form.is_bound and form.is_valid() else None
    search = CustomerSearchForm(request.GET or None)
    query = search.cleaned_data.get("q", "") if search.is_bound and search.is_valid() else ""
    return render(request, "insight/journeys.html", {
        "form": form, "search": search, "date_from": date_from, "date_to": date_to,
        "enquiry_type": enquiry_type,
        "summary": selectors.enquiry_type_journeys(enquiry_type, date_from, date_to)
        if enquiry_type else None,
        "customers": customer_search(query)[:20] if query else None,
    })


def customer_journey(request, customer_id: int):
    _require_manager(request)
    customer = get_object_or_404(Customer.objects.active(), pk=customer_id)
    customer_journeys = selectors.customer_journeys(customer)
    return render(request, "insight/customer_journey.html", {
        "customer": customer, "journeys": customer_journeys,
        "life_events": selectors.life_events_for_customer(customer),
    })


def services_together(request):
    _require_manager(request)
    form = PeriodForm(request.GET or None)
    date_from, date_to = form.period()
    together = selectors.services_used_together(date_from, date_to)
    if request.GET.get("format") == "csv":
        name = request.GET.get("table", "")
        period = f"{date_from}-{date_to}"
        if name == "pairs":
            return csv_stream(
                ["Customers who used", "Its customers", "Also used", "Its customers", "Customers of both",
                 "Share of the first's customers %", "Lift"],
                ([p.first, p.first_customers, p.second, p.second_customers, p.customers,
                  p.also_used_percent, p.lift] for p in together["pairs"]),
                f"services-used-together-{period}")
        if name == "services":
            return csv_stream(["Service", "Customers"], together["services"],
                              f"customers-per-service-{period}")
        raise Http404("No such table.")
    return render(request, "insight/services_together.html", {
        "form": form, "date_from": date_from, "date_to": date_to, "csv_query": _csv_query(request),
        **together,
    })


# --- Tell Us Once ------------------------------------------------------------------------------


def life_events(request):
    _require_front_office(request)
    return render(request, "insight/life_events.html", {"events": selectors.life_events_recent()})


def life_event_customer(request):
    _require_front_office(request)
    search = CustomerSearchForm(request.GET or None)
    query = search.cleaned_data.get("q", "") if search.is_bound and search.is_valid() else ""
    return render(request, "insight/life_event_customer.html", {
        "search": search, "customers": customer_search(query)[:20] if query else None,
    })


@require_http_methods(["GET", "POST"])
def life_event_new(request, customer_id: int):
    _require_front_office(request)
    customer = get_object_or_404(Customer.objects.active(), pk=customer_id)
    form = LifeEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            event = services.life_event_record(
                actor=request.user, customer=customer, kind=data["kind"],
                event_date=data["event_date"], details=data["details"], channel=data["channel"],
                services=form.chosen_services())
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"{event.notices.count()} services told. Their hand-offs are below.")
            return redirect("insight:life-event", event.pk)
    return render(request, "insight/life_event_new.html", {
        "customer": customer, "form": form, "routes": selectors.tell_us_once_routes(),
    }, status=400 if form.errors else 200)


def life_event_detail(request, life_event_id: int):
    _require_front_office(request)
    try:
        event, notices = selectors.life_event_progress(life_event_id)
    except LifeEvent.DoesNotExist:
        raise Http404("No such life event.") from None
    visible = set(handoffs_visible_to(request.user).filter(
        pk__in=[notice.handoff_id for notice in notices]).values_list("pk", flat=True))
    return render(request, "insight/life_event_detail.html", {
        "event": event, "notices": notices, "visible_handoffs": visible})
