from django.apps import AppConfig


class ReportingConfig(AppConfig):
    """Reports for managers and admins. Hooks import lazily (configs load before models)."""

    name = "reporting"
    verbose_name = "Reporting"

    def nav_items(self, user):
        from django.urls import reverse

        from core.navigation import NavItem
        from core.roles import Role, has_role

        if has_role(user, Role.MANAGER, Role.ADMIN):
            return [NavItem("Reports", reverse("reporting:dashboard"), order=80)]
        return []

    def attention_items(self, user):
        from django.urls import reverse
        from django.utils import timezone

        from core.navigation import AttentionItem
        from core.roles import Role, has_role
        from reporting import selectors

        if not has_role(user, Role.MANAGER):
            return []
        today = timezone.localdate()
        filters = selectors.Filters(date_from=today.replace(day=1), date_to=today)
        head = selectors.headline(filters)
        url = (f"{reverse('reporting:dashboard')}?date_from={filters.date_from.isoformat()}"
               f"&date_to={today.isoformat()}")
        percent = head["ni14_percent"]
        return [AttentionItem(
            "Avoidable contacts this month", head["avoidable_contacts"], url,
            hint=(f"NI14 {percent}% of {head['total_contacts']} contacts." if percent is not None
                  else "No contacts yet this month."),
        )]
