"""Resident self service pages (issue 10): public, one question per page, answers kept in the
session until the resident checks them and sends. No staff login (core.middleware exempts
/self-service/); CSRF stays on."""

from dataclasses import asdict, dataclass

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from contacts import photos
from core import personal_data
from selfservice import forms, selectors, throttle
from selfservice.models import Kind
from selfservice.services import Answers, ReportPlace, submission_create

SESSION_ANSWERS = "selfservice_answers"
SESSION_DONE = "selfservice_reference"
# Nothing a resident types here comes near this; a bigger body is refused unread.
MAX_BODY_BYTES = 16 * 1024
# The photos page: its photos at their largest, and room for the form around them. One file too
# big is a field error; a body beyond this is refused unread.
PHOTOS_MAX_BODY_BYTES = photos.PHOTO_MAX_COUNT * photos.PHOTO_MAX_BYTES + 64 * 1024


@dataclass(frozen=True)
class Step:
    form: type
    question: dict  # by kind, "" for all
    hint: str = ""


STEPS = {
    "what": Step(forms.KindForm, {"": "What do you want to do?"}),
    "which": Step(forms.OfferForm, {Kind.PROBLEM: "What do you want to report?",
                                    Kind.REQUEST: "What do you want to ask for?"}),
    "service": Step(forms.ComplaintServiceForm, {"": "Which service is your complaint about?"}),
    "details": Step(forms.DetailsForm, {Kind.PROBLEM: "Tell us about the problem",
                                        Kind.REQUEST: "Tell us what you need",
                                        Kind.COMPLAINT: "What is your complaint about?"},
                    "Do not include bank details or medical information."),
    "location": Step(forms.LocationForm, {"": "Where is the problem?"},
                     "If it is at or outside a building, find its address by postcode. If it is "
                     "somewhere without an address, describe where it is."),
    "name": Step(forms.NameForm, {"": "What is your name?"}),
    "photos": Step(forms.PhotosForm, {"": "Add photos of the problem (optional)"},
                   f"You can add up to {photos.PHOTO_MAX_COUNT} photos. Each must be a JPG, PNG or "
                   f"WebP and smaller than 10MB. We remove the location and camera details from them."),
    # The slug stays "email" (links and bookmarks); the question asks for any way to reply.
    "email": Step(forms.ContactDetailsForm, {"": "How can we contact you?"},
                  "Give at least one. If you give an email address we will send your reference "
                  "number there."),
}
FLOWS = {
    Kind.PROBLEM: ["what", "which", "details", "location", "photos", "name", "email"],
    Kind.REQUEST: ["what", "which", "details", "name", "email"],
    Kind.COMPLAINT: ["what", "service", "details", "name", "email"],
}


def _answers(request) -> dict:
    return request.session.get(SESSION_ANSWERS, {})


def _flow(answers: dict) -> list[str]:
    return FLOWS.get(answers.get("what", {}).get("kind"), ["what"])


def _stored_photos(answers: dict) -> list[dict]:
    """The photos the resident added, still in the private storage (one left unsent for longer
    than a day has been swept away, and is left out)."""
    return [photo for photo in answers.get("photos", {}).get("stored", [])
            if photos.photo_is_stored(photo.get("file_name", ""))]


def _form(step: str, answers: dict, data=None, initial=None, files=None):
    kwargs = {}
    if step == "which":
        kwargs = {"kind": answers.get("what", {}).get("kind")}
    elif step == "photos":
        kwargs = {"kept": _stored_photos(answers), "files": files}
    return STEPS[step].form(data, initial=initial, **kwargs)


def _first_unanswered(answers: dict) -> str | None:
    """The first step whose stored answer is missing or no longer valid (an offer withdrawn
    since), so the check page never sends what it cannot record."""
    for step in _flow(answers):
        if step not in answers or not _form(step, answers, answers[step]).is_valid():
            return step
    return None if "what" in answers else "what"


def _too_big(request, limit: int = MAX_BODY_BYTES) -> bool:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > limit
    except ValueError:
        return True


