from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.views.decorators.cache import never_cache

from core.navigation import attention_items
from core.roles import Role, has_role, role_codes
from core.selectors import audit_events_for


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
    template_name = "core/login.html"
    redirect_authenticated_user = True


login_view = login_not_required(LoginView.as_view())
logout_view = auth_views.LogoutView.as_view()


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


# The error pages (issue 16): GOV.UK-styled, in the page shell, each with a way back. Under /api/
# the answer is JSON as API.md's "Conventions" say; residents' pages lead back to their start.
_RESIDENT_START = "/self-service/"


def _way_back(request) -> tuple[str, str]:
    if request.path_info.startswith(_RESIDENT_START):
        return _RESIDENT_START, "Go to the start of the council's online forms"
    return reverse("home"), "Go to the home page"


def _error(request, status: int, template: str, detail: str):
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": detail}, status=status)
    back_url, back_label = _way_back(request)
    return render(request, template, {"back_url": back_url, "back_label": back_label}, status=status)


def bad_request(request, exception=None):
    return _error(request, 400, "400.html", "Bad request.")


def permission_denied(request, exception=None):
    return _error(request, 403, "403.html", "You do not have permission to perform this action.")


def not_found(request, exception=None):
    """404 for a URL that matches nothing: JSON under /api/ (API.md, "Conventions"), the
    page otherwise."""
    return _error(request, 404, "404.html", "Not found.")


def csrf_failure(request, reason=""):
    """A form sent without its CSRF token, or after the session changed (signed out in another
    tab, say): 403 with the way back, not Django's technical page."""
    return _error(request, 403, "403_csrf.html", "CSRF check failed.")


def server_error(request):
    """500: rendered without the context processors, which read the database that may be what
    failed; the shell shows the council's name and no menu."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": "Server error."}, status=500)
    back_url, back_label = "/", "Go to the home page"
    if request.path_info.startswith(_RESIDENT_START):
        back_url, back_label = _RESIDENT_START, "Go to the start of the council's online forms"
    html = loader.get_template("500.html").render({
        "request": request, "council_name": settings.COUNCIL_NAME,
        "back_url": back_url, "back_label": back_label})
    return HttpResponseServerError(html)
