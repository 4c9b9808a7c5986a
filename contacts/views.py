"""Contacts pages: customers (search, create, 360, rectify), a contact, the day's repeat contacts.
The pages that take contacts are the intake's (`intake.views`).

Who may do what (issue 3, "Roles"; the role sets are in `contacts.selectors`):
- create customers and correct their details: advisers, managers, admins and the complaints
  officers, who log complaints for customers who may be new to the system;
- find and view customers, their timeline and their contacts: every member of staff (back office,
  complaints, legal need the customer's story); what each app shows on the timeline is that app's
  own visibility rule;
- partner systems reach no page (core.middleware), only the API.
Pages a role may not use answer 403; records that do not exist, 404.
"""

import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import BooleanField
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_http_methods, require_POST

from contacts import normalise, privacy, selectors, services
from contacts.forms import AddressLookupForm, CustomerForm, RectificationForm, SearchForm
from contacts.models import Contact, Customer, CustomerMerge, MessageChannel, PersonalDataRequest
from core.api_errors import StateConflict
from core.messages import message_state
from core.navigation import contact_entries, customer_actions, timeline_for, timeline_notes
from core.roles import Role, has_role
from core.worklists import list_page


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _customer_or_404(customer_id) -> Customer:
    try:
        return selectors.customer_detail(int(customer_id))
    except (Customer.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


# A service's field that the form names otherwise: its errors go on the form's field, so that the
# error summary links to it (a future date of birth).
_FORM_FIELD = {"date_of_birth": "dob"}


def _add_service_errors(form, error: ValidationError) -> None:
    """A service's ValidationError onto the form: its fields where the form has them."""
    for field, messages_ in error.message_dict.items():
        field = _FORM_FIELD.get(field, field)
        form.add_error(field if field in form.fields else None, messages_)


# --- Customers ---------------------------------------------------------------------------------


class CappedPaginator(Paginator):
    """Pages of at most `cap` results, counting no further than cap + 1 (issue 9): counting every
    customer called Smith among a million costs more than the page itself, and no adviser pages
    through 1,000 of them. `capped` says there were more; the page asks for more of the name.

    The order is the search's own (`customer_search` on PostgreSQL reads its parts in turn, with
    no outer ORDER BY), so the unordered-list warning does not apply."""

    def __init__(self, object_list, per_page, cap: int = selectors.SEARCH_LIMIT, **kwargs):
        self.cap = cap
        super().__init__(object_list, per_page, **kwargs)

    def _check_object_list_is_ordered(self):
        pass

    @cached_property
    def _capped_count(self) -> int:
        # Only the ids are read; on PostgreSQL a common surname stops after cap + 1 index rows.
        return self.object_list.values("pk")[:self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._capped_count, self.cap)

    @cached_property
    def capped(self) -> bool:
        return self._capped_count > self.cap


def customer_list(request):
    """Find a customer by name, postcode, phone, email or UPRN."""
    _require(selectors.can_view_customers(request.user))
    search = SearchForm(request.GET)
    query = search.cleaned_data.get("q", "") if search.is_valid() else ""
    page = listing = None
    if query:
        listing = list_page(None, request.GET,
                            paginator=CappedPaginator(selectors.customer_search(query), 50))
        page = listing.page
    return render(request, "contacts/customer_list.html", {
        "search": search, "query": query, "page": page, "listing": listing,
        "can_create": selectors.can_edit_customers(request.user),
        "new_customer_url": f"{reverse('contacts:customer-new')}?{urlencode({'q': query})}"
        if query else reverse("contacts:customer-new"),
    })


def _prefill_from_query(query: str) -> dict:
    """What an adviser searched for, as the start of the new customer's details."""
    query = " ".join((query or "").split())
    if not query:
        return {}
    if "@" in query:
        return {"email": query}
    if normalise.is_postcode(query):
        return {"postcode": normalise.postcode(query)}
    if normalise.looks_like_phone_or_uprn(query):
        return {"phone": query}
    if re.search(r"\d", query):
        return {}
    first, _, last = query.rpartition(" ")
    return {"first_name": first.title(), "last_name": last.title()} if first else {
        "last_name": query.title()}


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return ""


def _address_lookup_step(request, context: dict):
    """The postcode lookup's buttons ("Find address", "Use this address"): the page comes back
    with what was typed kept, nothing saved, and the chosen address and UPRN filled in."""
    choosing = "use_address" in request.POST
    lookup = AddressLookupForm(request.POST, choosing=choosing)
    data = request.POST
    initial = {name: data.get(name, "") for name in CustomerForm.DETAIL_FIELDS}
    initial["is_vulnerable"] = bool(data.get("is_vulnerable"))
    initial["dob"] = [data.get(f"dob_{part}", "") for part in ("day", "month", "year")]
    focus = "address"
    if lookup.is_valid() and choosing:
        address = lookup.chosen()
        initial.update(address_line_1=address.address_line_1, address_line_2=address.address_line_2,
                       town=address.town, postcode=address.postcode, uprn=address.uprn)
        lookup, focus = AddressLookupForm(), "address_line_1"
    return render(request, "contacts/customer_form.html", {
        **context, "form": CustomerForm(initial=initial), "lookup": lookup, "lookup_focus": focus,
    }, status=400 if lookup.errors else 200)


def customer_new(request):
    """Create a customer, warning of possible duplicates first (the adviser may pick one of
    them or go on). With ?next=, return there with ?customer=<id>, e.g. to the adviser screen."""
    _require(selectors.can_edit_customers(request.user))
    next_url = _safe_next(request)
    duplicates = []
    if request.method == "POST" and ("find_address" in request.POST or "use_address" in request.POST):
        return _address_lookup_step(request, {"duplicates": [], "next_url": next_url, "customer": None})
    if request.method == "POST":
        form = CustomerForm(request.POST)
        if form.is_valid():
            fields = form.customer_fields()
            if request.POST.get("confirm_new") != "1":
                duplicates = selectors.customer_possible_duplicates(
                    first_name=fields["first_name"], last_name=fields["last_name"],
                    email=fields["email"], phone=fields["phone"], postcode=fields["postcode"],
                    date_of_birth=fields["date_of_birth"])
            if not duplicates:
                try:
                    customer = services.customer_create(actor=request.user, **fields)
                except ValidationError as error:
                    _add_service_errors(form, error)
                else:
                    messages.success(request, f"Customer {customer} added.")
                    if next_url:
                        separator = "&" if "?" in next_url else "?"
                        return redirect(f"{next_url}{separator}customer={customer.pk}")
                    return redirect("contacts:customer", customer_id=customer.pk)
    else:
        form = CustomerForm(initial=_prefill_from_query(request.GET.get("q", "")))
    return render(request, "contacts/customer_form.html", {
        "form": form, "duplicates": duplicates, "next_url": next_url, "customer": None,
        "lookup": AddressLookupForm(),
    }, status=400 if form.errors else 200)


def customer_edit(request, customer_id: int):
    """Correct a customer's details (rectification)."""
    _require(selectors.can_edit_customers(request.user))
    customer = _customer_or_404(customer_id)
    if request.method == "POST" and ("find_address" in request.POST or "use_address" in request.POST):
        return _address_lookup_step(request, {"duplicates": [], "next_url": "", "customer": customer})
    if request.method == "POST":
        form = CustomerForm(request.POST)
        if form.is_valid():
            try:
                services.customer_update(customer=customer, actor=request.user,
                                         **form.customer_fields())
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(request, f"Details of {customer} saved.")
                return redirect("contacts:customer", customer_id=customer.pk)
    else:
        form = CustomerForm(initial=CustomerForm.initial_for(customer))
    return render(request, "contacts/customer_form.html", {
        "form": form, "customer": customer, "duplicates": [], "next_url": "",
        "lookup": AddressLookupForm(),
    }, status=400 if form.errors else 200)


def customer_detail(request, customer_id: int):
    """Customer 360: their details and everything the council holds about them on one
    timeline, newest first, open items highlighted (issue 3, "Customer 360")."""
    _require(selectors.can_view_customers(request.user))
    if Customer.objects.filter(pk=customer_id, merged_into__isnull=False).exists():
        survivor = selectors.customer_current(customer_id)
        if survivor is not None:  # merged into another record (issue 20): its old id leads there
            return redirect("contacts:customer", customer_id=survivor.pk)
    customer = _customer_or_404(customer_id)
    privacy.customer_viewed(actor=request.user, customer=customer, request=request)
    may_merge = selectors.can_merge_customers(request.user)
    return render(request, "contacts/customer_detail.html", {
        "duplicates": selectors.customer_duplicates(customer, limit=5),
        "may_merge": may_merge,
        "merges": [m for m in selectors.customer_merges_of(customer)[:5]
                   if selectors.customer_merge_undoable(m)] if may_merge else [],
        "customer": customer,
        "timeline": [(entry, entry.status.replace("_", " ").capitalize())
                     for entry in timeline_for(customer, request.user)],
        "timeline_notes": timeline_notes(customer, request.user),
        "actions": customer_actions(customer, request.user),
        "can_edit": selectors.can_edit_customers(request.user),
        "can_export": selectors.can_export_personal_data(request.user),
        "can_record_requests": has_role(request.user, Role.ADMIN),
        "customer_messages": [(message, message_state(message))
                              for message in selectors.customer_messages(customer)[:MESSAGES_SHOWN]],
        "update_channel": _label(MessageChannel, services.customer_message_channel(customer)),
    })


MESSAGES_SHOWN = 20


def _label(choices, value) -> str:
    return choices(value).label if value else ""


def _merge_rows(survivor: Customer, other: Customer) -> list[dict]:
    rows = []
    for name in services.MERGE_FIELDS:
        field = Customer._meta.get_field(name)
        left, right = getattr(survivor, name), getattr(other, name)
        rows.append({"name": name, "label": field.verbose_name.capitalize().replace("Uprn", "UPRN"),
                     "left": _shown(survivor, name), "right": _shown(other, name),
                     "differs": left != right, "left_empty": left in ("", None)})
    return rows


def _shown(customer: Customer, name: str) -> str:
    value = getattr(customer, name)
    field = Customer._meta.get_field(name)
    if name == "date_of_birth":
        return value.strftime("%-d %B %Y") if value else ""
    if isinstance(field, BooleanField):
        return "Yes" if value else "No"
    if field.choices:
        return getattr(customer, f"get_{name}_display")()
    return value or ""


def customer_merge(request, customer_id: int, other_id: int):
    """Compare two records side by side and merge them (issue 20): the user keeps one record
    number, picks each differing detail from either side, and every contact, hand-off,
    complaint, survey and message moves to the record kept. Managers and admins only."""
    _require(selectors.can_merge_customers(request.user))
    one, other = _customer_or_404(customer_id), _customer_or_404(other_id)
    if one.pk == other.pk:
        raise Http404
    errors = {}
    if request.method == "POST":
        keep = request.POST.get("keep", "")
        if keep not in (str(one.pk), str(other.pk)):
            errors["keep"] = "Select the record to keep."
        else:
            survivor, merged = (one, other) if keep == str(one.pk) else (other, one)
            take = [name for name in services.MERGE_FIELDS
                    if request.POST.get(f"field-{name}") == str(merged.pk)]
            try:
                merge = services.customer_merge(survivor=survivor, merged=merged, actor=request.user,
                                                take_from_merged=take)
            except StateConflict as conflict:
                errors["keep"] = str(conflict)
            except ValidationError as error:
                errors["keep"] = " ".join(error.messages)
            else:
                moved = sum(len(ids) for ids in merge.moved.values())
                messages.success(request, f"Customer {merged.pk} merged into {survivor.pk}: "
                                          f"{moved} record{'s' if moved != 1 else ''} moved. You can "
                                          f"undo this for {settings.CUSTOMER_MERGE_UNDO_DAYS} days.")
                return redirect("contacts:customer", customer_id=survivor.pk)
    score, agrees = selectors.duplicate_score(one, other)
    return render(request, "contacts/customer_merge.html", {
        "one": one, "other": other, "rows": _merge_rows(one, other), "errors": errors,
        "reasons": ", ".join(selectors.DUPLICATE_REASONS[a] for a in agrees), "score": score,
        "related": {"one": selectors.customer_related_rows(one),
                    "other": selectors.customer_related_rows(other)},
        "posted": request.POST if request.method == "POST" else None,
        "undo_days": settings.CUSTOMER_MERGE_UNDO_DAYS,
    }, status=400 if errors else 200)


@require_POST
def customer_merge_undo(request, merge_id: int):
    """Undo a merge within CUSTOMER_MERGE_UNDO_DAYS (managers and admins)."""
    _require(selectors.can_merge_customers(request.user))
    merge = CustomerMerge.objects.filter(pk=merge_id).first()
    if merge is None:
        raise Http404
    try:
        services.customer_merge_undo(merge=merge, actor=request.user)
    except StateConflict as conflict:
        messages.error(request, str(conflict))
    else:
        messages.success(request, f"Merge undone: customer {merge.merged_id} is a record of its own again.")
    return redirect("contacts:customer", customer_id=merge.survivor_id)


def customer_export(request, customer_id: int):
    """Subject access export (UK GDPR article 15; issue 17): a manager or admin asks for
    everything held about the customer; a Celery task builds the ZIP (JSON and a readable HTML
    page) and the requester downloads it once, before it expires. Every step is audited."""
    _require(selectors.can_export_personal_data(request.user))
    customer = _customer_or_404(customer_id)
    if request.method == "POST":
        privacy.subject_access_request(actor=request.user, customer=customer, request=request)
        messages.success(request, "Export asked for. It is being prepared: this page shows when "
                                  "it is ready to download.")
        return redirect("contacts:customer-export", customer_id=customer.pk)
    return render(request, "contacts/subject_access.html", {
        "customer": customer, "exports": privacy.subject_access_exports_for(customer, request.user),
        "now": timezone.now(), "window": privacy.download_window(),
    })


def export_download(request, export_id: int):
    """The requester's one download of a ready export; afterwards, or for anyone else, a page
    that says why there is nothing to download."""
    _require(selectors.can_export_personal_data(request.user))
    try:
        filename, archive = privacy.subject_access_download(actor=request.user, export_id=export_id,
                                                            request=request)
    except privacy.ExportNotFound:
        raise Http404 from None
    except privacy.ExportUnavailable as unavailable:
        return render(request, "contacts/subject_access_unavailable.html",
                      {"reason": str(unavailable)}, status=410)
    response = HttpResponse(archive, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _admin_only(request) -> None:
    _require(has_role(request.user, Role.ADMIN))


def erasure_new(request, customer_id: int):
    """An admin records a customer's request to erase their data (UK GDPR article 17): nothing
    changes until they have seen what would be erased and confirmed it."""
    _admin_only(request)
    customer = _customer_or_404(customer_id)
    if request.method == "POST":
        data_request = privacy.personal_data_request_record(
            actor=request.user, customer=customer, kind=PersonalDataRequest.Kind.ERASURE, request=request)
        return redirect("contacts:personal-data-request", request_id=data_request.pk)
    return render(request, "contacts/erasure_new.html", {"customer": customer})


def rectification_new(request, customer_id: int):
    """An admin records the corrections a customer asked for (UK GDPR article 16); the next page
    shows every place the old details were copied to before anything changes."""
    _admin_only(request)
    customer = _customer_or_404(customer_id)
    if request.method == "POST":
        form = RectificationForm(request.POST)
        if form.is_valid():
            try:
                data_request = privacy.personal_data_request_record(
                    actor=request.user, customer=customer, kind=PersonalDataRequest.Kind.RECTIFICATION,
                    corrections=form.cleaned_data, request=request)
            except ValidationError as error:
                for name, messages_ in error.message_dict.items():
                    for message in messages_:
                        form.add_error(name if name in form.fields else None, message)
            else:
                return redirect("contacts:personal-data-request", request_id=data_request.pk)
    else:
        form = RectificationForm(initial=RectificationForm.initial_for(customer))
    return render(request, "contacts/rectification_new.html", {"customer": customer, "form": form},
                  status=400 if form.errors else 200)


def personal_data_request(request, request_id: int):
    """The preview of a recorded request (what would be erased, restricted or corrected, and
    where, and why anything is kept), with Confirm and Cancel; afterwards, what was done."""
    _admin_only(request)
    try:
        data_request = (PersonalDataRequest.objects.select_related("customer", "recorded_by", "completed_by")
                        .get(pk=request_id))
    except PersonalDataRequest.DoesNotExist:
        raise Http404 from None
    if request.method == "POST":
        try:
            if request.POST.get("action") == "cancel":
                privacy.personal_data_request_cancel(actor=request.user, data_request=data_request,
                                                     request=request)
                messages.success(request, f"Request {data_request.reference} cancelled. Nothing was changed.")
            else:
                privacy.personal_data_request_confirm(actor=request.user, data_request=data_request,
                                                      request=request)
                messages.success(request, f"Request {data_request.reference} done.")
        except privacy.RequestClosed as closed:
            messages.error(request, str(closed))
        return redirect("contacts:personal-data-request", request_id=data_request.pk)
    preview = None
    if data_request.status == PersonalDataRequest.Status.AWAITING_CONFIRMATION:
        preview = privacy.personal_data_request_preview(data_request)
    return render(request, "contacts/personal_data_request.html", {
        "data_request": data_request, "customer": data_request.customer, "preview": preview,
        "outcome": privacy.outcome_lines(data_request),
    })


# --- Contacts ----------------------------------------------------------------------------------


def contact_detail(request, contact_id: int):
    _require(selectors.can_view_customers(request.user))
    try:
        contact = selectors.contact_detail(request.user, contact_id)
    except Contact.DoesNotExist:
        raise Http404 from None
    return render(request, "contacts/contact_detail.html", {
        "contact": contact,
        "entries": [(entry, entry.status.replace("_", " ").capitalize())
                    for entry in contact_entries(contact, request.user)],
    })


def repeat_contacts(request):
    """Today's repeat contacts, declared chases and suspected repeats: an adviser's (or a
    back-office officer's) own, or everyone's for managers."""
    _require(selectors.can_log_contacts(request.user))
    today = timezone.localdate()
    return render(request, "contacts/repeats.html", {
        "contacts": selectors.repeat_contacts_on(today, request.user)[:500], "today": today,
    })


@login_not_required
@require_http_methods(["GET", "POST"])
def stop_messages(request, token: str):
    """The opt-out link in every update (issue 19): public, found by its signed token alone. The
    GET only asks, so a mail scanner following the link stops nothing; the button does."""
    found = services.opt_out_read(token)
    if found is None:
        return render(request, "contacts/stop_messages.html", {"customer": None}, status=404)
    customer, channel = found
    done = request.method == "POST"
    if done:
        services.customer_opt_out(customer=customer, channel=channel)
    return render(request, "contacts/stop_messages.html", {
        "customer": customer, "done": done, "channel_label": MessageChannel(channel).label})
