from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The shared app: service catalogue, roles, teams, the working-day calendar, API keys, the
    audit trail and the outbox. It knows no other app of ours."""

    name = "core"
    verbose_name = "Council set-up"

    def ready(self):
        # Model dates and timestamps in every ModelSerializer are the API's own fields: bounded on
        # the way in, RFC 3339 on the way out (issue 24).
        from django.db import models
        from rest_framework import serializers

        from core import api_fields

        serializers.ModelSerializer.serializer_field_mapping[models.DateTimeField] = api_fields.DateTimeField
        serializers.ModelSerializer.serializer_field_mapping[models.DateField] = api_fields.DateField
