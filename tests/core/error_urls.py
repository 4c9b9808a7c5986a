"""The project's URLs plus one that fails, for the 500 page tests."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from config.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


@login_not_required
def _fails(request):
    raise RuntimeError("something broke")


urlpatterns = [*urlpatterns, path("broken/", _fails), path("self-service/broken/", _fails),
               path("api/v1/broken/", _fails)]
