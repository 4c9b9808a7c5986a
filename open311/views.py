"""Open311 GeoReport v2 endpoints (issue 10; API.md, "Open311 GeoReport v2").

Plain Django views rather than DRF: GeoReport has its own form-encoded input, its own error list
`[{"code", "description"}]` and its own key (`api_key`, a partner key), and answers in JSON or
XML by the suffix of the path. Reads need no key, as the specification says; POST needs one.
"""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from contacts.services import IdempotencyKeyReused
from core.input_guard import rfc3339
from open311 import selectors
from open311.forms import Open311Error, parse_request_query, parse_service_request
from open311.render import to_xml
from open311.services import service_request_create

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
FORMATS = {"json": "application/json", "xml": "text/xml"}


def _w3(moment) -> str | None:
    return rfc3339(moment, timespec="seconds") if moment else None


def _answer(body, format: str, *, root: str, status: int = 200) -> HttpResponse:
    if format == "xml":
        return HttpResponse(to_xml(root, body), status=status, content_type="text/xml; charset=utf-8")
    return JsonResponse(body, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def _error(error: Open311Error, format: str) -> HttpResponse:
    return _answer([{"code": error.status, "description": error.description}], format,
                   root="errors", status=error.status)


def _service(service) -> dict:
    return {
        "service_code": service.service_code,
        "service_name": service.enquiry_type.name,
        "description": service.description,
        "metadata": any(attribute.variable for attribute in service.attributes.all()),
        "type": "realtime",
        "keywords": service.keywords,
        "group": service.group,
    }


def _request(open311_request) -> dict:
    progress = selectors.request_progress(open311_request)
    return {
        "service_request_id": str(open311_request.contact_id),
        "status": progress.status,
        "status_notes": progress.status_notes,
        "service_name": open311_request.service.enquiry_type.name,
        "service_code": open311_request.service.service_code,
        "description": open311_request.description,
        "agency_responsible": progress.agency_responsible,
        "service_notice": open311_request.service.service_notice,
        "requested_datetime": _w3(open311_request.requested_at),
        "updated_datetime": _w3(progress.updated_at),
        "expected_datetime": _w3(progress.expected_at),
        "address": open311_request.address_string,
        "address_id": open311_request.address_id,
        "zipcode": "",
        "lat": float(open311_request.lat) if open311_request.lat is not None else None,
        "long": float(open311_request.long) if open311_request.long is not None else None,
        "media_url": open311_request.media_url,
    }


@require_GET
def discovery(request, format: str):
    endpoint = request.build_absolute_uri(reverse("open311:discovery", args=["json"]))
    body = {
        "changeset": "2026-11-23T00:00:00Z",
        "contact": f"{settings.COUNCIL_NAME}, {settings.DEFAULT_FROM_EMAIL}",
        "key_service": "Ask the council for a partner key (python manage.py create_partner_token).",
        "endpoints": [{
            "specification": SPECIFICATION,
            "url": endpoint.rsplit("/", 1)[0],
            "changeset": "2026-11-23T00:00:00Z",
            "type": "production",
            "formats": list(FORMATS.values()),
        }],
    }
    return _answer(body, format, root="discovery")


@require_GET
def service_list(request, format: str):
    return _answer([_service(service) for service in selectors.services_offered()], format,
                   root="services")


@require_GET
def service_definition(request, service_code: str, format: str):
    service = selectors.service_offered(service_code)
    if service is None:
        return _error(Open311Error(404, f"service_code {service_code} was not found."), format)
    attributes = [{
        "variable": attribute.variable,
        "code": attribute.code,
        "datatype": attribute.datatype,
        "required": attribute.required,
        "datatype_description": attribute.datatype_description or None,
        "order": attribute.order,
        "description": attribute.description,
        "values": [{"key": str(value.get("key")), "name": str(value.get("name"))}
                   for value in attribute.values or []],
    } for attribute in service.attributes.all()]
    return _answer({"service_code": service.service_code, "attributes": attributes}, format,
                   root="service_definition")


@csrf_exempt  # a partner's server posting with api_key; no cookies are involved
@require_http_methods(["GET", "POST"])
def requests(request, format: str):
    try:
        if request.method == "POST":
            return _post_request(request, format)
        query = parse_request_query(request.GET)
    except Open311Error as error:
        return _error(error, format)
    return _answer([_request(found) for found in selectors.requests_matching(**query)], format,
                   root="service_requests")


def _post_request(request, format: str) -> HttpResponse:
    partner = selectors.partner_for_api_key((request.POST.get("api_key") or "").strip())
    if partner is None:
        raise Open311Error(403, "api_key is missing or is not a valid partner key.")
    service_request = parse_service_request(request.POST)
    posted = {name: request.POST.getlist(name) for name in sorted(request.POST) if name != "api_key"}
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > 200:
        raise Open311Error(400, "Idempotency-Key must be 200 characters or fewer.")
    try:
        contact, created = service_request_create(partner=partner, request=service_request,
                                                  posted=posted, idempotency_key=key)
    except IdempotencyKeyReused:
        raise Open311Error(400, "This Idempotency-Key was used with a different request.") from None
    body = [{"service_request_id": str(contact.pk),
             "service_notice": service_request.service.service_notice,
             "account_id": service_request.account_id or None}]
    return _answer(body, format, root="service_requests", status=201 if created else 200)


@require_GET
def request_detail(request, service_request_id: str, format: str):
    found = (selectors.requests_matching(ids=[int(service_request_id)])
             if service_request_id.isdigit() and len(service_request_id) <= 18 else [])
    if not found:
        return _error(Open311Error(404, f"service_request_id {service_request_id} was not found."),
                      format)
    return _answer([_request(found[0])], format, root="service_requests")
