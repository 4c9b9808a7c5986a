"""The contacts API (API.md, "Contacts", v1 and v1.1): the partner door of the contact-taking use
case, and the contacts list. Thin: the input serializer checks shapes and looks codes up, one call
to `intake.services.contact_log` takes the contact by the rules every door uses, the output
serializer renders it.

Who may do what (least privilege):
- partner systems log contacts and list only the contacts they created;
- advisers, back-office officers (the public reaches many back-office teams directly, v1.1),
  managers and admins log contacts and list every contact;
- complaints officers and Legal Services neither (403).
"""

import django_filters
from django import forms
from django.db.models import OuterRef, Prefetch, Subquery
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from contacts import selectors, services
from contacts.api import ERRORS
from contacts.models import Contact
from core.api_pagination import StandardPagination
from core.api_permissions import HasRole
from core.models import ChannelCode, Service
from core.roles import Role, has_role
from handoffs.models import Handoff
from intake.serializers import MAX_ID, ContactCreateSerializer, ContactSerializer
from intake.services import Taken, contact_log

IDEMPOTENCY_KEY_MAX_LENGTH = 255
CONTACT_WRITE_ROLES = (*selectors.LOG_ROLES, Role.PARTNER)
CONTACT_LIST_ROLES = (*selectors.LOG_ROLES, Role.PARTNER)
_DETAIL = {"type": "object", "properties": {"detail": {"type": "string"}}}


def _first_handoff_of(contact_field: str) -> Subquery:
    return Subquery(Handoff.objects.filter(contact=OuterRef(contact_field))
                    .order_by("pk").values("pk")[:1])


def contacts_for_api(contacts):
    """Contacts with what the API shows of their enquiries, read with them: the hand-off
    (`api_handoffs`) and the ids of the hand-offs chased or possibly repeated (the first hand-off
    of those contacts: one, except for a life event told to several services)."""
    return (contacts.select_related("service", "enquiry_type", "avoidable_reason")
            .prefetch_related(Prefetch("handoffs", to_attr="api_handoffs",
                                       queryset=Handoff.objects.select_related("team").order_by("pk")))
            .annotate(api_chasing=_first_handoff_of("repeat_of"),
                      api_possible_repeat_of=_first_handoff_of("possible_repeat_of")))


def taken_for_api(taken: Taken) -> Contact:
    """The contact just taken, with what the API shows of it from what was stored (no re-read)."""
    contact = taken.contact
    contact.api_handoffs = taken.handoffs
    contact.api_chasing = taken.chased.pk if taken.chased else None
    contact.api_possible_repeat_of = taken.possible_repeat.pk if taken.possible_repeat else None
    return contact


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
    customer = _IdFilter(field_name="customer_id", min_value=1, max_value=MAX_ID,
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
        return contacts_for_api(selectors.contact_list(self.request.user))

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
            "Records the contact and opens its hand-off in one transaction, by the rules every "
            "door uses (v1.1): a contact `chasing` an open enquiry is One & Done, avoidable "
            "(progress_chasing unless another reason is given) and opens no hand-off; a suspected "
            "repeat that is not declared chasing opens its own enquiry and answers "
            "`possible_repeat_of`; a handed-off contact is not resolved at first contact (400); "
            "a hand-off method other than the enquiry type's needs a `handoff_override_reason` "
            "from staff and is recorded as \"set by partner <name>\" from a partner without one. "
            "Advisers, back-office officers, managers, admins and partner keys may log contacts. "
            "With an Idempotency-Key, a retry with the same body answers with the contact first "
            "stored (200) and stores nothing new; the same key with a different body answers 422."),
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
        taken: list[Taken] = []

        def log() -> Contact:
            taken.append(_take(request.user, data.validated_data))
            return taken[-1].contact

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
        if created:
            contact = taken_for_api(taken[-1])
        else:  # a replay answers with the contact as it is stored now
            contact = self.get_queryset().get(pk=contact.pk)
        return Response(ContactSerializer(contact).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


def _take(user, fields: dict) -> Taken:
    """The partner door of the use case: a partner system that changes the hand-off method without
    saying why is recorded as having set it (API.md v1.1)."""
    return contact_log(
        actor=user, source=Contact.Source.API, channel=fields["channel"],
        service=fields["service"], enquiry_type=fields["enquiry_type"],
        customer=fields.get("customer"), received_at=fields.get("received_at"),
        summary=fields["summary"], avoidable=fields["avoidable"],
        avoidable_reason=fields.get("avoidable_reason"),
        resolved_at_first_contact=fields.get("resolved_at_first_contact"),
        handoff_method=fields.get("handoff_method"),
        handoff_override_reason=fields.get("handoff_override_reason", ""),
        external_ref=fields.get("external_ref", ""), chasing=fields.get("chasing"),
        handling_time_seconds=fields.get("handling_time_seconds"),
        set_by=f"partner {user}" if has_role(user, Role.PARTNER) else "",
    )
