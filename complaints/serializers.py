"""Complaint API shapes, exactly as API.md "Complaints"."""

from django.core.exceptions import ObjectDoesNotExist
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from complaints.models import (
    Complaint,
    ComplaintEvent,
    ComplaintStage,
    OmbudsmanDecisionKind,
    OmbudsmanRecommendation,
    Outcome,
    Process,
    Stage,
    Status,
)
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


REMEDY_SCHEMA = {
    "type": "object", "nullable": True,
    "properties": {"kind": {"type": "string", "enum": ["apology", "financial", "service_action", "other"]},
                   "amount_pounds": {"type": "number", "nullable": True,
                                     "description": "Pounds and pence; required for a financial remedy."},
                   "detail": {"type": "string"}},
    "required": ["kind"],
}
RECOMMENDATIONS_SCHEMA = {
    "type": "array",
    "items": {"type": "object", "properties": {"action": {"type": "string"},
                                               "due_date": {"type": "string", "format": "date"}},
              "required": ["action", "due_date"]},
}


@extend_schema_field(REMEDY_SCHEMA)
class RemedyField(serializers.JSONField):
    """A remedy as the caller sent it; `complaints.services.remedy_parse` holds its rules, so the
    API and the page refuse the same things with the same words."""


@extend_schema_field(RECOMMENDATIONS_SCHEMA)
class RecommendationsField(serializers.JSONField):
    """The Ombudsman's recommendations as sent; `complaints.services.recommendations_parse`
    holds their rules."""


def remedy_output(stage) -> dict | None:
    remedy = next(iter(stage.remedies.all()), None)
    if remedy is None:
        return None
    return {"kind": remedy.kind, "amount_pounds": remedy.amount_pounds, "detail": remedy.detail}


