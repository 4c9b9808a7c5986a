"""API error shapes from API.md, "Conventions": 400 {"field": [...]} (a body that is not JSON, or
sent with no or another Content-Type, too), 409 {"detail": ...}.

Services raise Django's ValidationError (as pages do with forms); the API turns it into 400.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler


class Conflict(exceptions.APIException):
    """409: the action is not allowed in the record's current state."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "This action is not allowed in the record's current state."
    default_code = "conflict"


class StateConflict(Exception):
    """Raised by services when an action is not allowed in the record's current state.

    Pages show its message; the API answers 409 with it as the detail.
    """


def api_exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail = {field: [m for e in errors for m in e.messages]
                      for field, errors in exc.error_dict.items()}
            detail = {("non_field_errors" if k == "__all__" else k): v for k, v in detail.items()}
        else:
            detail = {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, StateConflict):
        exc = Conflict(str(exc))
    elif isinstance(exc, exceptions.UnsupportedMediaType):
        # A body with no Content-Type, or one the API does not read (found by the fuzzer: a raw
        # multipart body with no boundary reached DRF's 415, which API.md does not have): bad input,
        # the documented 400 shape, saying what to send.
        sent = getattr(context.get("request"), "content_type", "") or "missing"
        exc = exceptions.ValidationError({"non_field_errors": [
            f"Send the body as JSON with the header Content-Type: application/json (this request's "
            f"Content-Type was {sent[:100]})."]})
    elif isinstance(exc, exceptions.ParseError):
        # A body that is not JSON is bad input like any other: the documented 400 shape.
        exc = exceptions.ValidationError({"non_field_errors": [str(exc.detail)]})
    return drf_exception_handler(exc, context)
