"""Complaints pages: the register, logging a complaint, the case page with its actions, letters."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from complaints import documents, selectors
from complaints.forms import (
    ACTION_FORMS,
    BulkAllocateForm,
    ComplaintForm,
    LearningActionFilterForm,
    LearningActionForm,
    LetterForm,
    RegisterFilterForm,
)
from complaints.models import LearningAction, LetterChannel, LetterKind, OmbudsmanRecommendation
from complaints.services import (
    ACTION_SERVICES,
    complaint_create,
    complaint_letter_send,
    complaints_allocate_many,
    learning_action_add,
    learning_action_done,
    ombudsman_recommendation_done,
)
from complaints.transitions import Action, allowed_actions
from contacts.models import Customer
from core.api_errors import StateConflict
from core.models import Service, User
from core.roles import Role, has_role
from core.working_days import calendar
from core.worklists import list_page, sort_by


def _require_complaint_role(user):
    if not has_role(user, *selectors.COMPLAINT_ROLES) and not selectors.complaints_visible_to(user).exists():
        raise Http404("No complaints here.")


def _services():
    return Service.objects.filter(is_active=True).order_by("name", "pk")


def _may_allocate(user) -> bool:
    """Who is offered the register's bulk allocation: whoever runs some complaints (Legal its
    Ombudsman cases). Which complaints each may allocate is the service's rule."""
    return has_role(user, *selectors.COMPLAINT_ROLES)


def register(request, bulk_form=None, selected=(), status=200):
    _require_complaint_role(request.user)
    if bulk_form is None and _may_allocate(request.user):
        bulk_form = BulkAllocateForm(officers=selectors.officers_for_allocation())
    officers = User.objects.filter(
        pk__in=selectors.complaints_visible_to(request.user).exclude(assigned_to=None).values("assigned_to")
    ).order_by("last_name", "first_name", "pk")
    form = RegisterFilterForm(request.GET or None, services=_services(), officers=officers)
    filters = form.cleaned_data if form.is_valid() else {}
    overdue = {"yes": True, "no": False}.get(filters.get("overdue", ""))
    sorting = sort_by(request.GET, selectors.REGISTER_COLUMNS, selectors.REGISTER_DEFAULT_SORT,
                      default_descending=True)
    complaints = selectors.complaints_register(
        request.user, process=filters.get("process", ""), stage=filters.get("stage", ""),
        status=filters.get("status", ""), overdue=overdue, service=filters.get("service", ""),
        officer=filters.get("officer", ""), due_soon=bool(request.GET.get("due_soon")),
        ombudsman=bool(request.GET.get("ombudsman")), q=filters.get("q", ""),
        assigned=filters.get("assigned", ""), order_by=sorting.order_by,
    )
    listing = list_page(complaints, request.GET)
    working_calendar, today = calendar(), timezone.localdate()
    rows = [(complaint, selectors.complaint_clock(complaint, today, working_calendar))
            for complaint in listing.page.object_list]
    return render(request, "complaints/register.html", {
        "form": form, "rows": rows, "listing": listing, "sorting": sorting,
        "count": listing.page.paginator.count,
        "may_create": has_role(request.user, *selectors.COMPLAINT_ROLES),
        "may_list_learning": has_role(request.user, *LEARNING_LIST_ROLES),
        "bulk_form": bulk_form, "selected": set(selected), "query": request.GET.urlencode(),
    }, status=status)


@require_POST
def allocate_selected(request):
    """Allocate the selected complaints to one officer (`services.complaints_allocate_many`),
    then back to the same register page (its filters, sort and page are the `query` field)."""
    _require_complaint_role(request.user)
    if not _may_allocate(request.user):
        raise PermissionDenied
    # The list to go back to, re-encoded: never raw text in a header.
    back = QueryDict(request.POST.get("query", "")[:2000]).urlencode()
    bulk_form = BulkAllocateForm(request.POST, officers=selectors.officers_for_allocation())
    ids = bulk_form.selected_ids()
    if bulk_form.is_valid() and not ids:
        bulk_form.add_error(None, "Select the complaints to allocate.")
    if bulk_form.is_valid():
        officer = bulk_form.cleaned_data["officer"]
        try:
            allocated = complaints_allocate_many(complaint_ids=ids, actor=request.user, officer=officer)
        except ValidationError as error:
            for field, field_errors in error.message_dict.items():
                bulk_form.add_error(field if field in bulk_form.fields else None, field_errors)
        else:
            messages.success(request, f"{len(allocated)} complaint{'s' if len(allocated) != 1 else ''} "
                                      f"allocated to {officer}.")
            return redirect(f"{reverse('complaints:register')}?{back}" if back else "complaints:register")
    request.GET = QueryDict(back)
    return register(request, bulk_form=bulk_form, selected=ids, status=400)


