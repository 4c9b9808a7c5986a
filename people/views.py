"""People change pages: who holds open work, and passing one officer's work on."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from core.models import User
from people import selectors
from people.forms import ReassignForm
from people.services import officer_work_reassign


def _require_manager(user):
    if not selectors.may_manage_people(user):
        raise PermissionDenied


def staff(request):
    _require_manager(request.user)
    return render(request, "people/staff.html", {"rows": selectors.officers_with_open_work()})


def reassign(request, user_id: int):
    _require_manager(request.user)
    officer = get_object_or_404(User, pk=user_id)
    choices = selectors.new_owner_choices(officer)
    form = ReassignForm(request.POST or None, officers=choices)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            new_officer = choices.filter(pk=form.cleaned_data["new_officer"]).first()
            try:
                moved = officer_work_reassign(actor=request.user, officer=officer, new_officer=new_officer)
            except ValidationError as error:
                for message in error.messages:
                    form.add_error("new_officer", message)
            else:
                messages.success(request, _moved_message(moved, officer, new_officer))
                return redirect("people:staff")
    return render(request, "people/reassign.html", {
        "officer": officer, "form": form, **selectors.officer_open_work(officer, request.user),
    }, status=status)


def _moved_message(moved: dict, officer, new_officer) -> str:
    """"2 complaints and 1 hand-off passed from A to B. B is now the customer's advocate on 1
    hand-off. B has been told.", naming only what moved."""
    cases = [_count(moved[key], noun) for key, noun in (("complaints", "complaint"), ("handoffs", "hand-off"))
             if moved[key]]
    sentences = [f"{' and '.join(cases)} passed from {officer} to {new_officer}."] if cases else []
    if moved["advocated"]:
        sentences.append(f"{new_officer} is now the customer's advocate on "
                         f"{_count(moved['advocated'], 'hand-off')} instead of {officer}.")
    return " ".join([*sentences, f"{new_officer} has been told."])


def _count(items, noun: str) -> str:
    return f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"
