import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from core.directory import Refusal, staff_sign_in_from_directory
from core.forms import ApiKeyForm, StaffAuthenticationForm
from core.navigation import attention_items
from core.roles import Role, has_role, role_codes
from core.selectors import api_tokens_of, audit_events_for
from core.services import api_token_create, api_token_revoke
from core.sso import (
    ID_TOKEN_SESSION_KEY,
    NEXT_SESSION_KEY,
    SignInFailed,
    complete_sign_in,
    end_session_url,
    sign_in_redirect,
    sso_enabled,
)

logger = logging.getLogger(__name__)

# The backend that sessions begun by single sign-on carry (how signing out knows to tell the provider).
DIRECTORY_BACKEND = "core.auth_backends.DirectoryBackend"

@login_not_required
@never_cache
def healthz(request):
    """Liveness and database check for the load balancer."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def home(request):
    roles = [Role(code).label for code in sorted(role_codes(request.user)) if code in Role.values]
    return render(
        request,
        "core/home.html",
        {"attention": attention_items(request.user), "role_labels": roles},
    )


class LoginView(auth_views.LoginView):
    """The sign-in page: with single sign-on, 'Sign in with your council account' first, and
    the password form for whom passwords are still on (everyone, or the break-glass accounts)."""

    template_name = "core/login.html"
    authentication_form = StaffAuthenticationForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            sso_enabled=sso_enabled(), local_passwords_enabled=settings.LOCAL_PASSWORDS_ENABLED,
            **kwargs)


login_view = login_not_required(LoginView.as_view())


class LogoutView(auth_views.LogoutView):
    """Signing out ends the session here and, after single sign-on, at the provider too
    (RP-initiated logout), which then sends the browser back to the sign-in page."""

    def post(self, request, *args, **kwargs):
        id_token = request.session.get(ID_TOKEN_SESSION_KEY)
        signed_in_by_provider = request.session.get(BACKEND_SESSION_KEY) == DIRECTORY_BACKEND
        auth_logout(request)
        if signed_in_by_provider and sso_enabled():
            provider_url = end_session_url(
                id_token=id_token, post_logout_redirect_uri=request.build_absolute_uri(reverse("login")))
            if provider_url:
                return HttpResponseRedirect(provider_url)
        return HttpResponseRedirect(self.get_success_url())


logout_view = LogoutView.as_view()


@login_not_required
@never_cache
@require_GET
def sso_start(request):
    """'Sign in with your council account': off to the identity provider (404 without one)."""
    if not sso_enabled():
        raise Http404
    next_url = request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        request.session[NEXT_SESSION_KEY] = next_url
    else:
        request.session.pop(NEXT_SESSION_KEY, None)
    try:
        return sign_in_redirect(request, redirect_uri=request.build_absolute_uri(reverse("sso-callback")))
    except SignInFailed as failure:
        return _sign_in_refused(request, failure.reason, failure.detail)


@login_not_required
@never_cache
@require_GET
def sso_callback(request):
    """The identity provider's answer: verified (core/sso.py), then the account follows the
    claims (core/directory.py), and the person lands where they were going."""
    if not sso_enabled():
        raise Http404
    try:
        verified = complete_sign_in(request)
    except SignInFailed as failure:
        return _sign_in_refused(request, failure.reason, failure.detail)
    outcome = staff_sign_in_from_directory(claims=verified.claims,
                                           ip_address=request.META.get("REMOTE_ADDR"))
    if outcome.user is None:
        return _sign_in_refused(request, outcome.refusal, "")
    next_url = request.session.pop(NEXT_SESSION_KEY, "") or resolve_url(settings.LOGIN_REDIRECT_URL)
    auth_login(request, outcome.user, backend=DIRECTORY_BACKEND)
    request.session[ID_TOKEN_SESSION_KEY] = verified.id_token
    return HttpResponseRedirect(next_url)


# Why single sign-on did not sign someone in: (status, heading, what happened, what to do).
_REFUSALS = {
    Refusal.NO_ROLE: (
        403, "You do not have access to No Wrong Door",
        "Your council account signed in, but it is not in any group that gives access to No "
        "Wrong Door.",
        "Ask your manager to request access from the IT service desk: they add you to the "
        "group for your role (for example advisers or complaints officers). Then sign in again."),
    Refusal.ACCOUNT_CLOSED: (
        403, "Your No Wrong Door account is closed",
        "An administrator has closed your No Wrong Door account.",
        "If you still need access, ask your manager to contact the No Wrong Door administrator."),
    Refusal.NO_SUBJECT: (
        400, "We could not sign you in",
        "The council’s sign-in service did not say who you are.",
        "Try again. If it happens again, contact the IT service desk."),
    SignInFailed.CANCELLED: (
        400, "You have not been signed in",
        "Signing in was cancelled at the council’s sign-in service.",
        "Try again, or contact the IT service desk if you cannot sign in."),
    SignInFailed.EXPIRED: (
        400, "You have not been signed in",
        "Signing in took too long, or was started in another window.",
        "Try again."),
    SignInFailed.INVALID: (
        400, "We could not sign you in",
        "The answer from the council’s sign-in service failed our security checks, so you have "
        "not been signed in.",
        "Try again. If it happens again, contact the IT service desk."),
    SignInFailed.UNAVAILABLE: (
        503, "The council’s sign-in service is not available",
        "No Wrong Door could not reach the council’s sign-in service.",
        "Try again in a few minutes. If it goes on, contact the IT service desk."),
}


def _sign_in_refused(request, reason: str, detail: str):
    status, heading, happened, to_do = _REFUSALS[reason]
    logger.warning("Single sign-on refused: %s", reason, extra={"detail": detail})
    return render(request, "core/sign_in_refused.html",
                  {"heading": heading, "happened": happened, "to_do": to_do}, status=status)


@require_GET
def profile(request):
    """A member of staff's profile: who they are, their roles, and their own API keys."""
    return _profile_page(request, ApiKeyForm())


