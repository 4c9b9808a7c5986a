from django.conf import settings

from core.navigation import nav_items
from core.roles import is_staff_member


def navigation(request):
    user = getattr(request, "user", None)
    items = nav_items(user) if user is not None and is_staff_member(user) else []
    path = request.path
    active = max((item.url for item in items if path.startswith(item.url)), key=len, default=None)
    return {
        "service_navigation": [
            {"label": item.label, "url": item.url, "active": item.url == active} for item in items
        ],
        "council_name": settings.COUNCIL_NAME,
    }
