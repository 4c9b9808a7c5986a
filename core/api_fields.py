"""The API's date and timestamp fields (issue 24): what a client sends is bounded
(`core.input_guard`: not before CLIENT_DATE_EARLIEST, 1 January 1900 by default, nor after
CLIENT_DATE_LATEST) and what the API returns is RFC 3339. Every serializer uses these, not DRF's;
`core.apps` makes them the ModelSerializer's fields for model dates and timestamps too."""

from rest_framework import serializers

from core.input_guard import day_error, moment_error, rfc3339


class DateTimeField(serializers.DateTimeField):
    def to_internal_value(self, value):
        moment = super().to_internal_value(value)
        if problem := moment_error(moment):
            raise serializers.ValidationError(problem)
        return moment

    def to_representation(self, value):
        if not value:
            return None
        if isinstance(value, str):
            return value
        text = rfc3339(self.enforce_timezone(value))
        return text[:-6] + "Z" if text.endswith("+00:00") else text  # as DRF writes UTC


class DateField(serializers.DateField):
    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        if problem := day_error(day):
            raise serializers.ValidationError(problem)
        return day