@require_POST
def profile_api_key_create(request):
    """A new API key for scripts, shown once; the way to get one without a password (single
    sign-on)."""
    form = ApiKeyForm(request.POST)
    if form.is_valid():
        try:
            token, key = api_token_create(user=request.user, name=form.cleaned_data["name"],
                                          actor=request.user)
        except ValidationError as error:
            form.add_error("name", error.message_dict.get("name"))
        else:
            return _profile_page(request, ApiKeyForm(), new_key=key, new_token=token)
    return _profile_page(request, form, status=400)


@require_POST
def profile_api_key_revoke(request, token_id: int):
    token = get_object_or_404(api_tokens_of(request.user), pk=token_id)
    api_token_revoke(token=token, actor=request.user)
    messages.success(request, f"The API key ‘{token.name}’ is revoked: it no longer works.")
    return redirect("profile")


def _profile_page(request, form, *, new_key=None, new_token=None, status=200):
    roles = [Role(code).label for code in sorted(role_codes(request.user)) if code in Role.values]
    response = render(request, "core/profile.html", {
        "form": form, "role_labels": roles, "tokens": api_tokens_of(request.user),
        "new_key": new_key, "new_token": new_token,
        "signed_in_by_provider": request.session.get(BACKEND_SESSION_KEY) == DIRECTORY_BACKEND,
    }, status=status)
    if new_key:
        response["Cache-Control"] = "no-store"  # the key is shown once: keep it out of caches
    return response


def audit_trail(request, object_type: str, object_id: str):
    """The audit trail of one record (who, when, what changed, from where): managers and
    admins only; others get 404, not a hint that the record exists."""
    if not has_role(request.user, Role.MANAGER, Role.ADMIN):
        raise Http404
    page = Paginator(audit_events_for(object_type, object_id), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "core/audit_trail.html",
        {"page": page, "object_type": object_type, "object_id": object_id},
    )


def locked_out(request, original_response=None, credentials=None):
    """django-axes lockout answer: JSON for the API, a GOV.UK page for people (429 either way)."""
    message = "Too many failed sign-in attempts. Try again in an hour or ask an administrator."
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": message}, status=429)
    return render(request, "core/locked_out.html", {"message": message}, status=429)


def not_found(request, exception=None):
    """404 for a URL that matches nothing: JSON under /api/ (API.md, "Conventions"), the
    page otherwise."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)
