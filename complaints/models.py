from django.conf import settings
from django.db import models
from django.db.models import Q

from contacts.models import Contact, Customer
from core.models import Service
from core.roles import Role


class Process(models.TextChoices):
    CORPORATE = "corporate", "Corporate"
    STATUTORY = "statutory", "Statutory (Social Care and Health)"


class Stage(models.TextChoices):
    """Stored as a short code; the API shows 1, 2, 3 or "ombudsman" (API.md, "Complaints")."""

    ONE = "1", "Stage 1"
    TWO = "2", "Stage 2"
    THREE = "3", "Stage 3"
    OMBUDSMAN = "ombudsman", "Ombudsman"


class Status(models.TextChoices):
    AWAITING_ALLOCATION = "awaiting_allocation", "Awaiting allocation"
    OPEN = "open", "Open"
    RESPONDED = "responded", "Responded"
    CLOSED = "closed", "Closed"


class Outcome(models.TextChoices):
    UPHELD = "upheld", "Upheld"
    PARTLY_UPHELD = "partly_upheld", "Partly upheld"
    NOT_UPHELD = "not_upheld", "Not upheld"


class ResponseClockStart(models.TextChoices):
    """The event that starts a stage's response clock (the transition table's clock events,
    complaints/transitions.py ClockEvent)."""

    RECEIPT = "receipt", "Receipt of the complaint"
    ALLOCATION = "allocation", "Allocation to an officer"
    ACKNOWLEDGEMENT = "acknowledgement", "The acknowledgement"
    ESCALATION = "escalation", "The escalation request"


class ComplaintRuleSetQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class ComplaintRuleSet(models.Model):
    """A preset of complaint timescales an admin can switch between (DOMAIN.md, "Complaints":
    "a council must be able to configure them without a code change").

    Exactly one is active. A stage copies the numbers it starts with (ComplaintStage.rule_*), so
    editing or switching rules applies to stages started afterwards and never moves a running
    deadline.
    """

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=False)
    version = models.PositiveIntegerField(
        default=1, help_text="Raised by one on every change, and stored on each stage it starts."
    )
    ombudsman_follow_up_days = models.PositiveSmallIntegerField(
        default=84, help_text="Calendar days after referral (or receipt, if premature) that the "
                              "Ombudsman follows up."
    )
    ombudsman_reminder_working_days = models.PositiveSmallIntegerField(default=5)
    changed_at = models.DateTimeField()

    objects = ComplaintRuleSetQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="one_active_complaint_rule_set"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version}{', active' if self.is_active else ''})"


class ComplaintStageRule(models.Model):
    """One stage of one process under a rule set: its clocks (which event starts each, how long
    it runs, how far it may be extended), reminder offset and owning role. The transition table
    (complaints/transitions.py, `clock_effects`) reads these; no service decides a clock itself."""

    rule_set = models.ForeignKey(ComplaintRuleSet, on_delete=models.CASCADE, related_name="stage_rules")
    process = models.CharField(max_length=20, choices=Process.choices)
    stage = models.CharField(max_length=10, choices=Stage.choices)
    working_days = models.PositiveSmallIntegerField(help_text="Working days to respond.")
    acknowledge_working_days = models.PositiveSmallIntegerField(
        null=True, blank=True,
        help_text="Working days to acknowledge, from the start of the stage (receipt at stage 1, "
                  "the escalation request later); empty: no acknowledgement clock.",
    )
    response_clock_starts = models.CharField(
        max_length=20, choices=ResponseClockStart.choices, default=ResponseClockStart.ALLOCATION,
        help_text="The event the working days to respond count from.",
    )
    extensions_allowed = models.BooleanField(
        default=False, help_text="Whether the response may be extended, with a reason (the extend action)."
    )
    interim_response_revises_target = models.BooleanField(
        default=True, help_text="Whether an interim response moves the deadline to a revised target.",
    )
    extension_working_days = models.PositiveSmallIntegerField(
        default=0, help_text="How far an extension, or an interim response, may move the response "
                             "deadline, in working days (0 = no limit for an interim response)."
    )
    reminder_working_days = models.PositiveSmallIntegerField(
        default=2, help_text="Remind the owner this many working days before the deadline."
    )
    owning_role = models.CharField(max_length=30, choices=Role.choices)
    owner_description = models.CharField(max_length=200, blank=True)
    different_officer_from_previous_stage = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["rule_set", "process", "stage"], name="one_rule_per_stage_per_rule_set"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_process_display()} stage {self.stage}: {self.working_days} working days"


