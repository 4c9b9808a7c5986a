"""API shapes for contacts (API.md, "Contacts", v1 and v1.1).

Codes in and out (channel, service, enquiry type, NI14 reason, hand-off method, team), never
ids, except customer and record ids (hand-offs: `chasing`, `possible_repeat_of`). The input
serializer only checks shapes and looks codes up; the rules are `intake.rules`'.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contacts.models import HANDLING_TIME_MAX_SECONDS, Contact, Customer
from core import api_fields
from core.compiled_query import CompiledQuery
from core.models import AvoidableReason, ChannelCode, EnquiryType, HandoffMethod, Service
from intake import rules

MAX_ID = 2 ** 63 - 1


def _fresh_copies(fields: dict) -> dict:
    """Each field made again from the arguments it was made with: what DRF's per-instance
    deepcopy of the fields gives, without deep-copying the arguments too (deep-copying a queryset
    copies its whole query). A field only reads its arguments (a related field's queryset is
    cloned by `.all()` before use), so the copies may share them."""
    return {name: type(field)(*field._args, **field._kwargs) for name, field in fields.items()}


def _active_enquiry_type(service_code: str, code: str):
    return (EnquiryType.objects.select_related("service", "team")
            .filter(service__code=service_code, service__is_active=True, code=code, is_active=True)
            .order_by("pk")[:1])


# Read on every contact the API takes: compiled to SQL once per process (core.compiled_query).
_ENQUIRY_TYPE = CompiledQuery(_active_enquiry_type, "sample-service", "sample-enquiry-type")
_AVOIDABLE_REASON = CompiledQuery(
    lambda code: AvoidableReason.objects.filter(is_active=True, code=code)[:2], "sample-reason")


class _AvoidableReasonCodeField(serializers.SlugRelatedField):
    """An active NI14 reason's code, as SlugRelatedField(slug_field="code") looks it up, by a
    compiled query."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            return super().to_internal_value(data)
        try:
            found = _AVOIDABLE_REASON.all(data)
        except (TypeError, ValueError):  # e.g. a NUL character: as SlugRelatedField says
            return super().to_internal_value(data)
        if len(found) != 1:
            return super().to_internal_value(data)  # its own error message
        return found[0]


class _ServiceCodeField(serializers.SlugRelatedField):
    """An active service's code. When an enquiry type code comes with it, the active enquiry type
    of that code in that service is read in the same statement (with its service and team) and
    kept for `ContactCreateSerializer.validate`; otherwise, or if there is none, the service is
    looked up alone, as by SlugRelatedField."""

    def to_internal_value(self, data):
        initial = getattr(self.parent, "initial_data", None)
        code = initial.get("enquiry_type") if hasattr(initial, "get") else None
        if isinstance(data, str) and isinstance(code, str) and code.strip():
            try:
                enquiry_type = _ENQUIRY_TYPE.first(data, code.strip())
            except (TypeError, ValueError):  # e.g. a NUL character: the fields will say so
                enquiry_type = None
            if enquiry_type is not None:
                self.parent._enquiry_type = enquiry_type
                return enquiry_type.service
        return super().to_internal_value(data)


class ContactCreateSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=ChannelCode.choices)
    service = _ServiceCodeField(slug_field="code", queryset=Service.objects.filter(is_active=True),
                                help_text="A service code.")
    enquiry_type = serializers.CharField(required=False, allow_null=True, max_length=50,
                                         help_text="An enquiry type code of the service.")
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.active(),
                                                  required=False, allow_null=True,
                                                  help_text="A customer id; none for anonymous.")
    received_at = api_fields.DateTimeField(required=False, allow_null=True,
                                            help_text="Not in the future; defaults to now.")
    summary = serializers.CharField(max_length=rules.SUMMARY_MAX_LENGTH)
    avoidable = serializers.BooleanField()
    avoidable_reason = _AvoidableReasonCodeField(
        slug_field="code", queryset=AvoidableReason.objects.filter(is_active=True),
        required=False, allow_null=True, help_text="An NI14 reason code; required when avoidable.")
    resolved_at_first_contact = serializers.BooleanField(
        required=False, allow_null=True, default=None,
        help_text="Defaults to true for One & Done, false otherwise. True with a hand-off method "
                  "other than one_and_done answers 400 (a handed-off contact is not resolved at "
                  "first contact).")
    handoff_method = serializers.ChoiceField(
        choices=HandoffMethod.choices, required=False,
        help_text="Defaults to the enquiry type's.")
    handoff_override_reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=rules.OVERRIDE_REASON_MAX_LENGTH,
        help_text="v1.1. Why handoff_method differs from the enquiry type's default. A partner "
                  "that gives none is recorded as 'set by partner <name>'; staff must give one.")
    chasing = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_ID,
        help_text="v1.1. The id of the hand-off (an open enquiry of the same customer and service) "
                  "this contact chases: it is stored One & Done, avoidable with reason "
                  "progress_chasing unless another reason is given, linked to the enquiry, and "
                  "opens no new hand-off. An unknown, resolved or other customer's enquiry "
                  "answers 400.")
    external_ref = serializers.CharField(max_length=rules.EXTERNAL_REF_MAX_LENGTH, required=False,
                                         allow_blank=True, default="")
    handling_time_seconds = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=HANDLING_TIME_MAX_SECONDS,
        help_text="Optional: seconds an adviser spent on the contact (talking, on hold and wrapping "
                  "up), as the telephony system records it; for telephone and face-to-face "
                  "contacts. Contact-centre planning uses it.")

    def get_fields(self):
        return _fresh_copies(self._declared_fields)

    def validate(self, data):
        service, code = data["service"], data.get("enquiry_type")
        if code:
            enquiry_type = getattr(self, "_enquiry_type", None)  # read with the service
            if (enquiry_type is None or enquiry_type.service_id != service.pk
                    or enquiry_type.code != code):
                enquiry_type = service.enquiry_types.filter(
                    code=code, is_active=True).select_related("team").first()
            if enquiry_type is None:
                raise serializers.ValidationError(
                    {"enquiry_type": [f"Unknown enquiry type for the service {service.code}."]})
            data["enquiry_type"] = enquiry_type
        else:
            data["enquiry_type"] = None
        return data


class ContactHandoffSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    method = serializers.ChoiceField(choices=HandoffMethod.choices)
    status = serializers.ChoiceField(choices=["open", "in_progress", "resolved"])
    team = serializers.CharField(source="team.code", help_text="The receiving team's code.")
    due_date = api_fields.DateField()


class ContactSerializer(serializers.ModelSerializer):
    """A contact as stored. `handoff`, `chasing` and `possible_repeat_of` come from what the
    view read with the contact (`intake.api.contacts_for_api`: `api_handoffs`, `api_chasing`,
    `api_possible_repeat_of`) or what taking it stored (`intake.api.taken_for_api`), so that
    neither costs a query per contact."""

    service = serializers.SlugRelatedField(slug_field="code", read_only=True)
    enquiry_type = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    customer = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    avoidable_reason = serializers.SlugRelatedField(slug_field="code", read_only=True,
                                                    allow_null=True)
    repeat_of = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True,
        help_text="The contact whose open enquiry this one chases (see `chasing`).")
    handoff = serializers.SerializerMethodField()
    chasing = serializers.SerializerMethodField(
        help_text="v1.1. The id of the hand-off this contact chases, or null.")
    possible_repeat_of = serializers.SerializerMethodField(
        help_text="v1.1. When `chasing` was not given: the id of the hand-off of an open enquiry of "
                  "the same customer and service inside the repeat window, or null. The contact "
                  "opened its own enquiry and is flagged for review.")
    _fields_built = None  # the fields ModelSerializer builds from the model, built once

    class Meta:
        model = Contact
        fields = ["id", "channel", "service", "enquiry_type", "customer", "received_at", "summary",
                  "avoidable", "avoidable_reason", "resolved_at_first_contact", "handoff_method",
                  "handoff_override_reason", "external_ref", "source", "repeat_of", "chasing",
                  "possible_repeat_of", "handoff", "handling_time_seconds"]

    def get_fields(self):
        """ModelSerializer introspects the model for every instance; the result depends only on
        the class, so build it once and give each instance its own copies."""
        built = type(self).__dict__.get("_fields_built")
        if built is None:
            built = super().get_fields()
            type(self)._fields_built = built
        return _fresh_copies(built)

    @extend_schema_field(ContactHandoffSerializer(allow_null=True))
    def get_handoff(self, contact):
        handoffs = contact.api_handoffs
        return ContactHandoffSerializer(handoffs[0]).data if handoffs else None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_chasing(self, contact) -> int | None:
        return contact.api_chasing

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_possible_repeat_of(self, contact) -> int | None:
        return contact.api_possible_repeat_of
