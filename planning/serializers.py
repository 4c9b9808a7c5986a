"""Shapes of the forecast and staffing APIs (issue 22). Query serializers check the parameters
(400 with the field's name on bad input); the figures come from the selectors and staffing."""

from django.conf import settings
from rest_framework import serializers

from core import api_fields
from core.models import AvoidableReason, ChannelCode, Service
from planning.staffing import STAFFED_CHANNELS

INTERVALS = ("day", "30min")


class _CodeField(serializers.CharField):
    """A code of a catalogue row that must exist; returns the row. Text first, so that what no
    code could be (a NUL character, 200 characters) is refused before the database is asked."""

    def __init__(self, queryset, what: str, **kwargs):
        self.queryset, self.what = queryset, what
        super().__init__(max_length=50, required=False, **kwargs)

    def run_validation(self, data=serializers.empty):
        code = super().run_validation(data)  # the text's checks (no NUL characters) first
        found = self.queryset.filter(code=code).first()
        if found is None:
            raise serializers.ValidationError(f"Unknown {self.what} code “{code}”.")
        return found


def _code_field(queryset, what: str, **kwargs) -> _CodeField:
    return _CodeField(queryset, what, **kwargs)


def _validate_period(self, attrs):
    start, end = attrs.get("from"), attrs.get("to")
    if start and end and start > end:
        raise serializers.ValidationError({"from": ["Must be on or before “to”."]})
    return attrs


# "from" is a Python keyword, so the fields are declared through type() (as reporting does).
ForecastQuerySerializer = type("ForecastQuerySerializer", (serializers.Serializer,), {
    "service": _code_field(Service.objects.all(), "service",
                           help_text="A service code; without it, every service added up."),
    "channel": serializers.ChoiceField(choices=ChannelCode.choices, required=False,
                                       help_text="One channel; without it, every channel."),
    "interval": serializers.ChoiceField(
        choices=[(i, i) for i in INTERVALS], default="day",
        help_text="day: by day for the next 8 weeks; 30min: by half hour for the next 2 weeks."),
    "from": api_fields.DateField(required=False, help_text="First day (YYYY-MM-DD), inclusive."),
    "to": api_fields.DateField(required=False, help_text="Last day (YYYY-MM-DD), inclusive."),
    "validate": _validate_period,
    "__module__": __name__,
})


class ForecastRowSerializer(serializers.Serializer):
    date = api_fields.DateField(help_text="The day (Europe/London).")
    starts_at = api_fields.DateTimeField(allow_null=True, help_text="The half hour's start; null by day.")
    channel = serializers.ChoiceField(choices=ChannelCode.choices)
    contacts = serializers.FloatField(help_text="Contacts forecast, to one decimal place.")


class BacktestSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=ChannelCode.choices)
    contacts = serializers.IntegerField(help_text="Contacts received in the held-back days.")
    mape = serializers.FloatField(allow_null=True, help_text="The forecast's mean absolute percentage error.")
    mase = serializers.FloatField(allow_null=True, help_text="The forecast's mean absolute scaled error.")
    seasonal_naive_mape = serializers.FloatField(allow_null=True,
                                                 help_text="“Same day last week”'s MAPE on the same days.")
    seasonal_naive_mase = serializers.FloatField(allow_null=True,
                                                 help_text="“Same day last week”'s MASE on the same days.")
    beats_seasonal_naive = serializers.BooleanField(allow_null=True,
                                                    help_text="The forecast's MASE is the lower.")


ForecastSerializer = type("ForecastSerializer", (serializers.Serializer,), {
    "made_at": api_fields.DateTimeField(allow_null=True, help_text="Null: no forecast has been made yet."),
    "history_from": api_fields.DateField(allow_null=True),
    "history_to": api_fields.DateField(allow_null=True,
                                        help_text="The last day of history it was made from."),
    "backtest_from": api_fields.DateField(allow_null=True),
    "backtest_to": api_fields.DateField(allow_null=True),
    "service": serializers.CharField(allow_null=True),
    "interval": serializers.ChoiceField(choices=[(i, i) for i in INTERVALS]),
    "rows": ForecastRowSerializer(many=True),
    "backtest": BacktestSerializer(many=True),
    "__module__": __name__,
})


