from django.apps import AppConfig


class NotifyConfig(AppConfig):
    """GOV.UK Notify as the outbox's delivery channel (issue 19): email, text messages and
    letters, delivery receipts, the local stand-in, proactive updates and their effect."""

    name = "notify"
    verbose_name = "Messages to residents"

    def outbox_senders(self):
        """core/outbox.py: with NOTIFY_API_KEY every channel goes through Notify; without it,
        email stays with core's sender (EMAIL_URL) and the rest is written to the log."""
        from django.conf import settings

        from notify.senders import ConsoleSender, NotifySender

        if settings.NOTIFY_API_KEY:
            return {channel: NotifySender() for channel in ("email", "sms", "letter")}
        # Without a key, letters stay with the complaints app's printing sender (issue 18).
        return {"sms": ConsoleSender()}

    def nav_items(self, user):
        from django.urls import reverse

        from core.navigation import NavItem
        from core.roles import Role, has_role

        if has_role(user, Role.MANAGER, Role.ADMIN):
            return [NavItem("Updates", reverse("notify:effect"), order=85)]
        return []