def _photos_posted(request, answers: dict, form) -> None:
    """Store the photos the form cleaned (`contacts.photos.photo_store`) and keep their names in
    the session with the name the resident's file had, to show them what they added."""
    stored = _stored_photos(answers)
    uploads = request.FILES.getlist("photos")
    for upload, clean in zip(uploads, form.cleaned_data["photos"], strict=True):
        photo = photos.photo_store(clean)
        stored.append({**asdict(photo), "label": (upload.name or "photo")[-100:]})
    answers["photos"] = {"stored": stored}


def _photo_removed(request, answers: dict):
    """The resident's "Remove" on a photo they added: it is deleted, and the page shown again."""
    stored = _stored_photos(answers)
    try:
        gone = stored.pop(int(request.POST.get("remove", "")))
    except (ValueError, IndexError):
        return None
    photos.photo_discard(gone["file_name"])
    answers["photos"] = {"stored": stored}
    request.session[SESSION_ANSWERS] = answers
    query = "?change=1" if request.GET.get("change") == "1" else ""
    return redirect(reverse("selfservice:question", args=["photos"]) + query)


def _refused(request, status: int, title: str, message: str):
    return render(request, "selfservice/refused.html", {"title": title, "message": message},
                  status=status)


def _guard(request, form=None):
    """The abuse checks every POST passes: body size and the honeypot."""
    if _too_big(request):
        return _refused(request, 413, "Too much information",
                        "What you sent was too long. Go back and shorten it.")
    if form is not None and form.is_bot():
        return _refused(request, 400, "Sorry, there is a problem with the service",
                        "We could not accept this form. Go back and try again.")
    return None


@login_not_required
@require_GET
def start(request):
    return render(request, "selfservice/start.html")


@login_not_required
@require_http_methods(["GET", "POST"])
def question(request, step: str):
    if step not in STEPS:
        raise Http404
    answers = _answers(request)
    flow = _flow(answers)
    if step not in flow:
        return redirect("selfservice:question", step="what")
    earlier = flow[: flow.index(step)]
    missing = next((s for s in earlier if s not in answers), None)
    if missing:
        return redirect("selfservice:question", step=missing)
    changing = request.GET.get("change") == "1"
    if request.method == "POST":
        if _too_big(request, PHOTOS_MAX_BODY_BYTES if step == "photos" else MAX_BODY_BYTES):
            return _guard(request)
        form = _form(step, answers, request.POST, files=request.FILES)
        refused = _guard(request, form) if step != "photos" else (
            _refused(request, 400, "Sorry, there is a problem with the service",
                     "We could not accept this form. Go back and try again.") if form.is_bot() else None)
        if refused:
            return refused
        if step == "photos" and "remove" in request.POST:
            removed = _photo_removed(request, answers)
            if removed:
                return removed
        # "Find address" on the location page shows the addresses at the postcode: nothing kept.
        if form.is_valid() and not getattr(form, "finding", False):
            if step == "what" and answers.get("what") != form.answer():
                answers = {}  # another kind of enquiry: the other questions change
            if step == "photos":
                _photos_posted(request, answers, form)
            else:
                answers[step] = form.answer()
            request.session[SESSION_ANSWERS] = answers
            flow = _flow(answers)
            following = flow[flow.index(step) + 1:]
            if changing and step != "what" or not following:
                return redirect("selfservice:check")
            return redirect("selfservice:question", step=following[0])
        status = 400 if form.errors else 200
    else:
        form = _form(step, answers, initial=answers.get(step))
        status = 200
    kind = answers.get("what", {}).get("kind", "")
    definition = STEPS[step]
    back = (reverse("selfservice:check") if changing else
            reverse("selfservice:question", args=[flow[flow.index(step) - 1]]) if flow.index(step)
            else reverse("selfservice:start"))
    return render(request, "selfservice/question.html", {
        "form": form, "step": step, "changing": changing, "back_url": back,
        "question": definition.question.get(kind) or definition.question.get(""),
        "hint": definition.hint, "stored_photos": _stored_photos(answers),
        "max_photos": photos.PHOTO_MAX_COUNT,
    }, status=status)


