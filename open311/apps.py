from django.apps import AppConfig


class Open311Config(AppConfig):
    """Open311 GeoReport v2 for street-reporting partners (issue 10): which enquiry types are
    offered as Open311 services, with their attributes, and the endpoints that speak it."""

    name = "open311"
    verbose_name = "Open311"

    def personal_data(self):
        from open311.personal_data import personal_data

        return personal_data()

    def seed_demo(self, command, rng, today, days):
        from open311.demo import seed_open311

        seed_open311(command=command)
