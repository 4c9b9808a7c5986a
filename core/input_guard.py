"""Hostile input at every door (issue 24): what a client may send, checked in one place.

- Characters: text that PostgreSQL cannot store (NUL) or XML 1.0 cannot hold (the other C0 control
  characters but tab, line feed and carriage return; lone UTF-16 surrogates; U+FFFE and U+FFFF)
  is refused by `InputGuardMiddleware` before any view (and so any query) runs, in query
  parameters, form bodies (pages, self service, Open311), JSON bodies and request headers alike,
  with a 400 naming the field, in the shape of the door that was used (API.md, "Errors"; Open311's
  error list; the 400 page).
- Moments and days: every timestamp and date a client sends lies between `earliest_client_date()`
  (the setting CLIENT_DATE_EARLIEST, 1 January 1900 by default) and `latest_client_date()`
  (CLIENT_DATE_LATEST, 31 December 2199): `moment_error` and `day_error` say why not; the API's
  date fields (`core.api_fields`) and the services' event times (`core.services.event_time`,
  `intake.rules`) use them.
- Output: `rfc3339` writes a moment as RFC 3339 (an offset in whole minutes) whatever it is.
"""

import json
import re
from datetime import UTC, date, datetime, time
from xml.sax.saxutils import escape  # nosec B406 - escapes what we write; parses nothing

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

# XML 1.0 "Char" is #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF];
# everything else cannot be written to XML, and NUL cannot be stored in a PostgreSQL text column.
UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# The same characters as JSON escapes: a body without any needs no second look.
_JSON_ESCAPE = re.compile(rb"\\u(?:00[01][0-9a-fA-F]|[dD][89a-fA-F][0-9a-fA-F]{2}|[fF]{3}[eEfF])")
_RAW_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")

# The longest free text (a note, a response, a complaint's summary) any door takes; API.md's
# codes and references have their own, shorter limits, given in the schema as maxLength.
TEXT_MAX_LENGTH = 10_000

CHARACTER_MESSAGE = ("Contains a character that cannot be stored (a control character such as NUL, "
                     "or an unpaired surrogate). Remove it and try again.")


def unstorable(text: str) -> bool:
    return UNSTORABLE.search(text) is not None


def earliest_client_date() -> date:
    return settings.CLIENT_DATE_EARLIEST


def latest_client_date() -> date:
    return settings.CLIENT_DATE_LATEST


def day_error(day: date) -> str | None:
    """Why a date a client sent cannot be taken, or None."""
    earliest, latest = earliest_client_date(), latest_client_date()
    if day < earliest:
        return f"The date must be on or after {earliest.isoformat()}."
    if day > latest:
        return f"The date must be on or before {latest.isoformat()}."
    return None


def moment_error(moment: datetime) -> str | None:
    """Why a timestamp a client sent cannot be taken, or None (the bounds as `day_error`, in UTC
    at the edges so that no local-mean-time offset is ever involved)."""
    earliest = datetime.combine(earliest_client_date(), time.min, tzinfo=UTC)
    latest = datetime.combine(latest_client_date(), time.max, tzinfo=UTC)
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=UTC)
    if moment < earliest:
        return f"The time must be on or after {earliest_client_date().isoformat()}."
    if moment > latest:
        return f"The time must be on or before {latest_client_date().isoformat()}."
    return None


def rfc3339(moment: datetime, timespec: str = "auto") -> str:
    """The moment in local time with its offset, as RFC 3339 requires (whole minutes); a moment
    whose local offset has seconds (London's local mean time before 1847) is given in UTC."""
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    offset = local.utcoffset()
    if offset is not None and offset.total_seconds() % 60:
        local = moment.astimezone(UTC)
    return local.isoformat(timespec=timespec)


# --- the middleware -----------------------------------------------------------------------------


def _bad_in_json(value, path: str | None) -> str | None:
    """The top-level field (or "non_field_errors") holding an unstorable string, or None."""
    if isinstance(value, str):
        return path or "non_field_errors" if unstorable(value) else None
    if isinstance(value, dict):
        for key, inner in value.items():
            if unstorable(key):
                return path or "non_field_errors"
            found = _bad_in_json(inner, path or key)
            if found:
                return found
    elif isinstance(value, list):
        for inner in value:
            found = _bad_in_json(inner, path)
            if found:
                return found
    return None


def _bad_in_pairs(pairs) -> str | None:
    for key, values in pairs:
        if unstorable(key):
            return "non_field_errors"
        for value in values:
            if unstorable(value):
                return key
    return None


def offending_field(request) -> str | None:
    """The name of the first query parameter, form field, JSON field or header of the request
    that holds an unstorable character, or None."""
    found = _bad_in_pairs(request.GET.lists())
    if found:
        return found
    for name, value in request.META.items():
        if name.startswith("HTTP_") and isinstance(value, str) and unstorable(value):
            return name[5:].replace("_", "-").title()
    content_type = request.content_type or ""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return _bad_in_pairs(request.POST.lists())
    if content_type == "application/json" or content_type.endswith("+json"):
        body = request.body
        if not (_JSON_ESCAPE.search(body) or _RAW_CONTROL.search(body)):
            return None
        try:
            document = json.loads(body)
        except ValueError:
            return None  # not JSON: the view's parser answers 400 as it always does
        return _bad_in_json(document, None)
    return None


class InputGuardMiddleware:
    """Refuses a request that carries an unstorable character anywhere a view would read it, with
    a 400 naming the field, before the view (and any query) runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if unstorable(request.path_info):
            return _not_found(request)  # no record or page has such a name
        field = offending_field(request)
        if field is not None:
            return _refusal(request, field)
        return self.get_response(request)


def _not_found(request):
    path = request.path_info
    if path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    if path.startswith("/open311/"):
        return JsonResponse([{"code": 404, "description": "Not found."}], status=404, safe=False)
    back_url = "/self-service/" if path.startswith("/self-service/") else "/"
    return render(request, "404.html", {"back_url": back_url, "back_label": "Go back to the start"},
                  status=404)


def _refusal(request, field: str):
    path = request.path_info
    if path.startswith("/api/"):
        return JsonResponse({field: [CHARACTER_MESSAGE]}, status=400)
    if path.startswith("/open311/"):
        # GeoReport v2's own error list, in the format the path asks for.
        description = f"{field}: {CHARACTER_MESSAGE}"
        if path.endswith(".xml"):
            xml = ('<?xml version="1.0" encoding="utf-8"?>\n<errors><error><code>400</code>'
                   f"<description>{escape(description)}</description></error></errors>")
            return HttpResponse(xml, status=400, content_type="text/xml; charset=utf-8")
        return JsonResponse([{"code": 400, "description": description}], status=400, safe=False)
    back_url = "/self-service/" if path.startswith("/self-service/") else "/"
    return render(request, "400.html", {"back_url": back_url, "back_label": "Go back to the start",
                                        "field": field}, status=400)
