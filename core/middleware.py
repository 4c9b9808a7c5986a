from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.core.exceptions import PermissionDenied

from core.roles import is_staff_member

# The API authenticates by itself (token or session) and answers 401/403 rather than redirecting.
_SELF_AUTHENTICATING_PREFIXES = ("/api/", "/open311/", "/static/")
# Resident self service is public: residents have no staff account (issue 10). So is the survey
# page a customer opens from the emailed link: its token is the key (issue 11).
_PUBLIC_PREFIXES = ("/self-service/", "/insight/survey/")


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Every page needs a signed-in member of staff, except those marked `login_not_required`
    (login, health check). Partner service accounts reach only the API."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith(_SELF_AUTHENTICATING_PREFIXES + _PUBLIC_PREFIXES):
            return None
        response = super().process_view(request, view_func, view_args, view_kwargs)
        if response is not None:
            return response
        if (
            getattr(view_func, "login_required", True)
            and request.user.is_authenticated
            and not is_staff_member(request.user)
        ):
            raise PermissionDenied
        return None


class IdentityProviderFormActionMiddleware:
    """With single sign-on, the Sign out form's answer sends the browser on to the identity
    provider's end-session endpoint; browsers hold a form's redirects to the page's CSP
    `form-action`, so the provider's origin is added to it (read per request, from OIDC_ISSUER)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.OIDC_ISSUER:
            issuer = urlsplit(settings.OIDC_ISSUER)
            update = dict(getattr(response, "_csp_update", None) or {})
            update["form-action"] = [*update.get("form-action", []), f"{issuer.scheme}://{issuer.netloc}"]
            response._csp_update = update
        return response
