"""The contact-taking pages: the adviser's screen (/contacts/log/) and a back-office team's screen
for the public contact that reaches it directly (/contacts/log/team/).

Both: find the caller (or anonymous), then log the contact through the one use case
(`intake.services.contact_log`) and, if the customer wants to complain, the complaint with it.
After a save the page is back at an empty search, with the search box focused, for the next
caller. A customer with an open enquiry in the repeat window sees those enquiries and is asked
whether the contact chases one, with no answer chosen (DOMAIN.md: "suggest, never pre-set").

Who: the adviser's screen advisers, managers and admins; the team screen back-office officers
(for their teams), managers and admins (for any). Others 403; unknown customers 404.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from complaints.models import Process
from contacts import selectors as contact_selectors
from contacts.forms import SearchForm
from contacts.models import Contact, Customer
from core.models import ChannelCode
from core.selectors import services_with_enquiry_types
from handoffs.selectors import open_enquiries
from handoffs.services import long_date
from intake import selectors
from intake.forms import FrontOfficeContactForm, TeamContactForm
from intake.services import Taken, contact_log

SEARCH_RESULTS_ON_LOG_PAGE = 20
_SESSION_DEFAULTS = "intake.log_defaults"


@dataclass(frozen=True)
class Desk:
    """What differs between the two screens."""

    url_name: str
    template: str
    title: str
    source: str


FRONT_OFFICE = Desk("intake:log", "intake/log.html", "Log a contact", Contact.Source.ADVISER)
TEAM = Desk("intake:team-log", "intake/team_log.html", "Log a direct contact",
            Contact.Source.BACK_OFFICE)


def contact_log_page(request):
    """The adviser's screen (issue 3, "Adviser screen"; issue 15)."""
    if not selectors.can_log_at_front_office(request.user):
        raise PermissionDenied
    return _take(request, FRONT_OFFICE)


def team_log_page(request):
    """A back-office officer logs a contact that reached their team directly (phone, email,
    letter, visit): their team and its service to start from, their team's site recorded, the
    same rules as every door, counted in NI14 like any other (issue 15)."""
    if not selectors.can_log_for_a_team(request.user):
        raise PermissionDenied
    teams = list(selectors.teams_taking_direct_contact(request.user))
    if not teams:
        return render(request, "intake/no_team.html", status=200)
    return _take(request, TEAM, teams=teams)


