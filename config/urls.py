from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core import views as core_views

api_v1 = [
    path("", include("core.api_urls")),
    path("", include("contacts.api_urls")),
    path("", include("intake.api_urls")),
    path("", include("handoffs.api_urls")),
    path("", include("complaints.api_urls")),
    path("", include("reporting.api_urls")),
    path("", include("planning.api_urls")),
]


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI that works under the content security policy (no inline script): for signed-in
    staff in the browser, and for partners with their key."""

    template_name = "core/swagger_ui.html"


handler400 = "core.views.bad_request"
handler403 = "core.views.permission_denied"
handler404 = "core.views.not_found"
handler500 = "core.views.server_error"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("", include("core.urls")),
    path("contacts/", include("intake.urls")),
    path("contacts/", include("contacts.urls")),
    path("handoffs/", include("handoffs.urls")),
    path("complaints/", include("complaints.urls")),
    path("reports/", include("reporting.urls")),
    path("people/", include("people.urls")),
    path("open311/v2/", include("open311.urls")),
    path("self-service/", include("selfservice.urls")),
    path("insight/", include("insight.urls")),
    path("planning/", include("planning.urls")),
    path("notify/", include("notify.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
]
