from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The shared app: service catalogue, roles, teams, the working-day calendar, API keys, the
    audit trail and the outbox. It knows no other app of ours."""

    name = "core"
    verbose_name = "Council set-up"

    def retention_schedules(self):
        from core.personal_data_core import retention_schedules

        return retention_schedules()

    def personal_data(self):
        from core.personal_data_core import personal_data

        return personal_data()
    def ready(self):
        from django.db import models
        from rest_framework import serializers

        from core import api_fields, lookups

        # `id__in_array=ids`: a list of ids as one array parameter (the work lists' searches).
        lookups.register()
        # Model dates and timestamps in every ModelSerializer are the API's own fields: bounded on
        # the way in, RFC 3339 on the way out (issue 24).
        serializers.ModelSerializer.serializer_field_mapping[models.DateTimeField] = api_fields.DateTimeField
        serializers.ModelSerializer.serializer_field_mapping[models.DateField] = api_fields.DateField