def new(request):
    if not has_role(request.user, *selectors.COMPLAINT_ROLES):
        # At the counter, or in a back-office team, a complaint is taken on the contact screen,
        # so the contact it arrives with is counted once with it (issue 15).
        screen = ("intake:log" if has_role(request.user, Role.ADVISER)
                  else "intake:team-log" if has_role(request.user, Role.BACK_OFFICE) else None)
        if screen is None:
            raise Http404("No complaints here.")
        query = {"complaint": "1"}
        if request.GET.get("customer", "").isdigit():
            query["customer"] = request.GET["customer"]
        return redirect(f"{reverse(screen)}?{urlencode(query)}")
    query = request.GET.get("q", "")
    initial = {"customer": request.GET.get("customer")} if request.GET.get("customer") else {}
    form = ComplaintForm(request.POST or None, initial=initial, services=_services())
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        customer = Customer.objects.active().filter(pk=values["customer"]).first()
        if customer is None:
            form.add_error("customer", "There is no customer with that number.")
        elif not selectors.user_may_create(request.user, values["process"]):
            form.add_error("process", "You may not log this kind of complaint.")
        else:
            try:
                complaint = complaint_create(
                    actor=request.user, customer=customer,
                    service=Service.objects.get(code=values["service"]), summary=values["summary"],
                    process=values["process"], received_at=values["received_at"],
                    via_ombudsman=values["via_ombudsman"],
                    ombudsman_reference=values["ombudsman_reference"],
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, f"Complaint {complaint.reference} logged.")
                if selectors.complaints_visible_to(request.user).filter(pk=complaint.pk).exists():
                    return redirect("complaints:detail", complaint.pk)
                return redirect("complaints:register")
    return render(request, "complaints/new.html", {
        "form": form, "query": query, "matches": selectors.customers_matching(query),
        "chosen": selectors.customer_numbered(str(form["customer"].value() or "")),
    })


def detail(request, complaint_id, action_forms=None, conflict="", learning_form=None):
    complaint = selectors.complaint_for_user(request.user, complaint_id)
    actions = selectors.complaint_actions_for(request.user, complaint)
    forms = action_forms or {}
    officers = selectors.officers_for_allocation(complaint)
    action_panels = [
        {"action": action, "form": forms.get(action) or _action_form(action, None, officers, complaint)}
        for action in actions
    ]
    stages = list(selectors.complaint_stages(complaint))
    current = next((stage for stage in stages if stage.stage == complaint.stage), None)
    letters = [(kind.replace("_", "-"), stage, label)
               for kind, stage, label in selectors.letters_available(complaint)]
    return render(request, "complaints/detail.html", {
        "complaint": complaint, "clock": selectors.complaint_clock(complaint), "stages": stages,
        "awaits_acknowledgement": selectors.complaint_awaits_acknowledgement(complaint, current),
        "events": selectors.complaint_events(complaint), "action_panels": action_panels,
        "conflict": conflict, "letters": letters, "sent_letters": selectors.complaint_letters(complaint),
        **_remedies_and_learning(request, complaint, stages, learning_form),
    }, status=409 if conflict else (400 if action_forms or learning_form else 200))


def _remedies_and_learning(request, complaint, stages, learning_form=None) -> dict:
    """Issue 18: each stage's remedy, the Ombudsman's decision and recommendations, the learning
    actions and the review panel, and what this user may do about them."""
    remedies = selectors.complaint_remedies(complaint)
    may_learn = selectors.user_may_manage_learning(request.user, complaint)
    return {
        "remedy_rows": [(stage, remedies.get(stage.pk)) for stage in stages
                        if stage.responded_at or stage.pk in remedies],
        "ombudsman": selectors.complaint_ombudsman(complaint),
        "may_mark_recommendations": (
            selectors.user_may_act(request.user, complaint, Action.RECOMMENDATION_DONE)
            and Action.RECOMMENDATION_DONE in allowed_actions(complaint)),
        "learning_actions": selectors.complaint_learning_actions(complaint),
        "may_learn": may_learn, "today": timezone.localdate(),
        "learning_form": learning_form or (LearningActionForm(prefix="learning") if may_learn else None),
        "review_panel": selectors.complaint_review_panel(complaint),
    }


