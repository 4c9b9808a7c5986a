"""Notify's delivery-receipt callback (issue 19). Notify signs nothing: it sends the bearer token
set in its callback settings, which must equal NOTIFY_CALLBACK_TOKEN (401 otherwise)."""

import hmac
import json

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from notify import services


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
