"""Parsing of GeoReport v2 input (issue 10): the POST requests.json form and the GET
requests.json query. Each returns cleaned values or raises Open311Error, which the views render
as the specification's error list."""

import re
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from contacts.gazetteer import CoordinateError, coordinate
from core.input_guard import moment_error
from open311.models import Open311Attribute
from open311.selectors import service_offered
from open311.services import ServiceRequestInput

DESCRIPTION_MAX_LENGTH = 4000  # GeoReport v2, POST Service Request, "description"
MAX_SPAN = timedelta(days=90)  # GeoReport v2, GET Service Requests, start_date/end_date
MAX_IDS = 1000
_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
_LIMITS = {"first_name": 100, "last_name": 100, "phone": 30, "device_id": 100, "account_id": 100,
           "address_string": 500, "email": 254, "media_url": 1000}


class Open311Error(Exception):
    """An error answer: HTTP status and the description for [{"code", "description"}]."""

    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status = status
        self.description = description


def _text(data, name: str) -> str:
    return (data.get(name) or "").strip()


def _coordinate(value: str, name: str, limit: int) -> Decimal:
    try:
        return coordinate(value, limit)
    except CoordinateError as error:
        message = (f"{name} must be between -{limit} and {limit}." if error.out_of_range
                   else f"{name} must be a number (WGS84 decimal degrees).")
        raise Open311Error(400, message) from None


def _location(data) -> dict:
    lat, long = _text(data, "lat"), _text(data, "long")
    address_string, address_id = _text(data, "address_string"), _text(data, "address_id")
    location = {"address_string": address_string, "address_id": address_id, "lat": None, "long": None}
    if bool(lat) != bool(long):
        raise Open311Error(400, "lat and long must be sent together.")
    if lat:
        location["lat"] = _coordinate(lat, "lat", 90)
        location["long"] = _coordinate(long, "long", 180)
    if address_id and (not address_id.isdigit() or len(address_id) > 12):
        raise Open311Error(400, "address_id is a UPRN: a number of up to 12 digits.")
    if not (lat or address_string or address_id):
        raise Open311Error(400, "A location is required: lat and long, address_string or address_id.")
    return location


def _attribute_answers(data) -> dict[str, list[str]]:
    answers: dict[str, list[str]] = {}
    for name in data:
        match = _ATTRIBUTE.match(name)
        if match:
            values = [value.strip() for value in data.getlist(name) if value.strip()]
            answers.setdefault(match.group(1), []).extend(values)
    return answers


def _check_attribute(attribute: Open311Attribute, values: list[str]):
    code = attribute.code
    if attribute.datatype == Open311Attribute.Datatype.MULTI_VALUE_LIST:
        unknown = [value for value in values if value not in attribute.value_keys()]
        if unknown:
            raise Open311Error(400, f"attribute[{code}]: {unknown[0]!r} is not one of its values.")
        return values
    if len(values) > 1:
        raise Open311Error(400, f"attribute[{code}] takes one value.")
    value = values[0]
    listed = attribute.datatype == Open311Attribute.Datatype.SINGLE_VALUE_LIST
    if listed and value not in attribute.value_keys():
        raise Open311Error(400, f"attribute[{code}]: {value!r} is not one of its values.")
    if attribute.datatype == Open311Attribute.Datatype.NUMBER:
        try:
            Decimal(value)
        except InvalidOperation:
            raise Open311Error(400, f"attribute[{code}] must be a number.") from None
    if attribute.datatype == Open311Attribute.Datatype.DATETIME and _datetime(value) is None:
        raise Open311Error(400, f"attribute[{code}] must be an ISO 8601 date and time.")
    if attribute.datatype == Open311Attribute.Datatype.STRING and "\n" in value:
        raise Open311Error(400, f"attribute[{code}] is a string without line breaks.")
    if len(value) > DESCRIPTION_MAX_LENGTH:
        raise Open311Error(400, f"attribute[{code}] must be {DESCRIPTION_MAX_LENGTH} characters or fewer.")
    return value


