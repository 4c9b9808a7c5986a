"""Notify's delivery-receipt callback (issue 19). Notify signs nothing: it sends the bearer token
set in its callback settings, which must equal NOTIFY_CALLBACK_TOKEN (401 otherwise)."""

import hmac
import json

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.models import OutboundMessage
from core.roles import Role, has_role
from notify import selectors, services
from notify.forms import EffectFilterForm
from notify.models import MessageUnitCost


def _authorised(request) -> bool:
    token = settings.NOTIFY_CALLBACK_TOKEN
    given = request.headers.get("Authorization", "")
    return bool(token) and hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


@csrf_exempt
@login_not_required
@require_POST
def delivery_receipt(request):
    if not _authorised(request):
        return JsonResponse({"detail": "Invalid or missing bearer token."}, status=401)
    try:
        payload = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"non_field_errors": ["Expected a JSON object."]}, status=400)
    try:
        result = services.delivery_receipt_record(payload)
    except ValidationError as error:
        return JsonResponse({field: list(messages) for field, messages in error.message_dict.items()},
                            status=400)
    # An unknown notification is answered 200 too: Notify would otherwise retry it for a day.
    return JsonResponse({"result": result})


EFFECT_ROLES = (Role.MANAGER, Role.ADMIN)


def updates_effect(request):
    """The effect of proactive updates (issue 19, item 4): managers and admins."""
    if not has_role(request.user, *EFFECT_ROLES):
        raise PermissionDenied
    form = EffectFilterForm(request.GET)
    rows = []
    if form.is_valid():
        service = form.cleaned_data["service"]
        rows = selectors.updates_effect(date_from=form.cleaned_data["date_from"],
                                        date_to=form.cleaned_data["date_to"],
                                        service_id=service.pk if service else None)
    return render(request, "notify/effect.html", {
        "form": form, "rows": rows, "channels": OutboundMessage.Channel.choices,
        "costs": MessageUnitCost.objects.order_by("channel"),
    }, status=400 if form.errors else 200)
