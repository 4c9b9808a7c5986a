"""API shapes for hand-offs (API.md, "Hand-offs"): small input serializers, one output."""

from rest_framework import serializers

from core import api_fields
from core.input_guard import TEXT_MAX_LENGTH
from core.models import HandoffMethod
from handoffs.models import Handoff, HandoffUpdate


class HandoffUpdateSerializer(serializers.ModelSerializer):
    author = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    informed_via = serializers.ChoiceField(choices=HandoffUpdate.InformedVia.choices, allow_blank=True)

    class Meta:
        model = HandoffUpdate
        fields = ["kind", "at", "author", "note", "customer_informed", "informed_via", "informed_at"]


class HandoffSerializer(serializers.ModelSerializer):
    contact = serializers.PrimaryKeyRelatedField(read_only=True)
    team = serializers.SlugRelatedField(slug_field="code", read_only=True)
    assigned_to = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    overdue = serializers.BooleanField(source="is_overdue", read_only=True,
                                       help_text="Unresolved and due before today.")
    updates = HandoffUpdateSerializer(many=True, read_only=True, source="timeline")

    class Meta:
        model = Handoff
        fields = ["id", "contact", "method", "status", "team", "assigned_to", "due_date", "overdue",
                  "resolved_at", "updates"]


class HandoffFilterSerializer(serializers.Serializer):
    team = serializers.CharField(required=False, max_length=50, help_text="A team code.")
    status = serializers.ChoiceField(choices=Handoff.Status.choices, required=False)
    method = serializers.ChoiceField(choices=HandoffMethod.choices, required=False)
    overdue = serializers.BooleanField(required=False, default=False)


class HandoffAcceptSerializer(serializers.Serializer):
    at = api_fields.DateTimeField(required=False, allow_null=True)


class HandoffUpdateRequestSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=TEXT_MAX_LENGTH)
    customer_informed = serializers.BooleanField(required=False, default=False)
    informed_via = serializers.ChoiceField(
        choices=HandoffUpdate.InformedVia.choices, required=False, allow_blank=True, default="",
        help_text="How the customer was informed (optional, added to v1).")
    at = api_fields.DateTimeField(required=False, allow_null=True)


class HandoffResolveSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=TEXT_MAX_LENGTH, help_text="The outcome.")
    at = api_fields.DateTimeField(required=False, allow_null=True)


class ErrorDetailSerializer(serializers.Serializer):
    detail = serializers.CharField()