def _attributes(service, data) -> dict:
    answers = _attribute_answers(data)
    attributes = {attribute.code: attribute for attribute in service.attributes.all()
                  if attribute.variable}
    unknown = sorted(set(answers) - set(attributes))
    if unknown:
        raise Open311Error(400, f"attribute[{unknown[0]}] is not an attribute of service "
                                f"{service.service_code}.")
    cleaned = {}
    for code, attribute in attributes.items():
        values = answers.get(code, [])
        if not values:
            if attribute.required:
                raise Open311Error(400, f"attribute[{code}] is required: {attribute.description}")
            continue
        cleaned[code] = _check_attribute(attribute, values)
    return cleaned


def parse_service_request(data) -> ServiceRequestInput:
    """POST requests.json: the service (400 when not sent, 404 when unknown), a location,
    attribute answers as the service definition asks, and the optional reporter fields."""
    service_code = _text(data, "service_code")
    if not service_code:
        raise Open311Error(400, "service_code was not provided.")
    service = service_offered(service_code)
    if service is None:
        raise Open311Error(404, f"service_code {service_code} was not found.")
    location = _location(data)
    fields = {name: _text(data, name) for name in _LIMITS}
    for name, limit in _LIMITS.items():
        if len(fields[name]) > limit:
            raise Open311Error(400, f"{name} must be {limit} characters or fewer.")
    description = (data.get("description") or "").strip()
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise Open311Error(400, f"description must be {DESCRIPTION_MAX_LENGTH} characters or fewer.")
    if fields["email"]:
        try:
            validate_email(fields["email"])
        except ValidationError:
            raise Open311Error(400, "email is not a valid email address.") from None
    if fields["media_url"]:
        try:
            URLValidator(schemes=["http", "https"])(fields["media_url"])
        except ValidationError:
            raise Open311Error(400, "media_url must be an http or https URL.") from None
    del fields["address_string"]
    return ServiceRequestInput(service=service, description=description,
                               attributes=_attributes(service, data), **location, **fields)


def _datetime(value: str) -> datetime | None:
    try:
        parsed = parse_datetime(value.replace(" ", "+"))  # "+" arrives as a space when unescaped
    except ValueError:
        return None
    if parsed is None or timezone.is_naive(parsed) or moment_error(parsed):
        return None  # not a w3 time with a zone, or outside the range a client may send
    return parsed


def _list(data, name: str) -> list[str]:
    return [item.strip() for item in (data.get(name) or "").split(",") if item.strip()]


def parse_request_query(data) -> dict:
    """GET requests.json: comma-separated service_request_id (overrides the rest), service_code
    and status; start_date and end_date in w3 format with a time zone, at most 90 days apart,
    defaulting to the 90 days up to now."""
    ids = _list(data, "service_request_id")
    if ids:
        if len(ids) > MAX_IDS or not all(item.isdigit() and len(item) <= 18 for item in ids):
            raise Open311Error(400, "service_request_id must be a comma-separated list of ids.")
        return {"ids": [int(item) for item in ids]}
    statuses = _list(data, "status")
    if any(status not in ("open", "closed") for status in statuses):
        raise Open311Error(400, "status must be open, closed or both, comma-separated.")
    bounds = {}
    for name in ("start_date", "end_date"):
        value = _text(data, name)
        if value:
            bounds[name] = _datetime(value)
            if bounds[name] is None:
                raise Open311Error(400, f"{name} must be a w3 date and time with a time zone, "
                                        "like 2026-01-01T00:00:00Z.")
    end = bounds.get("end_date") or (
        bounds["start_date"] + MAX_SPAN if "start_date" in bounds else timezone.now())
    start = bounds.get("start_date") or end - MAX_SPAN
    if start > end:
        raise Open311Error(400, "start_date must be before end_date.")
    if end - start > MAX_SPAN:
        raise Open311Error(400, "start_date and end_date may not span more than 90 days.")
    return {"service_codes": _list(data, "service_code"), "statuses": statuses,
            "start": start, "end": end}