class ComplaintQuerySet(models.QuerySet):
    def unresolved(self):
        return self.exclude(status=Status.CLOSED)

    def with_running_clock(self):
        return self.filter(due_date__isnull=False)

    def overdue_on(self, day):
        return self.filter(due_date__lt=day)


class Complaint(models.Model):
    """A corporate or statutory complaint (DOMAIN.md, "Complaints"). State changes only through
    complaints/services.py, following complaints/transitions.py."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="complaints")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="complaints")
    summary = models.TextField()
    received_at = models.DateTimeField()
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.PROTECT, related_name="complaints",
        help_text="The contact the complaint arrived through, if any.",
    )
    process = models.CharField(max_length=20, choices=Process.choices)
    stage = models.CharField(max_length=10, choices=Stage.choices, default=Stage.ONE)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.AWAITING_ALLOCATION)
    # No index of its own: the index led by it (Meta) serves every lookup by officer; with this
    # one too, PostgreSQL probed it and filtered an officer's complaints row by row.
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="complaints_assigned", db_index=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="complaints_created",
    )
    created_at = models.DateTimeField()
    allocated_at = models.DateTimeField(
        null=True, blank=True, help_text="First allocation: stage 1's clock starts here."
    )
    # The running clock: the current stage's deadline (its revised target after an interim
    # response); empty when no clock runs (awaiting allocation at stage 1, responded, closed).
    due_date = models.DateField(null=True, blank=True)
    overdue_at = models.DateTimeField(
        null=True, blank=True, help_text="When the sweep found the current stage past its deadline."
    )
    via_ombudsman = models.BooleanField(default=False, help_text="Made to the Ombudsman first.")
    ombudsman_reference = models.CharField(max_length=100, blank=True)
    ombudsman_referred_at = models.DateTimeField(null=True, blank=True)
    ombudsman_follow_up_date = models.DateField(null=True, blank=True)
    rule_set = models.ForeignKey(ComplaintRuleSet, on_delete=models.PROTECT, related_name="+")
    rule_set_version = models.PositiveIntegerField()

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["process", "status", "stage"], name="complaint_register_idx"),
            models.Index(fields=["service", "status"], name="complaint_service_idx"),
            # An officer's complaints, by process (the register's officer filter lists the officers
            # holding a complaint the user may see, `complaints.views.register`: one index probe
            # an officer, not a read of every complaint they ever held, 15 ms for an officer's
            # 4,000 statutory ones; issue 20) and status.
            models.Index(fields=["assigned_to", "process", "status"], name="complaint_officer_process_idx"),
            models.Index(fields=["received_at"], name="complaint_received_idx"),
            # The register sorted by due date (issue 20): a page in index order, ties by id.
            models.Index(fields=["due_date", "id"], name="complaint_due_id_idx"),
            # The sweep reads only complaints with a running clock, by deadline.
            models.Index(fields=["due_date"], condition=Q(due_date__isnull=False),
                         name="complaint_clock_due_idx"),
            models.Index(fields=["ombudsman_follow_up_date"],
                         condition=Q(ombudsman_follow_up_date__isnull=False) & ~Q(status="closed"),
                         name="complaint_ombudsman_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(stage="3") | Q(process="statutory"),
                name="complaint_stage_three_is_statutory",
            ),
            models.CheckConstraint(
                condition=Q(status="awaiting_allocation") | Q(status="closed")
                | Q(assigned_to__isnull=False),
                name="complaint_open_has_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"Complaint {self.pk}"

    @property
    def reference(self) -> str:
        return f"C{self.pk:06d}"


class ComplaintStage(models.Model):
    """One stage of a complaint, with the rule it started under (DOMAIN.md, "Complaints")."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="stages")
    stage = models.CharField(max_length=10, choices=Stage.choices)
    started_at = models.DateTimeField()
    allocated_at = models.DateTimeField(null=True, blank=True, help_text="First allocation at this stage.")
    acknowledgement_due_date = models.DateField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    clock_started_at = models.DateTimeField(null=True, blank=True, help_text="The response clock's start.")
    due_date = models.DateField(null=True, blank=True,
                                help_text="The response deadline before any extension.")
    extended_by_working_days = models.PositiveSmallIntegerField(default=0, db_default=0)
    interim_response_at = models.DateTimeField(null=True, blank=True)
    revised_target_date = models.DateField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    response = models.TextField(blank=True)
    remedy = models.TextField(blank=True)
    lessons_learned = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    overdue_at = models.DateTimeField(null=True, blank=True)
    rule_set_version = models.PositiveIntegerField(null=True, blank=True)
    rule_working_days = models.PositiveSmallIntegerField(null=True, blank=True)
    rule_reminder_working_days = models.PositiveSmallIntegerField(default=2)
    rule_extension_working_days = models.PositiveSmallIntegerField(default=0)
    # The clock rule the stage started under (see ComplaintStageRule), copied like the numbers above.
    rule_acknowledge_working_days = models.PositiveSmallIntegerField(null=True, blank=True)
    rule_response_clock_starts = models.CharField(
        max_length=20, choices=ResponseClockStart.choices, default=ResponseClockStart.ALLOCATION,
        db_default=ResponseClockStart.ALLOCATION,
    )
    rule_extensions_allowed = models.BooleanField(default=False, db_default=False)
    rule_interim_response_revises_target = models.BooleanField(default=True, db_default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["complaint", "stage"], name="one_record_per_stage"),
            models.CheckConstraint(
                condition=Q(responded_at__isnull=True, outcome="")
                | Q(responded_at__isnull=False) & ~Q(outcome=""),
                name="complaint_stage_response_has_outcome",
            ),
        ]
        # The sweep's horizon: only stages whose reminder offset is above the rules' are read.
        indexes = [models.Index(fields=["rule_reminder_working_days"], name="stage_reminder_offset_idx")]

    def __str__(self) -> str:
        return f"{self.complaint} stage {self.stage}"

    @property
    def effective_due_date(self):
        return self.revised_target_date or self.due_date

    @property
    def ombudsman_decided_at(self):
        """When the Ombudsman decided the complaint (recorded once: the transition table's
        `once_per_stage` for the decision, at the Ombudsman stage)."""
        return (OmbudsmanDecision.objects.filter(complaint_id=self.complaint_id)
                .values_list("decided_at", flat=True).first())