def _action_form(action, data, officers, complaint=None):
    form_class = ACTION_FORMS[action]
    if action == Action.ALLOCATE:
        return form_class(data, officers=officers, prefix=action.value)
    if action == Action.REVIEW_PANEL and data is None and complaint is not None:
        panel = selectors.complaint_review_panel(complaint)
        initial = ({"panel_date": panel.panel_date, "members": panel.members,
                    "recommendations": panel.recommendations, "director_decision": panel.director_decision}
                   if panel else {})
        return form_class(data, prefix=action.value, initial=initial)
    return form_class(data, prefix=action.value)


@require_POST
def act(request, complaint_id, action_slug):
    """One workflow action from the case page; refused actions get a clear message (the 409)."""
    complaint = selectors.complaint_for_user(request.user, complaint_id)
    action = Action.from_slug(action_slug)
    if action is None:
        raise Http404("No such action.")
    if not selectors.user_may_act(request.user, complaint, action):
        raise PermissionDenied
    form = _action_form(action, request.POST, selectors.officers_for_allocation(complaint), complaint)
    if not form.is_valid():
        return detail(request, complaint_id, action_forms={action: form})
    values = form.service_values() if hasattr(form, "service_values") else dict(form.cleaned_data)
    if action == Action.ALLOCATE:
        values["officer"] = User.objects.filter(username=values["officer"]).first()
    try:
        complaint = ACTION_SERVICES[action](complaint=complaint, actor=request.user, **values)
    except StateConflict as conflict:
        return detail(request, complaint_id, conflict=str(conflict))
    except ValidationError as error:
        _add_errors(form, error)
        return detail(request, complaint_id, action_forms={action: form})
    messages.success(request, f"{action.label}: done.")
    if not selectors.complaints_visible_to(request.user).filter(pk=complaint.pk).exists():
        return redirect("complaints:register")  # reclassified out of this user's sight
    return redirect("complaints:detail", complaint.pk)


def letter(request, complaint_id, kind, stage):
    """The edit step: the letter as its template words it, for the officer to change and send."""
    complaint = selectors.complaint_for_user(request.user, complaint_id)
    kind = kind.replace("-", "_")
    if kind not in LetterKind.values:
        raise Http404("No such letter.")
    draft = selectors.letter_draft(complaint, kind, stage)
    if draft is None:
        raise Http404("That letter cannot be sent yet.")
    may_send = selectors.user_may_send_letters(request.user, complaint)
    customer = complaint.customer
    form = LetterForm(request.POST or None, initial={
        "subject": draft["subject"], "body": draft["body"],
        "channel": LetterChannel.EMAIL if customer.email else LetterChannel.POST})
    status = 200
    if request.method == "POST":
        if not may_send:
            raise PermissionDenied
        status = 400
        if form.is_valid():
            try:
                sent = complaint_letter_send(complaint=complaint, actor=request.user, kind=kind, stage=stage,
                                             **form.cleaned_data)
            except StateConflict as conflict:
                form.add_error(None, str(conflict))
                status = 409
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, f"{sent.get_kind_display()} letter sent by "
                                          f"{sent.get_channel_display().lower()}.")
                return redirect("complaints:letter-sent", complaint.pk, sent.pk)
    return render(request, "complaints/letter_edit.html", {
        "complaint": complaint, "form": form, "kind_label": LetterKind(kind).label, "stage": stage,
        "may_send": may_send, "letterhead": selectors.letter_letterhead(),
    }, status=status)


