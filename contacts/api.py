"""Customers API (API.md, "Customers"): thin views over the selectors and services. The contacts
API is the intake's (`intake.api`): logging a contact is the use case above this app.

Who may do what (least privilege):
- partner systems: create customers, search and read customers and their timeline (only what
  the timeline's apps let them see: their own contacts and those contacts' hand-offs);
- staff: search and read customers and their timeline; advisers, complaints officers, managers
  and admins create customers.
"""

from django.http import Http404, HttpResponsePermanentRedirect
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from contacts import privacy, selectors, services
from contacts.models import Customer
from contacts.serializers import (
    CustomerCreateSerializer,
    CustomerSearchSerializer,
    CustomerSerializer,
    TimelineEntrySerializer,
)
from core.api_pagination import StandardPagination
from core.api_permissions import HasRole
from core.navigation import timeline_for
from core.roles import STAFF_ROLES, Role

_ERROR = {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}
_DETAIL = {"type": "object", "properties": {"detail": {"type": "string"}}}
ERRORS = {
    400: OpenApiResponse(_ERROR, description='Invalid input: {"field": ["message", ...]}.'),
    401: OpenApiResponse(_DETAIL, description="No valid API key or session."),
    403: OpenApiResponse(_DETAIL, description="Authenticated but not allowed."),
    404: OpenApiResponse(_DETAIL, description="Unknown id, or not visible to the caller."),
}
CUSTOMER_READ_ROLES = (*STAFF_ROLES, Role.PARTNER)
CUSTOMER_WRITE_ROLES = (*selectors.CUSTOMER_EDIT_ROLES, Role.PARTNER)


def _customer_or_404(customer_id: int) -> Customer:
    try:
        return selectors.customer_detail(customer_id)
    except Customer.DoesNotExist:
        raise Http404 from None


def _merged_redirect(request, customer_id: int, url_name: str):
    """A merged-away customer's id answers 301 to the record it was merged into (issue 20), so
    partner systems holding the old id find the person; None when the id is not a merged one."""
    if Customer.objects.filter(pk=customer_id, merged_into__isnull=False).exists():
        survivor = selectors.customer_current(customer_id)
        if survivor is not None:
            location = reverse(url_name, kwargs={"customer_id": survivor.pk})
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(f"{location}?{query}" if query else location)
    return None


# --- Customers ---------------------------------------------------------------------------------


class CustomerListApi(APIView):
    permission_classes = [HasRole]
    pagination_class = StandardPagination  # documents the GET answer as a page
    allowed_roles = {"GET": CUSTOMER_READ_ROLES, "POST": CUSTOMER_WRITE_ROLES}

    @extend_schema(
        summary="Search customers",
        parameters=[CustomerSearchSerializer],
        responses={200: CustomerSerializer(many=True), 400: ERRORS[400], 401: ERRORS[401],
                   403: ERRORS[403]},
    )
    def get(self, request):
        query = CustomerSearchSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        search = query.validated_data.get("search", "")
        # Every match: the page's count is the number of matches (API.md, "Lists are paginated").
        customers = (selectors.customer_search(search, limit=None) if search
                     else Customer.objects.active().order_by(*selectors.SEARCH_ORDER))
        paginator = StandardPagination()
        page = paginator.paginate_queryset(customers, request, view=self)
        return paginator.get_paginated_response(CustomerSerializer(page, many=True).data)

    @extend_schema(
        summary="Create a customer",
        request=CustomerCreateSerializer,
        responses={201: CustomerSerializer, 400: ERRORS[400], 401: ERRORS[401], 403: ERRORS[403]},
    )
    def post(self, request):
        data = CustomerCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        customer = services.customer_create(actor=request.user, **data.validated_data)
        return Response(CustomerSerializer(customer).data, status=status.HTTP_201_CREATED)


class CustomerDetailApi(APIView):
    permission_classes = [HasRole]
    allowed_roles = {"GET": CUSTOMER_READ_ROLES}

    @extend_schema(summary="A customer",
                   description="A customer merged into another record answers 301 with the "
                               "surviving record's address (Location).",
                   responses={200: CustomerSerializer, 301: OpenApiResponse(description="Merged: "
                              "see the Location header."), 401: ERRORS[401], 403: ERRORS[403],
                              404: ERRORS[404]})
    def get(self, request, customer_id: int):
        moved = _merged_redirect(request, customer_id, "api-customer")
        if moved is not None:
            return moved
        customer = _customer_or_404(customer_id)
        privacy.customer_viewed(actor=request.user, customer=customer, request=request, via="api")
        return Response(CustomerSerializer(customer).data)


class CustomerTimelineApi(APIView):
    permission_classes = [HasRole]
    pagination_class = StandardPagination  # documents the answer as a page
    allowed_roles = {"GET": CUSTOMER_READ_ROLES}

    @extend_schema(
        summary="A customer's timeline",
        description="All contacts, hand-offs and complaints of the customer that the caller may "
                    "see, newest first.",
        responses={200: TimelineEntrySerializer(many=True), 301: OpenApiResponse(
                   description="Merged: see the Location header."), 400: ERRORS[400],
                   401: ERRORS[401], 403: ERRORS[403], 404: ERRORS[404]},
    )
    def get(self, request, customer_id: int):
        moved = _merged_redirect(request, customer_id, "api-customer-timeline")
        if moved is not None:
            return moved
        customer = _customer_or_404(customer_id)
        privacy.customer_viewed(actor=request.user, customer=customer, request=request,
                                via="api timeline")
        paginator = StandardPagination()
        page = paginator.paginate_queryset(timeline_for(customer, request.user), request, view=self)
        return paginator.get_paginated_response(TimelineEntrySerializer(page, many=True).data)