class ComplaintStageSerializer(serializers.ModelSerializer):
    stage = StageField()
    due_date = api_fields.DateField(source="effective_due_date", allow_null=True)
    outcome = serializers.ChoiceField(choices=Outcome.choices, allow_null=True)
    remedy = serializers.SerializerMethodField()
    review_panel = serializers.SerializerMethodField()

    class Meta:
        model = ComplaintStage
        fields = ["stage", "started_at", "due_date", "interim_response_at", "responded_at", "outcome",
                  # v1.2: the acknowledgement and extension (the response `due_date` is extended).
                  "acknowledged_at", "acknowledgement_due_date", "extended_by_working_days",
                  # v1.2 (issue 18): the remedy given, and statutory stage 3's review panel.
                  "remedy", "review_panel"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["outcome"] = data["outcome"] or None
        return data

    @extend_schema_field(REMEDY_SCHEMA)
    def get_remedy(self, stage):
        return remedy_output(stage)

    @extend_schema_field({
        "type": "object", "nullable": True,
        "properties": {"panel_date": {"type": "string", "format": "date", "nullable": True},
                       "members": {"type": "array", "items": {"type": "string"}},
                       "recommendations": {"type": "string"}, "director_decision": {"type": "string"},
                       "director_decided_at": {"type": "string", "format": "date-time", "nullable": True}},
    })
    def get_review_panel(self, stage):
        panel = getattr(stage, "review_panel", None) if stage.stage == Stage.THREE else None
        if panel is None:
            return None
        return {"panel_date": panel.panel_date.isoformat() if panel.panel_date else None,
                "members": panel.member_names, "recommendations": panel.recommendations,
                "director_decision": panel.director_decision,
                "director_decided_at": (
                    serializers.DateTimeField().to_representation(panel.director_decided_at)
                    if panel.director_decided_at else None)}


class OmbudsmanRecommendationSerializer(serializers.ModelSerializer):
    due_date = api_fields.DateField()

    class Meta:
        model = OmbudsmanRecommendation
        fields = ["id", "action", "due_date", "done_at"]


class OmbudsmanSerializer(serializers.Serializer):
    """The complaint's Ombudsman case (API.md v1.2)."""

    reference = serializers.CharField(source="ombudsman_reference")
    referred_at = serializers.DateTimeField(source="ombudsman_referred_at", allow_null=True)
    follow_up_date = api_fields.DateField(source="ombudsman_follow_up_date", allow_null=True)
    decision = serializers.SerializerMethodField()
    decided_at = serializers.SerializerMethodField()
    recommendations = serializers.SerializerMethodField()

    def _decision(self, complaint):
        try:
            return complaint.ombudsman_decision
        except ObjectDoesNotExist:
            return None

    @extend_schema_field({"type": "string", "nullable": True, "enum": [*OmbudsmanDecisionKind.values, None]})
    def get_decision(self, complaint):
        decision = self._decision(complaint)
        return decision.decision if decision else None

    @extend_schema_field({"type": "string", "format": "date-time", "nullable": True})
    def get_decided_at(self, complaint):
        decision = self._decision(complaint)
        return serializers.DateTimeField().to_representation(decision.decided_at) if decision else None

    @extend_schema_field(OmbudsmanRecommendationSerializer(many=True))
    def get_recommendations(self, complaint):
        items = sorted(complaint.ombudsman_recommendations.all(), key=lambda r: (r.due_date, r.pk))
        return OmbudsmanRecommendationSerializer(items, many=True).data


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
    ombudsman = serializers.SerializerMethodField()

    class Meta:
        model = Complaint
        fields = ["id", "process", "stage", "status", "assigned_to", "due_date", "overdue",
                  "ombudsman_follow_up_date", "stages", "events",
                  # Additions beyond API.md's list (v1 allows adding fields):
                  "customer", "service", "summary", "received_at", "via_ombudsman",
                  "ombudsman_reference", "contact",
                  # v1.2 (issue 18): the Ombudsman's case, its decision and recommendations.
                  "ombudsman"]

    @extend_schema_field(OmbudsmanSerializer(allow_null=True))
    def get_ombudsman(self, complaint):
        """Null unless the complaint went to the Ombudsman (made to them first, or referred)."""
        if not (complaint.via_ombudsman or complaint.ombudsman_referred_at
                or complaint.stage == Stage.OMBUDSMAN):
            return None
        return OmbudsmanSerializer(complaint).data

    def get_overdue(self, complaint) -> bool:
        today = self.context["today"]
        return complaint.due_date is not None and complaint.due_date < today


class ComplaintListSerializer(ComplaintSerializer):
    class Meta(ComplaintSerializer.Meta):
        fields = [f for f in ComplaintSerializer.Meta.fields if f not in ("stages", "events", "ombudsman")]


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
    remedy = RemedyField(
        required=False, allow_null=True, default=None,
        help_text='v1.2: {"kind": "apology" | "financial" | "service_action" | "other", '
                  '"amount_pounds"?, "detail"?}. A financial remedy needs an amount of more than 0; '
                  '"other" needs a detail. (A plain string, as before v1.2, is kept as an "other" '
                  'remedy in those words.)')
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


class OmbudsmanDecisionSerializer(AtSerializer):
    decision = serializers.ChoiceField(choices=OmbudsmanDecisionKind.choices)
    remedy = RemedyField(required=False, allow_null=True, default=None,
                         help_text="The remedy the Ombudsman asked for, as `respond` takes it.")
    recommendations = RecommendationsField(
        required=False, allow_null=True, default=None,
        help_text="What the Ombudsman recommended, each with its due date (not before the decision).")


class ReviewPanelSerializer(AtSerializer):
    panel_date = api_fields.DateField(required=False, allow_null=True, default=None)
    members = serializers.ListField(child=serializers.CharField(max_length=200), required=False, default=list,
                                    max_length=50)
    recommendations = serializers.CharField(required=False, allow_blank=True, default="",
                                            max_length=TEXT_MAX_LENGTH)
    director_decision = serializers.CharField(required=False, allow_blank=True, default="",
                                              max_length=TEXT_MAX_LENGTH)

    def validate_members(self, members):
        return "\n".join(members)
