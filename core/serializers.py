from rest_framework import serializers

from core.models import AvoidableReason, EnquiryType, Service


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class EnquiryTypeSerializer(serializers.ModelSerializer):
    team = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = EnquiryType
        fields = ["code", "name", "handoff_method", "target_working_days", "team"]


class ServiceSerializer(serializers.ModelSerializer):
    enquiry_types = EnquiryTypeSerializer(many=True, source="active_enquiry_types")

    class Meta:
        model = Service
        fields = ["code", "name", "enquiry_types"]


class AvoidableReasonSerializer(serializers.ModelSerializer):
    class Meta:
        model = AvoidableReason
        fields = ["code", "name", "description"]
