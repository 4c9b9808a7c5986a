from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The shared app: service catalogue, roles, teams, the working-day calendar, API keys, the
    audit trail and the outbox. It knows no other app of ours."""

    name = "core"
    verbose_name = "Council set-up"
