"""Customers and contacts API (API.md, "Customers" and "Contacts"): thin views over the
selectors and services.

Who may do what (least privilege):
- partner systems: create contacts and customers, search and read customers and their timeline
  (only what the timeline's apps let them see: their own contacts and those contacts'
  hand-offs), and list only the contacts they created;
- advisers, managers, admins: everything above, over every contact;
- back office, complaints officers, legal: read customers, their timeline and contacts, and
  (complaints officers) create customers; they do not log contacts.
"""

import django_filters
from django import forms
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from contacts import privacy, selectors, services
from contacts.models import Contact, Customer
from contacts.serializers import (
    ContactCreateSerializer,
    ContactSerializer,
    CustomerCreateSerializer,
    CustomerSearchSerializer,
    CustomerSerializer,
    TimelineEntrySerializer,
)
from core.api_pagination import StandardPagination
from core.api_permissions import HasRole
from core.models import ChannelCode, Service
from core.navigation import timeline_for
from core.roles import STAFF_ROLES, Role
from handoffs.services import contact_log

IDEMPOTENCY_KEY_MAX_LENGTH = 255

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
CONTACT_WRITE_ROLES = (*selectors.LOG_ROLES, Role.PARTNER)
CONTACT_LIST_ROLES = (*selectors.LOG_ROLES, Role.PARTNER)


def _customer_or_404(customer_id: int) -> Customer:
    try:
        return selectors.customer_detail(customer_id)
    except Customer.DoesNotExist:
        raise Http404 from None


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
                   responses={200: CustomerSerializer, 401: ERRORS[401], 403: ERRORS[403],
                              404: ERRORS[404]})
    def get(self, request, customer_id: int):
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
        responses={200: TimelineEntrySerializer(many=True), 400: ERRORS[400], 401: ERRORS[401],
                   403: ERRORS[403], 404: ERRORS[404]},
    )
    def get(self, request, customer_id: int):
        customer = _customer_or_404(customer_id)
        privacy.customer_viewed(actor=request.user, customer=customer, request=request,
                                via="api timeline")
        paginator = StandardPagination()
        page = paginator.paginate_queryset(timeline_for(customer, request.user), request, view=self)
        return paginator.get_paginated_response(TimelineEntrySerializer(page, many=True).data)


# --- Contacts ----------------------------------------------------------------------------------


class _IdFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class ContactFilter(django_filters.FilterSet):
    service = django_filters.ModelChoiceFilter(
        field_name="service", to_field_name="code", queryset=Service.objects.all(),
        help_text="A service code.")
    channel = django_filters.ChoiceFilter(choices=ChannelCode.choices)
    avoidable = django_filters.BooleanFilter()
    received_from = django_filters.DateFilter(
        field_name="received_date", lookup_expr="gte",
        help_text="First day (YYYY-MM-DD, Europe/London), inclusive.")
    received_to = django_filters.DateFilter(
        field_name="received_date", lookup_expr="lte",
        help_text="Last day (YYYY-MM-DD, Europe/London), inclusive.")
    customer = _IdFilter(field_name="customer_id", min_value=1, max_value=2 ** 63 - 1,
                         help_text="A customer id.")

    class Meta:
        model = Contact
        fields = ["service", "channel", "avoidable", "received_from", "received_to", "customer"]


class ContactListApi(generics.GenericAPIView):
    permission_classes = [HasRole]
    allowed_roles = {"GET": CONTACT_LIST_ROLES, "POST": CONTACT_WRITE_ROLES}
    filterset_class = ContactFilter
    serializer_class = ContactSerializer
    pagination_class = StandardPagination

    def get_queryset(self):
        return selectors.contact_list(self.request.user).select_related(
            "handoff__team", "repeat_of")

    @extend_schema(
        summary="List contacts",
        description="Newest first. A partner system sees only the contacts it created.",
        responses={200: ContactSerializer(many=True), 400: ERRORS[400], 401: ERRORS[401],
                   403: ERRORS[403]},
    )
    def get(self, request):
        contacts = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(contacts)
        return self.get_paginated_response(ContactSerializer(page, many=True).data)

    @extend_schema(
        summary="Log a contact",
        description=(
            "Records the contact and opens its hand-off in one transaction. With an "
            "Idempotency-Key, a retry with the same body answers with the contact first stored "
            "(200) and stores nothing new; the same key with a different body answers 422."),
        request=ContactCreateSerializer,
        parameters=[OpenApiParameter(
            "Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
            description=f"Up to {IDEMPOTENCY_KEY_MAX_LENGTH} characters, unique per request "
                        "you mean to make once.")],
        responses={
            201: ContactSerializer,
            200: OpenApiResponse(ContactSerializer,
                                 description="A retry with the same Idempotency-Key and body."),
            400: ERRORS[400], 401: ERRORS[401], 403: ERRORS[403],
            422: OpenApiResponse(_DETAIL, description="Idempotency-Key reused with a different body."),
        },
    )
    def post(self, request):
        key = request.headers.get("Idempotency-Key", "").strip()
        if len(key) > IDEMPOTENCY_KEY_MAX_LENGTH:
            raise ValidationError({"Idempotency-Key": [
                f"Must be {IDEMPOTENCY_KEY_MAX_LENGTH} characters or fewer."]})
        data = ContactCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)

        def log() -> Contact:
            return _log_contact(request.user, data.validated_data)

        if not key:
            contact, created = log(), True
        else:
            try:
                contact, created = services.contact_log_once(
                    user=request.user, key=key, fingerprint=services.request_fingerprint(request.data),
                    log=log)
            except services.IdempotencyKeyReused:
                return Response({"detail": "This Idempotency-Key was used with a different "
                                           "request body."}, status=422)
        if not created:  # a replay answers with the contact as it is stored now
            contact = self.get_queryset().get(pk=contact.pk)
        return Response(ContactSerializer(contact).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


def _log_contact(user, fields: dict) -> Contact:
    """A partner's or a member of staff's contact: the earlier open contact of the same customer
    and service, if any, is recorded as the one it repeats (repeat-contact detection).
    contact_log is the transaction (one BEGIN and COMMIT, no savepoints)."""
    received_at = fields.get("received_at")
    repeat_of = None
    if fields.get("customer") is not None:
        repeat_of = selectors.contact_repeat_candidates(fields["customer"], fields["service"],
                                                        received_at).first()
    return contact_log(
        actor=user, source=Contact.Source.API, channel=fields["channel"],
        service=fields["service"], enquiry_type=fields["enquiry_type"],
        customer=fields.get("customer"), received_at=received_at, summary=fields["summary"],
        avoidable=fields["avoidable"], avoidable_reason=fields.get("avoidable_reason"),
        resolved_at_first_contact=fields.get("resolved_at_first_contact"),
        handoff_method=fields.get("handoff_method"), external_ref=fields.get("external_ref", ""),
        repeat_of=repeat_of, handling_time_seconds=fields.get("handling_time_seconds"),
    )
