from django.apps import AppConfig


class SelfServiceConfig(AppConfig):
    """Resident self service (issue 10): public pages to report a problem, make a request or a
    complaint, and check progress, without a staff login."""

    name = "selfservice"
    verbose_name = "Self service"

    def personal_data(self):
        from selfservice.personal_data import personal_data

        return personal_data()

    def seed_demo(self, command, rng, today, days):
        from selfservice.demo import seed_self_service

        seed_self_service(command=command)
