from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = "Complaints"

    def retention_schedules(self):
        from complaints.personal_data import retention_schedules

        return retention_schedules()

    def personal_data(self):
        from complaints.personal_data import personal_data

        return personal_data()

    # Hooks for the page shell (core/navigation.py); imports are lazy so the app registry is ready.

    def nav_items(self, user):
        from django.urls import reverse

        from complaints.selectors import COMPLAINT_ROLES
        from core.navigation import NavItem
        from core.roles import has_role

        if not has_role(user, *COMPLAINT_ROLES):
            return []
        return [NavItem(label="Complaints", url=reverse("complaints:register"), order=30)]

    def attention_items(self, user):
        from django.urls import reverse

        from complaints.selectors import complaint_attention_counts, complaints_visible_to
        from core.navigation import AttentionItem

        if not complaints_visible_to(user).exists():
            return []
        counts = complaint_attention_counts(user)
        register = reverse("complaints:register")
        return [
            AttentionItem("Complaints awaiting allocation", counts["awaiting_allocation"],
                          f"{register}?status=awaiting_allocation"),
            AttentionItem("Complaints due within 2 working days", counts["due_soon"],
                          f"{register}?due_soon=1", urgent=True),
            AttentionItem("Complaints overdue", counts["overdue"], f"{register}?overdue=yes", urgent=True),
            AttentionItem("Ombudsman follow-ups in the next 2 weeks", counts["ombudsman_follow_up"],
                          f"{register}?ombudsman=1"),
        ]

    def timeline_entries(self, customer, user):
        from complaints.selectors import complaints_known_to

        return [_entry(complaint) for complaint in complaints_known_to(user).filter(customer=customer)
                .order_by("-received_at", "-pk")]

    def contact_entries(self, contact, user):
        from complaints.selectors import complaints_known_to

        return [_entry(complaint) for complaint in complaints_known_to(user).filter(contact=contact)
                .order_by("received_at", "pk")]

    def timeline_notes(self, customer, user):
        from complaints.selectors import complaints_not_listed_for

        left_out = complaints_not_listed_for(user)
        return [f"Restricted cases are not listed here: {left_out}."] if left_out else []

    def letter_document(self, message):
        """A complaint letter by post is its PDF, letterhead and all (core/outbox.py): GOV.UK
        Notify sends it as a precompiled letter."""
        if message.object_type != "complaints.complaintletter":
            return None
        from complaints.documents import letter_pdf
        from complaints.models import ComplaintLetter

        letter = ComplaintLetter.objects.select_related("complaint").filter(pk=message.object_id).first()
        return letter_pdf(letter) if letter is not None else None

    def outbox_message_refused(self, message, reason):
        """A complaint letter Notify would not post (core/outbox.py): the officer hears of it."""
        if message.object_type != "complaints.complaintletter":
            return
        from complaints.models import ComplaintLetter
        from complaints.services import complaint_letter_refused

        letter = (ComplaintLetter.objects.select_related("complaint", "sent_by")
                  .filter(pk=message.object_id).first())
        if letter is not None:
            complaint_letter_refused(letter=letter, reason=reason)

    def outbox_senders(self):
        """Letters by post (issue 18): printed into LETTER_PRINT_DIR when it is set."""
        from django.conf import settings

        from complaints.documents import PrintRoomSender

        return {"letter": PrintRoomSender(settings.LETTER_PRINT_DIR)} if settings.LETTER_PRINT_DIR else {}

    def seed_demo(self, command, rng, today, days):
        from complaints.demo import seed_complaints

        seed_complaints(command=command, rng=rng, today=today, days=days)


def _entry(complaint):
    """A complaint on a customer's or a contact's page: stage, status, due date and owner for
    anyone who may know of it; a link only for those who may open it, so no link answers 404."""
    from django.urls import reverse

    from complaints.models import Status
    from core.navigation import TimelineEntry

    due = f"due {complaint.due_date.day} {complaint.due_date:%B %Y}" if complaint.due_date else ""
    owner = f"with {complaint.assigned_to}" if complaint.assigned_to_id else "awaiting allocation"
    return TimelineEntry(
        type="complaint", id=complaint.pk, at=complaint.received_at,
        title=f"Complaint {complaint.reference}: {complaint.service.name}",
        url=reverse("complaints:detail", args=[complaint.pk]) if complaint.visible else "",
        is_open=complaint.status != Status.CLOSED,
        status=complaint.get_status_display(),
        detail=", ".join(part for part in (
            f"{complaint.get_process_display()}, {complaint.get_stage_display().lower()}", due, owner)
            if part),
    )