def _percent(low: int, high: int, default: int, help_text: str) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=low, max_value=high, default=default, help_text=help_text)


class StaffingQuerySerializer(serializers.Serializer):
    channel = serializers.ChoiceField(
        choices=[(c, c) for c in STAFFED_CHANNELS], default=ChannelCode.TELEPHONE,
        help_text="The queue: the telephone or the counters (face_to_face).")
    service = _code_field(Service.objects.all(), "service",
                          help_text="A service code; without it, every service's contacts in one queue.")
    date = api_fields.DateField(required=False, help_text="One day; without it, the next 2 weeks.")
    service_level = _percent(1, 99, 80, "Per cent of arrivals answered (or seen) within target_seconds.")
    target_seconds = serializers.IntegerField(
        min_value=1, max_value=14400, required=False,
        help_text="Default 20 for the telephone, 600 (10 minutes) for the counters.")
    max_occupancy = _percent(50, 100, 85, "Per cent of their time advisers are busy, at most.")
    shrinkage = _percent(0, 80, 30, "Per cent of paid time not available (breaks, training, leave).")
    shift_to_web = _percent(0, 100, 0,
                            "What-if: per cent of telephone and face-to-face contacts moved to the web.")
    reason = _code_field(AvoidableReason.objects.filter(is_active=True), "NI14 reason",
                         help_text="What-if: an NI14 reason whose contacts are cut.")
    reason_reduction = _percent(0, 100, 50,
                                "What-if: per cent of that reason's contacts cut (50 halves them).")
    staff_hour_cost = serializers.FloatField(
        min_value=0, max_value=1000, required=False,
        help_text=f"Pounds an adviser hour costs; default {settings.PLANNING_STAFF_HOUR_COST:.2f} "
                  "(PLANNING_STAFF_HOUR_COST).")


class StaffingIntervalSerializer(serializers.Serializer):
    starts_at = api_fields.DateTimeField()
    contacts = serializers.FloatField()
    handling_time_seconds = serializers.FloatField()
    traffic_erlangs = serializers.FloatField()
    advisers = serializers.IntegerField(help_text="Needed on the telephones (or counters) at once.")
    rostered_advisers = serializers.IntegerField(help_text="To roster, with shrinkage.")
    service_level_percent = serializers.FloatField(allow_null=True)
    occupancy_percent = serializers.FloatField(allow_null=True)
    average_wait_seconds = serializers.FloatField(allow_null=True)
    what_if_contacts = serializers.FloatField()
    what_if_rostered_advisers = serializers.IntegerField()


class StaffingTargetsSerializer(serializers.Serializer):
    service_level = serializers.IntegerField()
    target_seconds = serializers.IntegerField()
    max_occupancy = serializers.IntegerField()
    shrinkage = serializers.IntegerField()


class StaffingWhatIfSerializer(serializers.Serializer):
    shift_to_web = serializers.IntegerField()
    reason = serializers.CharField(allow_null=True)
    reason_reduction = serializers.IntegerField()
    staff_hour_cost = serializers.FloatField()


class StaffingSerializer(serializers.Serializer):
    made_at = api_fields.DateTimeField(allow_null=True, help_text="Null: no forecast has been made yet.")
    channel = serializers.ChoiceField(choices=[(c, c) for c in STAFFED_CHANNELS])
    service = serializers.CharField(allow_null=True)
    targets = StaffingTargetsSerializer()
    what_if = StaffingWhatIfSerializer()
    date_from = api_fields.DateField(allow_null=True)
    date_to = api_fields.DateField(allow_null=True)
    intervals = StaffingIntervalSerializer(many=True)
    staff_hours = serializers.FloatField(help_text="Rostered advisers x half an hour, over the days.")
    what_if_staff_hours = serializers.FloatField()
    staff_hours_saved = serializers.FloatField()
    cost_saved = serializers.FloatField(help_text="Staff hours saved x staff_hour_cost, in pounds.")
