from django.apps import AppConfig


class HandoffsConfig(AppConfig):
    """Hand-offs between front and back office. The page-shell hooks import lazily: the app
    registry loads configs before models."""

    name = "handoffs"
    verbose_name = "Hand-offs"

    def retention_schedules(self):
        from handoffs.personal_data import retention_schedules

        return retention_schedules()

    def personal_data(self):
        from handoffs.personal_data import personal_data

        return personal_data()

    def nav_items(self, user):
        from django.urls import reverse

        from core.navigation import NavItem
        from core.roles import Role, has_role

        items = []
        if has_role(user, Role.BACK_OFFICE, Role.MANAGER, Role.ADMIN):
            items.append(NavItem("Team queue", reverse("handoffs:queue"), order=20))
        if has_role(user, Role.ADVISER):
            items.append(NavItem("My advocate cases", reverse("handoffs:advocate"), order=20))
        return items

    def attention_items(self, user):
        from django.urls import reverse

        from core.navigation import AttentionItem
        from core.roles import Role, has_role
        from handoffs import selectors

        items = []
        if has_role(user, Role.BACK_OFFICE):
            open_count, overdue_count = selectors.handoff_counts_for_officer(user)
            queue = reverse("handoffs:queue")
            items.append(AttentionItem("Open hand-offs in your teams", open_count, queue))
            items.append(AttentionItem("Overdue hand-offs", overdue_count, f"{queue}?overdue=on",
                                       hint="Past their service standard.", urgent=True))
        if has_role(user, Role.ADVISER):
            items.append(AttentionItem("Your open advocate cases",
                                       selectors.advocate_cases(user).count(),
                                       reverse("handoffs:advocate"),
                                       hint="Keep these customers informed."))
        return items

    def timeline_entries(self, customer, user):
        from handoffs import selectors

        return [_entry(handoff) for handoff in selectors.handoffs_about_customer(customer, user)]

    def contact_entries(self, contact, user):
        from handoffs import selectors

        return [_entry(handoff) for handoff in selectors.handoffs_about_contact(contact, user)]

    def seed_demo(self, command, rng, today, days):
        from handoffs.demo import seed_handoffs

        seed_handoffs(command=command, rng=rng, today=today, days=days)


def _entry(handoff):
    """A hand-off on a customer's or a contact's page: team, status and due date for anyone who
    may know of it; a link only for those who may open it (`handoffs_visible_to`), so no link
    answers 404 (issue 15, "the 360 tells the whole story it may")."""
    from django.urls import reverse

    from core.navigation import TimelineEntry
    from handoffs.services import long_date

    return TimelineEntry(
        type="handoff", id=handoff.pk, at=handoff.opened_at,
        title=f"Hand-off to {handoff.team.name}: "
              f"{(handoff.contact.enquiry_type or handoff.contact.service).name}",
        url=reverse("handoffs:detail", args=[handoff.pk]) if handoff.visible else "",
        is_open=handoff.status != handoff.Status.RESOLVED,
        status=handoff.status,
        detail=(f"{handoff.get_method_display()}, due {long_date(handoff.due_date)}"
                + (f", with {handoff.assigned_to}" if handoff.assigned_to_id else "")),
    )