class ComplaintEvent(models.Model):
    """One step on a complaint's timeline: who, when, what (DOMAIN.md, "Every step is recorded")."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()
    action = models.CharField(max_length=40)
    stage = models.CharField(max_length=10, choices=Stage.choices)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["complaint", "at", "id"], name="complaint_event_time_idx")]

    def __str__(self) -> str:
        return f"{self.complaint} {self.action} at {self.at:%Y-%m-%d %H:%M}"


class LetterKind(models.TextChoices):
    """The letters a complaint sends (issue 18, "Letters as documents")."""

    ACKNOWLEDGEMENT = "acknowledgement", "Acknowledgement"
    EXTENSION = "extension", "Extension"
    STAGE_RESPONSE = "stage_response", "Stage response"
    OMBUDSMAN_SIGNPOSTING = "ombudsman_signposting", "Ombudsman signposting"


class LetterChannel(models.TextChoices):
    EMAIL = "email", "Email"
    POST = "post", "Post"


class LetterTemplate(models.Model):
    """The wording of one kind of letter, edited by an admin. The body is plain text with
    placeholders such as {{ customer_name }} (the admin page lists them); the officer edits the
    filled-in letter before it is sent."""

    kind = models.CharField(max_length=30, choices=LetterKind.choices, unique=True)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    changed_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.get_kind_display()


class ComplaintLetter(models.Model):
    """A letter sent to the complainant, as sent: the text after the officer's edits, who sent it,
    how, and to which address. Stored on the case; its PDF is made from it, so it never changes
    when a template does."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="letters")
    kind = models.CharField(max_length=30, choices=LetterKind.choices)
    stage = models.CharField(max_length=10, choices=Stage.choices)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    channel = models.CharField(max_length=10, choices=LetterChannel.choices)
    recipient_name = models.CharField(max_length=200)
    recipient_address = models.TextField(blank=True, help_text="The postal address, one line each.")
    recipient_email = models.EmailField(blank=True)
    signatory = models.CharField(max_length=200)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    sent_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["complaint", "sent_at"], name="complaint_letter_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel="post") & ~Q(recipient_address="")
                | Q(channel="email") & ~Q(recipient_email=""),
                name="complaint_letter_has_address",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} letter, {self.complaint}"


