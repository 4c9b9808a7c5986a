from django.apps import AppConfig


class PlanningConfig(AppConfig):
    """Contact-centre planning (issue 22): demand forecasts, Erlang C staffing and the what-if,
    for managers and admins. Above contacts and reporting; hooks import lazily."""

    name = "planning"
    verbose_name = "Contact-centre planning"

    def nav_items(self, user):
        from django.urls import reverse

        from core.navigation import NavItem
        from planning.selectors import can_plan

        if can_plan(user):
            return [NavItem("Planning", reverse("planning:plan"), order=82)]
        return []

    def seed_demo(self, command, rng, today, days):
        from planning.services import forecasts_refresh

        result = forecasts_refresh(today=today)
        command.stdout.write(f"Planning: forecast of {result['series']} services and channels.")
