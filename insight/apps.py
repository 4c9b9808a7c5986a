from django.apps import AppConfig


class InsightConfig(AppConfig):
    """Customer insight: surveys, journeys, services used together, Tell Us Once. Hooks import
    lazily (configs load before models)."""

    name = "insight"
    verbose_name = "Customer insight"

    def retention_schedules(self):
        from insight.personal_data import retention_schedules

        return retention_schedules()

    def personal_data(self):
        from insight.personal_data import personal_data

        return personal_data()

    def nav_items(self, user):
        from django.urls import reverse

        from core.navigation import NavItem
        from insight import selectors

        items = []
        if selectors.can_record_at_front_office(user):
            items.append(NavItem("Tell Us Once", reverse("insight:life-events"), order=30))
        if selectors.can_see_insight(user):
            items.append(NavItem("Customer insight", reverse("insight:surveys"), order=85))
        elif selectors.can_record_at_front_office(user):
            items.append(NavItem("Counter feedback", reverse("insight:counter"), order=35))
        return items

    def seed_demo(self, command, rng, today, days):
        from insight.demo import seed_insight

        seed_insight(command=command, rng=rng, today=today, days=days)
