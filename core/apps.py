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
