from django.apps import AppConfig


class ContactsConfig(AppConfig):
    """Customers and contacts. The page-shell hooks import lazily: the app registry loads
    configs before models."""

    name = "contacts"
    verbose_name = "Customers and contacts"

    def retention_schedules(self):
        from contacts.personal_data import retention_schedules

        return retention_schedules()

    def personal_data(self):
        from contacts.personal_data import personal_data

        return personal_data()

    def nav_items(self, user):
        from django.urls import reverse

        from contacts import selectors
        from core.navigation import NavItem

        items = []
        if selectors.can_view_customers(user):
            items.append(NavItem("Customers", reverse("contacts:customers"), order=15))
        return items

    def attention_items(self, user):
        from django.urls import reverse
        from django.utils import timezone

        from contacts import selectors
        from core.navigation import AttentionItem
        from core.roles import Role, has_role

        if not selectors.can_log_contacts(user):
            return []
        own = not has_role(user, Role.MANAGER, Role.ADMIN)
        count = selectors.repeat_contacts_on(timezone.localdate(), user).count()
        return [AttentionItem(
            "Your repeat contacts today" if own else "Repeat contacts today", count,
            reverse("contacts:repeats"),
            hint="Customers chasing an enquiry that is still open.",
        )]

    def timeline_entries(self, customer, user):
        from django.urls import reverse

        from contacts import selectors
        from core.navigation import TimelineEntry

        entries = []
        for contact in selectors.contacts_for_customer(customer, user):
            about = contact.enquiry_type.name if contact.enquiry_type else contact.service.name
            detail = contact.summary if len(contact.summary) <= 200 else contact.summary[:199] + "…"
            if contact.avoidable:
                detail += f" (Avoidable: {contact.avoidable_reason.name})"
            entries.append(TimelineEntry(
                type="contact", id=contact.pk, at=contact.received_at,
                title=f"{contact.get_channel_display()}: {about}",
                url=reverse("contacts:contact", args=[contact.pk]),
                is_open=contact.enquiry_closed_at is None,
                status="open" if contact.enquiry_closed_at is None else "closed",
                detail=detail,
            ))
        return entries

    def seed_demo(self, command, rng, today, days):
        from contacts.demo import seed_contacts

        seed_contacts(command=command, rng=rng, today=today, days=days)
