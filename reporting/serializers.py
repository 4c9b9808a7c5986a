from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contacts.models import SamplingPeriod
from core import api_fields
from core.models import ChannelCode, Service, Site
from reporting import selectors


class _CodeField(serializers.CharField):
    """A catalogue code that must exist; returns the object."""

    def __init__(self, model, **kwargs):
        self.model = model
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        code = super().to_internal_value(data)
        obj = self.model.objects.filter(code=code).first()
        if obj is None:
            raise serializers.ValidationError(f"Unknown {self.model._meta.verbose_name} code “{code}”.")
        return obj


def _validate(self, attrs):
    period = attrs.get("sampling_period")
    if period is not None:
        # A sampling period's figures are those of its days (periods never overlap, and their
        # contacts are stamped with them: contacts.services.sampling_period_save).
        if attrs.get("from") or attrs.get("to"):
            raise serializers.ValidationError(
                {"sampling_period": ["Give a sampling period or from and to, not both."]})
        attrs["from"], attrs["to"] = period.start_date, period.end_date
        return attrs
    start, end = attrs.get("from"), attrs.get("to")
    default_start, default_end = selectors.default_period()
    if start and not end:
        end = max(start, default_end)
    if end and not start:
        start = end - (default_end - default_start)
    start, end = start or default_start, end or default_end
    if start > end:
        raise serializers.ValidationError({"from": ["Must be on or before “to”."]})
    attrs["from"], attrs["to"] = start, end
    return attrs


# "from" is a Python keyword, so the fields are declared through type().
Ni14QuerySerializer = type("Ni14QuerySerializer", (serializers.Serializer,), {
    "from": api_fields.DateField(required=False, help_text="First day (YYYY-MM-DD), inclusive."),
    "to": api_fields.DateField(required=False, help_text="Last day (YYYY-MM-DD), inclusive."),
    "service": _CodeField(Service, required=False, help_text="Service code."),
    "channel": serializers.ChoiceField(choices=ChannelCode.choices, required=False),
    "site": _CodeField(Site, required=False, help_text="Site code."),
    "group_by": serializers.ChoiceField(
        choices=[(g, g) for g in ("service", "channel", "reason", "month")], default="service"),
    "sampling_period": serializers.PrimaryKeyRelatedField(
        queryset=SamplingPeriod.objects.all(), required=False,
        help_text="An NI14 sampling period's id: the report covers its days (not with from/to)."),
    "validate": _validate,
    "__module__": __name__,
})
extend_schema_field({"type": "string"})(_CodeField)


class SamplingPeriodSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    start_date = api_fields.DateField()
    end_date = api_fields.DateField()


class Ni14RowSerializer(serializers.Serializer):
    key = serializers.CharField(allow_null=True)
    total = serializers.IntegerField()
    avoidable = serializers.IntegerField()
    ni14_percent = serializers.FloatField(allow_null=True)


Ni14ReportSerializer = type("Ni14ReportSerializer", (serializers.Serializer,), {
    "from": api_fields.DateField(),
    "to": api_fields.DateField(),
    "total_contacts": serializers.IntegerField(),
    "avoidable_contacts": serializers.IntegerField(),
    "ni14_percent": serializers.FloatField(allow_null=True),
    "first_contact_resolution_percent": serializers.FloatField(allow_null=True),
    "rows": Ni14RowSerializer(many=True),
    "sampling_period": SamplingPeriodSerializer(allow_null=True),
    "__module__": __name__,
})