def letter_sent(request, complaint_id, letter_id):
    """A letter as it was sent, as a document: print it, or download its PDF."""
    complaint = selectors.complaint_for_user(request.user, complaint_id)
    sent, delivery = next(((letter, delivery) for letter, delivery in selectors.complaint_letters(complaint)
                           if letter.pk == letter_id), (None, None))
    if sent is None:
        raise Http404("No such letter on this complaint.")
    return render(request, "complaints/letter_sent.html", {
        "complaint": complaint, "letter": sent, "letterhead": selectors.letter_letterhead(),
        "delivery": delivery,
        "paragraphs": [part.strip() for part in sent.body.split("\n\n") if part.strip()],
        "address_lines": sent.recipient_address.splitlines(),
    })


def letter_pdf(request, complaint_id, letter_id):
    complaint = selectors.complaint_for_user(request.user, complaint_id)
    sent = get_object_or_404(complaint.letters.select_related("complaint"), pk=letter_id)
    response = HttpResponse(documents.letter_pdf(sent), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{documents.letter_filename(sent)}"'
    return response


# A service's field that the form asks for in parts: its errors go on the part the summary links to.
_FORM_FIELD = {"received_at": "received_date"}


def _add_errors(form, error: ValidationError):
    for field, messages_ in error.message_dict.items():
        field = _FORM_FIELD.get(field, field)
        form.add_error(field if field in form.fields else None, messages_)


# --- The Ombudsman's recommendations and learning actions (issue 18, items 2 and 3) ------------


@require_POST
def recommendation_done(request, complaint_id, recommendation_id):
    """Mark one of the Ombudsman's recommendations done, from the case page."""
    complaint = selectors.complaint_for_user(request.user, complaint_id)
    if not selectors.user_may_act(request.user, complaint, Action.RECOMMENDATION_DONE):
        raise PermissionDenied
    try:
        ombudsman_recommendation_done(complaint=complaint, actor=request.user,
                                      recommendation=recommendation_id)
    except OmbudsmanRecommendation.DoesNotExist as missing:
        raise Http404("No such recommendation.") from missing
    except StateConflict as conflict:
        return detail(request, complaint_id, conflict=str(conflict))
    messages.success(request, "Recommendation recorded as done.")
    return redirect("complaints:detail", complaint.pk)


@require_POST
def learning_action_new(request, complaint_id):
    """A lesson learned becomes an action with an owner and a due date, from the case page."""
    complaint = selectors.complaint_for_user(request.user, complaint_id)
    if not selectors.user_may_manage_learning(request.user, complaint):
        raise PermissionDenied
    form = LearningActionForm(request.POST, prefix="learning")
    if form.is_valid():
        values = form.cleaned_data
        try:
            learning_action_add(complaint=complaint, actor=request.user, action=values["action"],
                                owner=User.objects.filter(username=values["owner"]).first(),
                                due_date=values["due_date"])
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                field = {"learning_action": "action", "learning_owner": "owner",
                         "learning_due_date": "due_date"}.get(field, field)
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, "Learning action added.")
            return redirect("complaints:detail", complaint.pk)
    return detail(request, complaint_id, learning_form=form)


@require_POST
def learning_action_mark_done(request, complaint_id, action_id):
    complaint = selectors.complaint_for_user(request.user, complaint_id)
    if not selectors.user_may_manage_learning(request.user, complaint):
        raise PermissionDenied
    item = get_object_or_404(LearningAction, complaint=complaint, pk=action_id)
    learning_action_done(learning_action=item, actor=request.user)
    messages.success(request, "Learning action recorded as done.")
    return redirect("complaints:detail", complaint.pk)


LEARNING_LIST_ROLES = (Role.MANAGER, Role.ADMIN, Role.COMPLAINTS_OFFICER, Role.SOCIAL_CARE_COMPLAINTS)


def learning_actions(request):
    """Managers' list of the actions from lessons learned, by service: open, overdue or done."""
    if not has_role(request.user, *LEARNING_LIST_ROLES):
        raise Http404("No learning actions here.")
    form = LearningActionFilterForm(request.GET or None, services=_services())
    filters = form.cleaned_data if form.is_valid() else {}
    today = timezone.localdate()
    actions = selectors.learning_actions_for_managers(
        request.user, service=filters.get("service", ""), state=filters.get("state", ""), today=today)
    listing = list_page(actions, request.GET)
    return render(request, "complaints/learning_actions.html", {
        "form": form, "listing": listing, "today": today, "count": listing.page.paginator.count,
    })

