"""API shapes for customers and contacts (API.md, "Customers" and "Contacts").

Codes in and out (channel, service, enquiry type, NI14 reason, hand-off method, team), never
ids, except customer and record ids. Input serializers only check shapes and look codes up;
the rules are the services'.
"""

from django.core.exceptions import ObjectDoesNotExist
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contacts.models import HANDLING_TIME_MAX_SECONDS, Contact, Customer
from contacts.services import SUMMARY_MAX_LENGTH
from core.models import AvoidableReason, ChannelCode, EnquiryType, HandoffMethod, Service

# --- Customers ---------------------------------------------------------------------------------

CUSTOMER_API_FIELDS = ["first_name", "last_name", "email", "phone", "address_line_1", "town",
                       "postcode", "uprn"]


class CustomerCreateSerializer(serializers.Serializer):
    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100)
    email = serializers.CharField(max_length=254, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="",
                                  help_text="Any formatting; stored as digits.")
    address_line_1 = serializers.CharField(max_length=200, required=False, allow_blank=True,
                                           default="")
    town = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    postcode = serializers.CharField(max_length=10, required=False, allow_blank=True, default="",
                                     help_text='Any case and spacing; stored as "OL6 6AB".')
    uprn = serializers.CharField(max_length=12, required=False, allow_blank=True, default="")


class CustomerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = ["id", *CUSTOMER_API_FIELDS]


class CustomerSearchSerializer(serializers.Serializer):
    search = serializers.CharField(
        required=False, allow_blank=True, max_length=200,
        help_text="Name, postcode, phone number, email address or UPRN.")


class TimelineEntrySerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["contact", "handoff", "complaint"])
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    title = serializers.CharField()
    status = serializers.CharField()
    open = serializers.BooleanField(source="is_open")


# --- Contacts ----------------------------------------------------------------------------------


def _fresh_copies(fields: dict) -> dict:
    """Each field made again from the arguments it was made with: what DRF's per-instance
    deepcopy of the fields gives, without deep-copying the arguments too (deep-copying a queryset
    copies its whole query). A field only reads its arguments (a related field's queryset is
    cloned by `.all()` before use), so the copies may share them."""
    return {name: type(field)(*field._args, **field._kwargs) for name, field in fields.items()}


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
                enquiry_type = (
                    EnquiryType.objects.select_related("service", "team")
                    .filter(service__code=data, service__is_active=True, code=code.strip(),
                            is_active=True)
                    .first())
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
    received_at = serializers.DateTimeField(required=False, allow_null=True,
                                            help_text="Not in the future; defaults to now.")
    summary = serializers.CharField(max_length=SUMMARY_MAX_LENGTH)
    avoidable = serializers.BooleanField()
    avoidable_reason = serializers.SlugRelatedField(
        slug_field="code", queryset=AvoidableReason.objects.filter(is_active=True),
        required=False, allow_null=True, help_text="An NI14 reason code; required when avoidable.")
    resolved_at_first_contact = serializers.BooleanField(
        required=False, allow_null=True, default=None,
        help_text="Defaults to true for One & Done, false otherwise.")
    handoff_method = serializers.ChoiceField(
        choices=HandoffMethod.choices, required=False,
        help_text="Defaults to the enquiry type's.")
    external_ref = serializers.CharField(max_length=100, required=False, allow_blank=True,
                                         default="")
    handling_time_seconds = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=HANDLING_TIME_MAX_SECONDS,
        help_text="Optional: seconds an adviser spent on the contact (talking, on hold and wrapping "
                  "up), as the telephony system records it; for telephone and face-to-face "
                  "contacts. Contact-centre planning uses it.")

    def get_fields(self):
        return _fresh_copies(self._declared_fields)

    def validate(self, data):
        errors = {}
        service, code = data["service"], data.get("enquiry_type")
        if code:
            enquiry_type = getattr(self, "_enquiry_type", None)  # read with the service
            if (enquiry_type is None or enquiry_type.service_id != service.pk
                    or enquiry_type.code != code):
                enquiry_type = service.enquiry_types.filter(
                    code=code, is_active=True).select_related("team").first()
            if enquiry_type is None:
                errors["enquiry_type"] = [f"Unknown enquiry type for the service {service.code}."]
            data["enquiry_type"] = enquiry_type
        else:
            data["enquiry_type"] = None
        reason = data.get("avoidable_reason")
        if data["avoidable"] and reason is None:
            errors["avoidable_reason"] = ["Required when the contact is avoidable."]
        if not data["avoidable"] and reason is not None:
            errors["avoidable_reason"] = ["Only an avoidable contact has an avoidable reason."]
        if errors:
            raise serializers.ValidationError(errors)
        return data


class ContactHandoffSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    method = serializers.ChoiceField(choices=HandoffMethod.choices)
    status = serializers.ChoiceField(choices=["open", "in_progress", "resolved"])
    team = serializers.CharField(source="team.code", help_text="The receiving team's code.")
    due_date = serializers.DateField()


class ContactSerializer(serializers.ModelSerializer):
    service = serializers.SlugRelatedField(slug_field="code", read_only=True)
    enquiry_type = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    customer = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    avoidable_reason = serializers.SlugRelatedField(slug_field="code", read_only=True,
                                                    allow_null=True)
    repeat_of = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True,
        help_text="The earlier open contact of the same customer and service this one chases.")
    handoff = serializers.SerializerMethodField()
    _fields_built = None  # the fields ModelSerializer builds from the model, built once

    class Meta:
        model = Contact
        fields = ["id", "channel", "service", "enquiry_type", "customer", "received_at", "summary",
                  "avoidable", "avoidable_reason", "resolved_at_first_contact", "handoff_method",
                  "external_ref", "source", "repeat_of", "handoff", "handling_time_seconds"]

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
        try:
            handoff = contact.handoff
        except ObjectDoesNotExist:
            return None
        return ContactHandoffSerializer(handoff).data
