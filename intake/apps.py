from django.apps import AppConfig


class IntakeConfig(AppConfig):
    """Taking a contact at any door: the one use case above contacts, hand-offs and complaints
    (DOMAIN.md, "No wrong door means every door, one set of rules"), with the pages and the API
    that serve it. The page-shell hooks import lazily: the app registry loads configs before
    models."""

    name = "intake"
    verbose_name = "Taking contacts"

    def nav_items(self, user):
        from django.urls import reverse

        from core.navigation import NavItem
        from core.roles import Role, has_role
        from intake import selectors

        if selectors.can_log_at_front_office(user):
            return [NavItem("Log a contact", reverse("intake:log"), order=10),
                    *([NavItem("Log a complaint", f"{reverse('intake:log')}?complaint=1", order=12)]
                      if has_role(user, Role.ADVISER) else [])]
        if selectors.can_log_for_a_team(user):
            return [NavItem("Log a contact", reverse("intake:team-log"), order=10)]
        return []

    def customer_actions(self, customer, user):
        from django.urls import reverse

        from core.navigation import NavItem
        from intake import selectors

        if selectors.can_log_at_front_office(user):
            url = reverse("intake:log")
        elif selectors.can_log_for_a_team(user):
            url = reverse("intake:team-log")
        else:
            return []
        return [NavItem("Log a contact", f"{url}?customer={customer.pk}", order=10),
                NavItem("Log a complaint", f"{url}?customer={customer.pk}&complaint=1", order=12)]