def _cleaned(answers: dict) -> Answers:
    values = {}
    for step in _flow(answers):
        form = _form(step, answers, answers[step])
        form.is_valid()
        values.update({k: v for k, v in form.cleaned_data.items() if k != forms.HONEYPOT_FIELD})
    stored = [photos.StoredPhoto(**{k: v for k, v in photo.items() if k != "label"})
              for photo in _stored_photos(answers)] if "photos" in _flow(answers) else []
    place = values.get("place") or ReportPlace()
    return Answers(kind=values["kind"], first_name=values["first_name"],
                   last_name=values["last_name"], description=values["description"],
                   email=values.get("email", ""), phone=values.get("phone", ""),
                   address_line_1=values.get("address_line_1", ""), town=values.get("town", ""),
                   postcode=values.get("postcode", ""), offer=values.get("offer"),
                   service=values.get("service"), location=place.location, uprn=place.uprn,
                   address=place.address, latitude=place.latitude, longitude=place.longitude,
                   photos=tuple(stored))


@login_not_required
@require_http_methods(["GET", "POST"])
def check(request):
    answers = _answers(request)
    missing = _first_unanswered(answers)
    if missing:
        return redirect("selfservice:question", step=missing)
    cleaned = _cleaned(answers)
    form = forms.SubmitForm(request.POST or None)
    if request.method == "POST":
        refused = _guard(request, form)
        if refused:
            return refused
        if not throttle.allow(request, "submit"):
            return _refused(request, 429, "Sorry, you have sent too many forms",
                            "You have sent a lot of forms from this connection. Try again in an "
                            "hour, or phone us.")
        submission = submission_create(answers=cleaned, ip_address=throttle.client_address(request))
        request.session.pop(SESSION_ANSWERS, None)
        request.session[SESSION_DONE] = submission.reference
        return redirect("selfservice:done")
    return render(request, "selfservice/check.html", {
        "answers": cleaned, "form": form, "photo_labels": [p["label"] for p in _stored_photos(answers)]
        if "photos" in _flow(answers) else None})


@login_not_required
@require_GET
def done(request):
    reference = request.session.get(SESSION_DONE)
    if not reference:
        return redirect("selfservice:start")
    submission = selectors.submission_by_reference(reference)
    return render(request, "selfservice/done.html", {
        "submission": submission, "handoff": selectors.submission_handoff(submission)})


@login_not_required
@require_http_methods(["GET", "POST"])
def progress(request):
    form = forms.ProgressForm(request.POST or None)
    if request.method == "POST":
        refused = _guard(request, form)
        if refused:
            return refused
        if form.is_valid():
            if not throttle.allow(request, "progress"):
                return _refused(request, 429, "Sorry, you have checked too many times",
                                "Try again in an hour, or phone us.")
            submission = selectors.submission_find(form.cleaned_data["reference"],
                                                   form.cleaned_data["contact"])
            if submission is not None:
                return render(request, "selfservice/progress_result.html", {
                    "submission": submission,
                    "progress": selectors.submission_progress(submission)})
            form.add_error(None, "We cannot find a request with that reference number and email "
                                 "address, phone number or postcode. Check both and try again.")
        return render(request, "selfservice/progress.html", {"form": form}, status=400)
    return render(request, "selfservice/progress.html", {"form": form})


def _public_page_settings() -> dict:
    return {name.lower(): getattr(settings, name) for name in (
        "COUNCIL_CONTACT_EMAIL", "COUNCIL_CONTACT_PHONE", "COUNCIL_ADDRESS", "DATA_PROTECTION_OFFICER_EMAIL",
        "ACCESSIBILITY_TESTED_DATE", "ACCESSIBILITY_KNOWN_ISSUES")}


def _retention_schedule() -> list[dict]:
    """The council's retention schedule as it stands (the admin's Retention rules, issue 17)."""
    days = personal_data.retention_days()
    return [{"label": schedule.label, "length": personal_data.describe_days(days[schedule.key]),
             "starts": schedule.starts} for schedule in personal_data.schedules()]


@login_not_required
@require_GET
def accessibility_statement(request):
    """The accessibility statement the Public Sector Bodies Accessibility Regulations 2018 ask
    for, in GOV.UK's model wording; the council's details come from settings."""
    return render(request, "selfservice/accessibility.html", _public_page_settings())


@login_not_required
@require_GET
def privacy_notice(request):
    """What the council keeps about a resident who contacts it, why and for how long (UK GDPR
    articles 13 and 14); the council's details and the retention period come from settings."""
    return render(request, "selfservice/privacy.html",
                  {**_public_page_settings(), "retention": _retention_schedule()})