# --- Remedies, the Ombudsman's decision, learning actions, the review panel (issue 18, items 2,
# 3 and 5) --------------------------------------------------------------------------------------


class RemedyKind(models.TextChoices):
    """What putting things right took (API.md v1.2, `respond`'s "remedy")."""

    APOLOGY = "apology", "Apology"
    FINANCIAL = "financial", "Financial remedy"
    SERVICE_ACTION = "service_action", "Service action"
    OTHER = "other", "Other"


class ComplaintRemedy(models.Model):
    """The remedy given with a stage response, or the Ombudsman's remedy with their decision (on
    the Ombudsman stage): its kind, what it cost in pence (a financial remedy always has one) and
    what it was. The stage's free-text `remedy` keeps the same in words, for letters."""

    stage = models.ForeignKey(ComplaintStage, on_delete=models.CASCADE, related_name="remedies")
    kind = models.CharField(max_length=20, choices=RemedyKind.choices)
    amount_pence = models.PositiveIntegerField(null=True, blank=True)
    detail = models.TextField(blank=True)
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["stage"], name="one_remedy_per_stage"),
            models.CheckConstraint(condition=~Q(kind="financial") | Q(amount_pence__gt=0),
                                   name="financial_remedy_has_amount"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}, {self.stage}"

    @property
    def amount_pounds(self):
        from decimal import Decimal

        return None if self.amount_pence is None else Decimal(self.amount_pence) / 100


class OmbudsmanDecisionKind(models.TextChoices):
    """The Local Government and Social Care Ombudsman's decisions (API.md v1.2)."""

    UPHELD = "upheld", "Upheld"
    NOT_UPHELD = "not_upheld", "Not upheld"
    CLOSED_AFTER_INITIAL_ENQUIRIES = "closed_after_initial_enquiries", "Closed after initial enquiries"
    PREMATURE = "premature", "Premature (referred back to the council)"


class OmbudsmanDecision(models.Model):
    """The Ombudsman's decision on a referred complaint; at most one per complaint."""

    complaint = models.OneToOneField(Complaint, on_delete=models.CASCADE, related_name="ombudsman_decision")
    decision = models.CharField(max_length=40, choices=OmbudsmanDecisionKind.choices)
    decided_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"{self.complaint}: {self.get_decision_display()}"


class DueActionQuerySet(models.QuerySet):
    def outstanding(self):
        return self.filter(done_at__isnull=True)

    def overdue_on(self, day):
        return self.outstanding().filter(due_date__lt=day)


class OmbudsmanRecommendation(models.Model):
    """One thing the Ombudsman recommended the council do, by a date; tracked until done (the
    compliance the Ombudsman's annual letter reports)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE,
                                  related_name="ombudsman_recommendations")
    action = models.TextField()
    due_date = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    created_at = models.DateTimeField()

    objects = DueActionQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["due_date", "id"], condition=Q(done_at__isnull=True),
                                name="ombudsman_rec_due_idx")]

    def __str__(self) -> str:
        return f"Recommendation {self.pk} on {self.complaint}"


class LearningAction(models.Model):
    """A lesson learned from a complaint, turned into an action: what, who owns it, by when, and
    when it was done. Its service is its complaint's."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="learning_actions")
    stage = models.ForeignKey(ComplaintStage, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="learning_actions")
    action = models.TextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="learning_actions")
    due_date = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField()

    objects = DueActionQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["due_date", "id"], condition=Q(done_at__isnull=True),
                                name="learning_action_due_idx")]

    def __str__(self) -> str:
        return f"Learning action {self.pk} on {self.complaint}"


class ReviewPanel(models.Model):
    """Statutory stage 3: the review panel's date, members and recommendations, and the
    Director's decision on them (DOMAIN.md, "Complaints": stage 3, "review panel")."""

    stage = models.OneToOneField(ComplaintStage, on_delete=models.CASCADE, related_name="review_panel")
    panel_date = models.DateField(null=True, blank=True)
    members = models.TextField(blank=True, help_text="The panel's members, one a line.")
    recommendations = models.TextField(blank=True)
    director_decision = models.TextField(blank=True)
    director_decided_at = models.DateTimeField(null=True, blank=True)
    changed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Review panel, {self.stage}"

    @property
    def member_names(self) -> list[str]:
        return [line.strip() for line in self.members.splitlines() if line.strip()]
