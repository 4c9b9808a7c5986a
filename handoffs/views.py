"""Hand-off pages: the team queue, the hand-off detail with its actions, the advocate's list.

Each view checks the role, reads through a selector and makes one service call; records the
user may not see answer 404.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from contacts.photos import CONTENT_TYPES, photo_content
from core.api_errors import StateConflict
from core.roles import Role, has_role
from core.worklists import list_page, sort_by
from handoffs import selectors, services
from handoffs.forms import BulkAssignForm, QueueFilterForm, ReassignForm, ResolveForm, SearchForm, UpdateForm
from handoffs.models import Handoff

QUEUE_ROLES = (Role.BACK_OFFICE, Role.MANAGER, Role.ADMIN)


def _queue_context(request, form, bulk_form=None) -> dict:
    teams = list(selectors.team_queue_teams(request.user))
    filters = selectors.QueueFilters(**form.cleaned_data) if form.is_valid() else selectors.QueueFilters()
    sorting = sort_by(request.GET, selectors.QUEUE_COLUMNS, selectors.QUEUE_DEFAULT_SORT)
    handoffs = selectors.handoff_list(request.user, filters, unresolved_only=True,
                                      order_by=sorting.order_by)
    if not has_role(request.user, Role.MANAGER, Role.ADMIN):
        handoffs = handoffs.filter(team__in=teams)
    led = selectors.teams_led_by(request.user)
    may_assign = led.exists()
    if may_assign and bulk_form is None:
        bulk_form = BulkAssignForm(officers=selectors.assignable_officers(led))
    listing = list_page(handoffs, request.GET)
    return {
        "form": form, "listing": listing, "page": listing.page, "sorting": sorting,
        "teams": teams, "bulk_form": bulk_form if may_assign else None,
        "can_claim": has_role(request.user, Role.BACK_OFFICE, Role.MANAGER, Role.ADMIN),
        "query": request.GET.urlencode(),
    }


def team_queue(request):
    """The back-office queue: the user's teams' unresolved hand-offs, soonest due first; search,
    filters and sort in the address; a team lead assigns the selected ones (issue 20)."""
    if not has_role(request.user, *QUEUE_ROLES):
        raise Http404
    form = QueueFilterForm(request.GET or None, teams=list(selectors.team_queue_teams(request.user)))
    return render(request, "handoffs/queue.html", _queue_context(request, form))


@require_POST
def bulk_assign(request):
    """Assign the selected hand-offs to one officer (`services.handoffs_assign`), then back to the
    same list (its filters, sort and page are the `next` query string)."""
    if not has_role(request.user, *QUEUE_ROLES):
        raise Http404
    led = selectors.teams_led_by(request.user)
    if not led.exists():
        raise PermissionDenied
    # The list to go back to (its filters, sort and page), re-encoded: never raw text in a header.
    back = QueryDict(request.POST.get("query", "")[:2000]).urlencode()
    bulk_form = BulkAssignForm(request.POST, officers=selectors.assignable_officers(led))
    ids = bulk_form.selected_ids()
    if bulk_form.is_valid() and not ids:
        bulk_form.add_error(None, "Select the hand-offs to assign.")
    if bulk_form.is_valid():
        try:
            assigned = services.handoffs_assign(handoff_ids=ids, actor=request.user,
                                                officer=bulk_form.cleaned_data["officer"])
        except StateConflict as conflict:
            bulk_form.add_error(None, str(conflict))
        except ValidationError as error:
            for field, field_errors in error.message_dict.items():
                bulk_form.add_error(field if field in bulk_form.fields else None, field_errors)
        else:
            officer = bulk_form.cleaned_data["officer"]
            messages.success(request, f"{len(assigned)} hand-off{'s' if len(assigned) != 1 else ''} "
                                      f"assigned to {officer}.")
            return redirect(f"{reverse('handoffs:queue')}?{back}" if back else "handoffs:queue")
    request.GET = QueryDict(back)
    form = QueueFilterForm(request.GET or None, teams=list(selectors.team_queue_teams(request.user)))
    context = _queue_context(request, form, bulk_form)
    context["selected"] = set(ids)
    return render(request, "handoffs/queue.html", context, status=400)


def advocate_list(request):
    """The adviser's open Customer Advocate cases (issue 4, "the advocate's list"), searchable and
    sortable as the team queue (issue 20)."""
    if not has_role(request.user, Role.ADVISER, Role.MANAGER, Role.ADMIN):
        raise Http404
    search = SearchForm(request.GET or None)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    sorting = sort_by(request.GET, selectors.QUEUE_COLUMNS, selectors.QUEUE_DEFAULT_SORT)
    cases = selectors.advocate_cases(request.user, q=query, order_by=sorting.order_by)
    listing = list_page(cases, request.GET)
    return render(request, "handoffs/advocate_list.html", {
        "form": search, "query": query, "listing": listing, "page": listing.page, "sorting": sorting,
    })


def _visible(request, handoff_id: int) -> Handoff:
    try:
        return selectors.handoff_detail(request.user, handoff_id)
    except Handoff.DoesNotExist:
        raise Http404 from None


def _forms(handoff, data=None, which=None):
    def bound(name):
        return data if which == name else None

    return {
        "update_form": UpdateForm(bound("update"), prefix="update"),
        "reassign_form": ReassignForm(bound("reassign"), prefix="reassign",
                                      officers=selectors.team_officers(handoff)),
        "resolve_form": ResolveForm(bound("resolve"), prefix="resolve"),
    }


def _detail(request, handoff, forms, status=200):
    return render(request, "handoffs/detail.html", {
        "handoff": handoff,
        "contact": handoff.contact,
        "timeline": selectors.handoff_timeline(handoff),
        "photos": list(selectors.handoff_photos(handoff)),
        "actions": selectors.handoff_actions_for(request.user, handoff),
        **forms,
    }, status=status)


def handoff_detail(request, handoff_id: int):
    handoff = _visible(request, handoff_id)
    return _detail(request, handoff, _forms(handoff))


@require_GET
def handoff_photo(request, handoff_id: int, photo_id: int):
    """A photo the hand-off's contact arrived with, to those who may see the hand-off (its
    receiving team, managers and admins, the advocate: `selectors.handoffs_visible_to`); 404 for
    anyone else, and for a photo of another contact or one erased. Never cached, never guessed
    at by the browser (the stored file was re-encoded from its pixels: contacts/photos.py)."""
    handoff = _visible(request, handoff_id)
    photo = selectors.handoff_photos(handoff).filter(pk=photo_id).first()
    content = photo_content(photo) if photo is not None else None
    if content is None:
        raise Http404
    response = HttpResponse(content, content_type=CONTENT_TYPES[photo.format])
    response["Content-Disposition"] = (f'inline; filename="handoff-{handoff.pk}-photo-{photo.position}.'
                                       f'{photo.file_name.rsplit(".", 1)[-1]}"')
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _act(request, handoff_id: int, action: str, form_name: str | None, perform, done: str):
    """Check the user may take `action`, validate its form, call the service; a refused state
    change comes back as a message, invalid input as the form's errors."""
    handoff = _visible(request, handoff_id)
    if action not in selectors.handoff_actions_for(request.user, handoff):
        if selectors.handoff_can(request.user, handoff, action):
            messages.error(request, f"This hand-off is {handoff.get_status_display().lower()}: "
                                    f"that is no longer possible.")
            return redirect("handoffs:detail", handoff_id=handoff.pk)
        # They can see the hand-off (an advocate following it) but this action is not theirs.
        raise PermissionDenied
    forms = _forms(handoff, request.POST, form_name)
    form = forms.get(f"{form_name}_form") if form_name else None
    if form is not None and not form.is_valid():
        return _detail(request, handoff, forms, status=400)
    try:
        perform(handoff, form.cleaned_data if form is not None else {})
    except StateConflict as conflict:
        messages.error(request, str(conflict))
        return redirect("handoffs:detail", handoff_id=handoff.pk)
    except ValidationError as error:
        if form is None:
            raise
        for field, field_errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
        return _detail(request, handoff, forms, status=400)
    messages.success(request, done)
    return redirect("handoffs:detail", handoff_id=handoff.pk)


@require_POST
def handoff_accept(request, handoff_id: int):
    return _act(request, handoff_id, "accept", None,
                lambda h, _: services.handoff_accept(handoff=h, actor=request.user),
                "You have accepted this hand-off.")


@require_POST
def handoff_update(request, handoff_id: int):
    return _act(request, handoff_id, "update", "update",
                lambda h, data: services.handoff_add_update(
                    handoff=h, actor=request.user, note=data["note"],
                    customer_informed=data["customer_informed"],
                    informed_via=data["informed_via"] if data["customer_informed"] else ""),
                "Update added.")


@require_POST
def handoff_reassign(request, handoff_id: int):
    return _act(request, handoff_id, "reassign", "reassign",
                lambda h, data: services.handoff_reassign(
                    handoff=h, actor=request.user, officer=data["officer"], note=data["note"]),
                "Hand-off reassigned.")


@require_POST
def handoff_resolve(request, handoff_id: int):
    return _act(request, handoff_id, "resolve", "resolve",
                lambda h, data: services.handoff_resolve(handoff=h, actor=request.user,
                                                         outcome=data["outcome"]),
                "Hand-off resolved.")