def _customer_or_404(customer_id) -> Customer:
    try:
        return contact_selectors.customer_detail(int(customer_id))
    except (Customer.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def _take(request, desk: Desk, teams=None):
    source = request.POST if request.method == "POST" else request.GET
    customer = _customer_or_404(source["customer"]) if source.get("customer") else None
    anonymous = customer is None and source.get("anonymous") == "1"
    catalogue = list(services_with_enquiry_types())
    candidates = list(open_enquiries(customer)) if customer else []
    form_kwargs = {"catalogue": catalogue, "open_enquiries": candidates}
    form_class = FrontOfficeContactForm
    if desk is TEAM:
        form_class = TeamContactForm
        form_kwargs["teams"] = teams

    if request.method == "POST":
        form = form_class(request.POST, **form_kwargs)
        if customer is None and not anonymous:
            form.add_error(None, "Find the customer, or choose Anonymous caller.")
        if form.is_valid():
            try:
                taken = contact_log(actor=request.user, customer=customer,
                                    source=desk.source, **form.contact_fields())
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                _remember_defaults(request, desk, form)
                for message in _taken_messages(taken):
                    messages.success(request, message)
                return redirect(desk.url_name)
        status = 400 if form.errors else 200
    else:
        form = form_class(initial=_initial(request, desk, teams), **form_kwargs)
        status = 200

    search = SearchForm(request.GET if customer is None and not anonymous else None)
    query = search.cleaned_data.get("q", "") if search.is_bound and search.is_valid() else ""
    results = []
    if query:
        results = list(contact_selectors.customer_search(query)[:SEARCH_RESULTS_ON_LOG_PAGE + 1])
    log_url = reverse(desk.url_name)
    complaint_open = bool(form["complaint"].value()) or source.get("complaint") == "1"
    # Choosing the caller keeps "the customer wants to complain" from the menu or the 360 page.
    caller_url = f"{log_url}?complaint=1" if complaint_open else log_url
    return render(request, desk.template, {
        "form": form,
        "desk": desk,
        "log_url": log_url,
        "search": search,
        "query": query,
        "results": results[:SEARCH_RESULTS_ON_LOG_PAGE],
        "more_results": len(results) > SEARCH_RESULTS_ON_LOG_PAGE,
        "customer": customer,
        "anonymous": anonymous,
        "caller_chosen": customer is not None or anonymous,
        "candidates": candidates,
        "chased_enquiry_types": {str(h.pk): str(h.contact.enquiry_type_id or "") for h in candidates},
        "caller_url": caller_url,
        "new_customer_url": _new_customer_url(caller_url, query),
        "window_days": settings.REPEAT_CONTACT_WINDOW_WORKING_DAYS,
        "complaint_open": complaint_open,
        "team_services": (selectors.teams_main_services(teams)
                          if desk is TEAM and len(teams) > 1 else {}),
        "banner_no_focus": True,
    }, status=status)


def _initial(request, desk: Desk, teams) -> dict:
    """Where the form starts: the channel (and site) used last, the team and its service on the
    team screen; never an answer to the repeat or NI14 questions."""
    defaults = request.session.get(_SESSION_DEFAULTS, {}).get(desk.url_name, {})
    complaint = request.GET.get("complaint") == "1"
    # A contact raising a complaint is not resolved at first contact (intake.rules).
    initial = {"resolved_at_first_contact": not complaint, "complaint": complaint}
    if desk is TEAM:
        team = next((t for t in teams if str(t.pk) == str(defaults.get("team"))), teams[0])
        initial.update(channel=defaults.get("channel") or ChannelCode.TELEPHONE, team=str(team.pk),
                       service=selectors.teams_main_services([team]).get(team.pk))
    else:
        initial.update(channel=defaults.get("channel") or ChannelCode.TELEPHONE,
                       site=defaults.get("site") or None)
    return initial


def _remember_defaults(request, desk: Desk, form) -> None:
    data = form.cleaned_data
    remembered = {"channel": data["channel"]}
    if desk is TEAM:
        remembered["team"] = data["team"].pk
    else:
        remembered["site"] = data["site"].code if data.get("site") else ""
    request.session[_SESSION_DEFAULTS] = {**request.session.get(_SESSION_DEFAULTS, {}),
                                          desk.url_name: remembered}


def _add_service_errors(form, error: ValidationError) -> None:
    """The use case's ValidationError onto the form: by field where the form has it."""
    for field, field_messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, field_messages)


def _taken_messages(taken: Taken) -> list[str]:
    """What the adviser is told: the contact, where it went, and where a complaint went."""
    contact = taken.contact
    about = (f"{contact.enquiry_type.name} ({contact.service.name})" if contact.enquiry_type
             else contact.service.name)
    who = f" for {contact.customer}" if contact.customer else " (anonymous caller)"
    message = f"Contact {contact.pk} logged{who}: {about}."
    if taken.chased is not None:
        message += (f" Logged as chasing enquiry {taken.chased.pk} ({taken.chased.team.name}): "
                    f"One & Done, avoidable ({contact.avoidable_reason.name.lower()}).")
    for handoff in taken.handoffs:
        message += (f" Handed off to {handoff.team.name} ({handoff.get_method_display()}), "
                    f"due {handoff.due_date:%A} {long_date(handoff.due_date)}.")
    if taken.possible_repeat is not None:
        message += (f" Flagged as a possible repeat of enquiry {taken.possible_repeat.pk} "
                    f"({taken.possible_repeat.team.name}).")
    lines = [message]
    complaint = taken.complaint
    if complaint is not None and complaint.process == Process.STATUTORY:
        lines.append(f"Complaint {complaint.reference} passed to the social care complaints team: "
                     "statutory complaints are theirs alone, so it will not appear in your lists.")
    elif complaint is not None:
        lines.append(f"Complaint {complaint.reference} logged for the corporate complaints team: "
                     "stage 1, awaiting allocation to an officer.")
    return lines


def _new_customer_url(next_url: str, query: str) -> str:
    params = {"next": next_url}
    if query:
        params["q"] = query
    return f"{reverse('contacts:customer-new')}?{urlencode(params)}"
