"""Complaint API shapes, exactly as API.md "Complaints"."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from complaints.models import Complaint, ComplaintEvent, ComplaintStage, Outcome, Process, Stage, Status
from core import api_fields
from core.input_guard import TEXT_MAX_LENGTH

# The Ombudsman's reference as the model stores it.
REFERENCE_MAX_LENGTH = Complaint._meta.get_field("ombudsman_reference").max_length

STAGE_SCHEMA = {"oneOf": [{"type": "integer", "enum": [1, 2, 3]}, {"type": "string", "enum": ["ombudsman"]}]}


def stage_code(stage: str):
    return int(stage) if stage.isdigit() else stage


@extend_schema_field(STAGE_SCHEMA)
class StageField(serializers.Field):
    def to_representation(self, value):
        return stage_code(value)

    def to_internal_value(self, data):
        value = str(data)
        if value not in Stage.values:
            raise serializers.ValidationError('Must be 1, 2, 3 or "ombudsman".')
        return value


class ComplaintStageSerializer(serializers.ModelSerializer):
    stage = StageField()
    due_date = api_fields.DateField(source="effective_due_date", allow_null=True)
    outcome = serializers.ChoiceField(choices=Outcome.choices, allow_null=True)

    class Meta:
        model = ComplaintStage
        fields = ["stage", "started_at", "due_date", "interim_response_at", "responded_at", "outcome",
                  # v1.2: the acknowledgement and extension (the response `due_date` is extended).
                  "acknowledged_at", "acknowledgement_due_date", "extended_by_working_days"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["outcome"] = data["outcome"] or None
        return data


class ComplaintEventSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    stage = StageField()

    class Meta:
        model = ComplaintEvent
        fields = ["action", "at", "actor", "stage", "note", "data"]


class ComplaintSerializer(serializers.ModelSerializer):
    stage = StageField()
    assigned_to = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    service = serializers.SlugRelatedField(slug_field="code", read_only=True)
    overdue = serializers.SerializerMethodField()
    stages = ComplaintStageSerializer(many=True, read_only=True)
    events = ComplaintEventSerializer(many=True, read_only=True)

    class Meta:
        model = Complaint
        fields = ["id", "process", "stage", "status", "assigned_to", "due_date", "overdue",
                  "ombudsman_follow_up_date", "stages", "events",
                  # Additions beyond API.md's list (v1 allows adding fields):
                  "customer", "service", "summary", "received_at", "via_ombudsman",
                  "ombudsman_reference", "contact"]

    def get_overdue(self, complaint) -> bool:
        today = self.context["today"]
        return complaint.due_date is not None and complaint.due_date < today


class ComplaintListSerializer(ComplaintSerializer):
    class Meta(ComplaintSerializer.Meta):
        fields = [f for f in ComplaintSerializer.Meta.fields if f not in ("stages", "events")]


class ComplaintCreateSerializer(serializers.Serializer):
    customer = serializers.IntegerField()
    service = serializers.SlugField(max_length=50)
    summary = serializers.CharField(max_length=TEXT_MAX_LENGTH)
    received_at = api_fields.DateTimeField(required=False)
    process = serializers.ChoiceField(
        choices=Process.choices,
        help_text="A statutory complaint goes straight to the social care complaints team: the "
                  "caller gets this answer, and later reads as the visibility rules say (404 for "
                  "those who may not see it).")
    via_ombudsman = serializers.BooleanField(required=False, default=False)
    ombudsman_reference = serializers.CharField(required=False, allow_blank=True, default="",
                                                max_length=REFERENCE_MAX_LENGTH)
    contact = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2 ** 63 - 1,
        help_text="The id of the contact the complaint arrived with (v1.1); the same customer's, "
                  "and one the caller may see.")


class ComplaintFilterSerializer(serializers.Serializer):
    process = serializers.ChoiceField(choices=Process.choices, required=False)
    stage = StageField(required=False)
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    overdue = serializers.BooleanField(required=False, allow_null=True, default=None)
    service = serializers.SlugField(required=False, max_length=50)


class AtSerializer(serializers.Serializer):
    at = api_fields.DateTimeField(required=False, help_text="When it happened, if not now (API.md).")


class AllocateSerializer(AtSerializer):
    officer = serializers.CharField(max_length=150, help_text="The officer's username.")


class InterimResponseSerializer(AtSerializer):
    note = serializers.CharField(max_length=TEXT_MAX_LENGTH)
    revised_target_date = api_fields.DateField(required=False)


class RespondSerializer(AtSerializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    response = serializers.CharField(max_length=TEXT_MAX_LENGTH)
    remedy = serializers.CharField(required=False, allow_blank=True, default="",
                                   max_length=TEXT_MAX_LENGTH)
    lessons_learned = serializers.CharField(required=False, allow_blank=True, default="",
                                            max_length=TEXT_MAX_LENGTH)


class ExtendSerializer(AtSerializer):
    working_days = serializers.IntegerField(
        min_value=1, max_value=365,
        help_text="Working days to add to the response deadline; in all at most the rule set's limit "
                  "for the stage (the Complaint Handling Code: 10 at stage 1, 20 at stage 2).")
    reason = serializers.CharField(max_length=TEXT_MAX_LENGTH, help_text="Why, as told to the complainant.")


class EscalateSerializer(AtSerializer):
    reason = serializers.CharField(max_length=TEXT_MAX_LENGTH)


class ReferSerializer(AtSerializer):
    reference = serializers.CharField(max_length=REFERENCE_MAX_LENGTH)
