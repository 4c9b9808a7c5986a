from django.conf import settings
from django.db import models
from django.db.models import Q

from contacts.models import Contact
from core.models import HandoffMethod, Team


class HandoffQuerySet(models.QuerySet):
    def unresolved(self):
        return self.exclude(status=Handoff.Status.RESOLVED)

    def due_for_reminder(self, last_due_date):
        """Unresolved, not yet reminded, due on or before `last_due_date` (handoff_remind_idx)."""
        return self.unresolved().filter(reminded_at__isnull=True, due_date__lte=last_due_date)

    def due_for_overdue(self, today):
        """Unresolved, not yet marked overdue, due before `today` (handoff_overdue_idx)."""
        return self.unresolved().filter(overdue_at__isnull=True, due_date__lt=today)

    def for_teams(self, teams):
        return self.filter(team__in=teams)


class Handoff(models.Model):
    """A contact passed from the front office to a back-office team (DOMAIN.md, "Hand-offs").

    Only Fire and Forget and Customer Advocate contacts have one; One & Done is the contact alone.
    A contact has one hand-off, except a life event told once (Tell Us Once): one contact, a
    hand-off to each service told (DOMAIN.md: "one contact, however many services it reaches").
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        RESOLVED = "resolved", "Resolved"

    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="handoffs")
    method = models.CharField(max_length=20, choices=HandoffMethod.choices)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="handoffs")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="handoffs_assigned",
    )
    # Customer Advocate: the front-office adviser who keeps owning the enquiry.
    advocate = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="handoffs_advocated",
    )
    opened_at = models.DateTimeField()
    due_date = models.DateField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(blank=True)
    overdue_at = models.DateTimeField(
        null=True, blank=True, help_text="When the sweep found it past its due date."
    )
    reminded_at = models.DateTimeField(
        null=True, blank=True, help_text="When the sweep reminded the owner of the due date."
    )
    triage_alerted_at = models.DateTimeField(
        null=True, blank=True,
        help_text="When the sweep told the team's manager that nobody had accepted it in time.",
    )
    # The contact's customer, copied here so that the work lists' search ("Buckley") reads the
    # hand-offs of the customers it found from an index instead of joining every open hand-off
    # with its contact (issue 20). The database keeps it: triggers copy it when a hand-off is
    # stored and when a contact's customer changes (a merge, its undo); migration 0006. A plain
    # id, not a foreign key: the customer's rows are the contacts', moved and erased with them.
    contact_customer_id = models.BigIntegerField(null=True, blank=True, editable=False)

    objects = HandoffQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(method=HandoffMethod.ONE_AND_DONE), name="handoff_not_one_and_done"
            ),
            models.CheckConstraint(
                condition=Q(status="resolved", resolved_at__isnull=False)
                | (~Q(status="resolved") & Q(resolved_at__isnull=True)),
                name="handoff_resolved_has_time",
            ),
        ]
        indexes = [
            # The sweep and the queues touch only unresolved hand-offs, by due date.
            models.Index(
                fields=["due_date"], condition=~Q(status="resolved"), name="handoff_open_due_idx"
            ),
            # The sweep's two queries: each partial index holds only the hand-offs still waiting
            # for that step, so a sweep reads what is due, not every open hand-off.
            models.Index(
                fields=["due_date"],
                condition=Q(reminded_at__isnull=True) & ~Q(status="resolved"),
                name="handoff_remind_idx",
            ),
            models.Index(
                fields=["due_date"],
                condition=Q(overdue_at__isnull=True) & ~Q(status="resolved"),
                name="handoff_overdue_idx",
            ),
            # The triage alert's query: only the unaccepted hand-offs not yet alerted on.
            models.Index(
                fields=["opened_at"],
                condition=Q(status="open", accepted_at__isnull=True, triage_alerted_at__isnull=True),
                name="handoff_triage_idx",
            ),
            models.Index(fields=["team", "status", "due_date"], name="handoff_queue_idx"),
            models.Index(fields=["contact_customer_id"], name="handoff_customer_idx"),
            models.Index(
                fields=["advocate", "due_date"], condition=~Q(status="resolved"),
                name="handoff_advocate_open_idx",
            ),
            # The queues (issue 20) read a page of unresolved hand-offs in the order shown
            # (due date, then id), so no sort of a million rows: everyone's, a team's, an
            # officer's ("assigned to me").
            models.Index(
                fields=["due_date", "id"], condition=~Q(status="resolved"),
                name="handoff_open_due_id_idx",
            ),
            models.Index(
                fields=["team", "due_date", "id"], condition=~Q(status="resolved"),
                name="handoff_team_open_due_idx",
            ),
            models.Index(
                fields=["assigned_to", "due_date", "id"], condition=~Q(status="resolved"),
                name="handoff_assignee_open_idx",
            ),
            # Sorted by status (then due date): without it the queue sorted every open hand-off
            # of the team to show 50 (0.55 s of a 0.85 s page at 390,000 open).
            models.Index(
                fields=["status", "due_date", "id"], condition=~Q(status="resolved"),
                name="handoff_open_status_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Hand-off {self.pk}"


# Which actions each status allows (issue 4): the services enforce it (StateConflict, 409) and
# the pages offer only these.
ACTION_STATUSES = {
    "accept": {Handoff.Status.OPEN},
    "update": {Handoff.Status.OPEN, Handoff.Status.IN_PROGRESS},
    "reassign": {Handoff.Status.OPEN, Handoff.Status.IN_PROGRESS},
    "resolve": {Handoff.Status.OPEN, Handoff.Status.IN_PROGRESS},
}


class HandoffUpdate(models.Model):
    """One event on a hand-off's timeline: who, when, what."""

    class Kind(models.TextChoices):
        OPENED = "opened", "Opened"
        ACCEPTED = "accepted", "Accepted"
        NOTE = "note", "Update"
        REASSIGNED = "reassigned", "Reassigned"
        RESOLVED = "resolved", "Resolved"
        REMINDER = "reminder", "Reminder sent"
        OVERDUE = "overdue", "Marked overdue"

    class InformedVia(models.TextChoices):
        PHONE = "phone", "Phone"
        EMAIL = "email", "Email"
        LETTER = "letter", "Letter"
        IN_PERSON = "in_person", "In person"

    handoff = models.ForeignKey(Handoff, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    at = models.DateTimeField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)
    customer_informed = models.BooleanField(default=False)
    informed_via = models.CharField(max_length=20, choices=InformedVia.choices, blank=True)
    informed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["handoff", "at"], name="handoff_update_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on hand-off {self.handoff_id}"
