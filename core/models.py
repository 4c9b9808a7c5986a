from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q

from core.roles import Role


class User(AbstractUser):
    """A member of staff, or a partner system's service account (group `partner`)."""

    line_manager = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
        help_text="Told when this person's cases go overdue.",
    )
    job_title = models.CharField(max_length=200, blank=True)
    is_senior_officer = models.BooleanField(
        default=False,
        help_text="May own corporate stage 2 complaints and premature Ombudsman complaints "
                  "(DOMAIN.md, \"Complaints\": a senior officer responsible).",
    )
    directory_subject = models.CharField(
        max_length=255, null=True, blank=True, unique=True,
        help_text="Who this person is at the council's identity provider (the OIDC_SUBJECT_CLAIM "
                  "claim, e.g. the Entra ID object ID). Set at their first single sign-on; enter "
                  "it by hand to link an account made before single sign-on.",
    )
    deactivated_as_unseen_at = models.DateTimeField(
        null=True, blank=True,
        help_text="When the account was closed for not being signed in to for "
                  "STAFF_DEACTIVATE_AFTER_DAYS; their next single sign-on opens it again.",
    )

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class HandoffMethod(models.TextChoices):
    """The three hand-off methods between front and back office (DOMAIN.md, "Hand-offs")."""

    ONE_AND_DONE = "one_and_done", "One & Done"
    FIRE_AND_FORGET = "fire_and_forget", "Fire and Forget"
    CUSTOMER_ADVOCATE = "customer_advocate", "Customer Advocate"


class ChannelCode(models.TextChoices):
    FACE_TO_FACE = "face_to_face", "Face to face"
    TELEPHONE = "telephone", "Telephone"
    WEB = "web", "Web (self service)"
    EMAIL = "email", "Email"
    LETTER = "letter", "Letter"
    SOCIAL_MEDIA = "social_media", "Social media"
    PARTNER = "partner", "Partner system"


class Team(models.Model):
    """A team: a back-office team that receives hand-offs, or a front-office team."""

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    is_front_office = models.BooleanField(default=False)
    email = models.EmailField(blank=True, help_text="The team's shared mailbox.")
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="teams_led",
    )
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="teams")
    site = models.ForeignKey(
        "Site",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="teams",
        help_text="Where the team takes the public contact that reaches it directly: a "
                  "back-office officer's contacts are recorded at this site, so the reports show "
                  "which teams take most of it.",
    )

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    is_active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.name


class EnquiryType(models.Model):
    """What a contact is about, within a service, and how it is handed off (DOMAIN.md)."""

    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="enquiry_types")
    code = models.SlugField(max_length=50)
    name = models.CharField(max_length=200)
    handoff_method = models.CharField(
        max_length=20, choices=HandoffMethod.choices, default=HandoffMethod.ONE_AND_DONE
    )
    team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enquiry_types",
        help_text="The back-office team that receives hand-offs of this type.",
    )
    target_working_days = models.PositiveSmallIntegerField(
        default=0, help_text="Service standard, in working days."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "code"], name="enquiry_type_code_per_service"),
            models.CheckConstraint(
                condition=Q(handoff_method="one_and_done") | Q(team__isnull=False),
                name="enquiry_type_handoff_needs_team",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service.name}: {self.name}"


class AvoidableReason(models.Model):
    """An NI14 avoidable-contact category (DOMAIN.md, "Contacts and NI14")."""

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.name


class Channel(models.Model):
    """A contact channel and what one contact through it costs the council."""

    code = models.CharField(max_length=20, choices=ChannelCode.choices, unique=True)
    unit_cost = models.DecimalField(
        max_digits=8, decimal_places=2, help_text="Cost of one contact in pounds."
    )

    def __str__(self) -> str:
        return self.get_code_display()


class TransactionCost(models.Model):
    """What one contact of an enquiry type costs through a channel, where it differs from the
    channel's unit cost (DOMAIN.md, "Contacts and NI14": a free-school-meals application costs
    £25 on paper and 6p online, seed 004). The cost and channel-shift figures use it in place of
    the channel's unit cost for that enquiry type and channel."""

    enquiry_type = models.ForeignKey(EnquiryType, on_delete=models.CASCADE,
                                     related_name="transaction_costs")
    channel = models.CharField(max_length=20, choices=ChannelCode.choices)
    unit_cost = models.DecimalField(
        max_digits=8, decimal_places=2, help_text="Cost of one transaction in pounds."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enquiry_type", "channel"],
                                    name="transaction_cost_per_channel"),
            models.CheckConstraint(condition=Q(unit_cost__gte=0), name="transaction_cost_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.enquiry_type.name}, {self.get_channel_display()}: £{self.unit_cost}"


class Site(models.Model):
    """Where contacts are handled: a customer service centre, the call centre, online."""

    class Kind(models.TextChoices):
        CUSTOMER_SERVICE_CENTRE = "customer_service_centre", "Customer service centre"
        CALL_CENTRE = "call_centre", "Call centre"
        ONLINE = "online", "Online"
        BACK_OFFICE = "back_office", "Back office"

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    is_active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.name


class ClosureDay(models.Model):
    """A day the council is closed beyond the bank holidays (for example a local election)."""

    date = models.DateField(unique=True)
    reason = models.CharField(max_length=200)

    def __str__(self) -> str:
        return f"{self.date:%d %B %Y}: {self.reason}"


class ApiToken(models.Model):
    """An API key. Only its SHA-256 is stored; the key is shown once when made."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=200)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8, help_text="First characters, to tell keys apart.")
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class AuditEvent(models.Model):
    """Append-only audit trail: who did what to which record, when and from where.

    On PostgreSQL a trigger refuses UPDATE and DELETE on this table (migration 0002).
    """

    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=50)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    changes = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["object_type", "object_id", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.object_type}#{self.object_id}"


class OutboundMessage(models.Model):
    """The outbox: every message the council sends, to staff or to customers.

    `dedupe_key` is unique, so a reminder for one event is stored (and sent) once however often
    and however concurrently the sweep that makes it runs. Storing a message never sends it: the
    drain (`core.services.outbox_drain`, a Celery task) claims due rows and hands each to the
    sender of its `channel` (core/outbox.py), recording every attempt.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        SMS = "sms", "Text message"
        # A letter by post: printed by issue 18's sender, or sent by Notify (issue 19).
        LETTER = "letter", "Letter (post)"

    class DeliveryStatus(models.TextChoices):
        """What the provider's delivery receipt said (GOV.UK Notify's callback statuses)."""

        DELIVERED = "delivered", "Delivered"
        PERMANENT_FAILURE = "permanent-failure", "Address or number not working"
        TEMPORARY_FAILURE = "temporary-failure", "Temporary failure, retried"
        TECHNICAL_FAILURE = "technical-failure", "Technical failure, retried"
        # A precompiled letter (a PDF the product printed) Notify would not post as it is: the
        # same document would be refused again, so it is not retried; staff are told.
        VALIDATION_FAILED = "validation-failed", "Letter refused: failed Notify's checks"
        VIRUS_SCAN_FAILED = "virus-scan-failed", "Letter refused: failed Notify's virus scan"

    dedupe_key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField()
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.EMAIL)
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_email = models.EmailField(blank=True)
    to_phone = models.CharField(max_length=20, blank=True, db_default="")
    # A letter's address, one line a list item, the postcode last (as Notify wants it).
    to_address = models.JSONField(default=list, blank=True, db_default=[])
    subject = models.CharField(max_length=300)
    body = models.TextField()
    # A message made from a MessageTemplate: its type, language and the fields it was filled with
    # (what a provider that holds its own copy of the template, such as Notify, is sent).
    # Database defaults on the new columns: code that inserts outbox rows in SQL keeps working.
    message_type = models.CharField(max_length=40, blank=True, db_default="")
    language = models.CharField(max_length=2, blank=True, db_default="")
    personalisation = models.JSONField(default=dict, blank=True, db_default={})
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    # Whom a message to a member of the public is for ("contacts.customer", id): core knows no
    # customer model, so the reference is by name, like `object_type`/`object_id`.
    recipient_type = models.CharField(max_length=100, blank=True, db_default="")
    recipient_id = models.CharField(max_length=64, blank=True, db_default="")
    # The provider's id for the last send, which its delivery receipts quote.
    provider_reference = models.CharField(max_length=100, blank=True, db_default="")
    delivery_status = models.CharField(max_length=20, choices=DeliveryStatus.choices, blank=True,
                                       db_default="")
    delivery_status_at = models.DateTimeField(null=True, blank=True)
    # When the drain may next try: set when the message is stored; while a worker holds the
    # message, the end of its claim (a worker that dies leaves it to be retried then); after a
    # failure, the back-off. None once sent, given up, or when there is no one to send it to.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    attempt_count = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True, help_text="Given up: see the attempts.")
    send_error = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["recipient_type", "recipient_id"], name="outbox_recipient",
                         condition=~Q(recipient_id="")),
            models.Index(fields=["provider_reference"], name="outbox_provider_reference",
                         condition=~Q(provider_reference="")),
            models.Index(fields=["next_attempt_at"], condition=Q(next_attempt_at__isnull=False),
                         name="outbox_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(sent_at__isnull=True) | Q(next_attempt_at__isnull=True, failed_at__isnull=True),
                name="outbox_sent_is_final",
            ),
        ]

    def __str__(self) -> str:
        return self.subject


class MessageType(models.TextChoices):
    """What a message to a customer is about; each has a template per channel and language
    (MessageTemplate) and fills the personalisation fields `MESSAGE_FIELDS` lists."""

    GENERAL = "general", "General message (subject and body)"
    HANDOFF_ACCEPTED = "handoff_accepted", "Enquiry accepted"
    HANDOFF_AT_RISK = "handoff_at_risk", "Enquiry will miss its service standard"
    HANDOFF_RESOLVED = "handoff_resolved", "Enquiry resolved"
    COMPLAINT_ACKNOWLEDGED = "complaint_acknowledged", "Complaint acknowledged"
    COMPLAINT_EXTENDED = "complaint_extended", "Complaint response extended"
    COMPLAINT_ANSWERED = "complaint_answered", "Complaint answered"
    REQUEST_STATUS_CHANGED = "request_status_changed", "Reported problem status changed"


_CUSTOMER_FIELDS = ["name", "reference", "service"]
# The personalisation fields the product fills for each message type: a template may use these
# and no others (Notify refuses a send that lacks a field its template uses).
MESSAGE_FIELDS: dict[str, list[str]] = {
    MessageType.GENERAL: ["subject", "body"],
    MessageType.HANDOFF_ACCEPTED: [*_CUSTOMER_FIELDS, "due_date", "opt_out_link"],
    MessageType.HANDOFF_AT_RISK: [*_CUSTOMER_FIELDS, "due_date", "new_date", "opt_out_link"],
    MessageType.HANDOFF_RESOLVED: [*_CUSTOMER_FIELDS, "outcome", "opt_out_link"],
    MessageType.COMPLAINT_ACKNOWLEDGED: [*_CUSTOMER_FIELDS, "due_date", "opt_out_link"],
    MessageType.COMPLAINT_EXTENDED: [*_CUSTOMER_FIELDS, "due_date", "reason", "opt_out_link"],
    MessageType.COMPLAINT_ANSWERED: [*_CUSTOMER_FIELDS, "outcome", "opt_out_link"],
    MessageType.REQUEST_STATUS_CHANGED: [*_CUSTOMER_FIELDS, "status", "opt_out_link"],
}


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    WELSH = "cy", "Welsh (Cymraeg)"


class MessageTemplate(models.Model):
    """The words of one message type on one channel in one language, and the id of the same
    template in GOV.UK Notify (which holds its own copy and fills it with the personalisation).
    Placeholders are written as Notify writes them: ((name)). Edited in the admin, with a preview."""

    message_type = models.CharField(max_length=40, choices=MessageType.choices)
    channel = models.CharField(max_length=20, choices=OutboundMessage.Channel.choices)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.ENGLISH)
    notify_template_id = models.UUIDField(
        null=True, blank=True, verbose_name="Notify template ID",
        help_text="The template's ID in GOV.UK Notify (Templates, then the template's page). "
                  "Needed when NOTIFY_API_KEY is set.")
    subject = models.CharField(max_length=300, blank=True,
                               help_text="Email subject or letter heading; not used for text messages.")
    body = models.TextField(help_text="Use ((field)) for each personalisation field.")
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message_type", "channel", "language"],
                                    name="message_template_once"),
        ]

    def __str__(self) -> str:
        return (f"{self.get_message_type_display()}, {self.get_channel_display().lower()}, "
                f"{self.get_language_display()}")


class DeliveryAttempt(models.Model):
    """One try at handing an outbox message to its channel's sender. `finished_at` stays empty
    when the worker died during the try; the message is retried once the claim runs out."""

    class Outcome(models.TextChoices):
        SENT = "sent", "Sent"
        RETRY = "retry", "Failed, will be retried"
        FAILED = "failed", "Failed, given up"

    message = models.ForeignKey(OutboundMessage, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    error = models.TextField(blank=True)
    # The sender's own id for the message (a provider's notification id), for delivery receipts.
    provider_reference = models.CharField(max_length=100, blank=True)
    worker = models.CharField(max_length=200, blank=True, help_text="host:process that tried")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "number"], name="delivery_attempt_once"),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} #{self.number} {self.outcome or 'in flight'}"


class DirectoryRoleMapping(models.Model):
    """A value of the identity provider's role or group claims (OIDC_ROLE_CLAIMS) that gives a
    role, on top of the OIDC_ROLE_MAP setting (core/directory.py, issue 21)."""

    claim_value = models.CharField(
        max_length=255,
        help_text="An Entra ID app role value, or a group's object ID, as it appears in the ID token.",
    )
    role = models.CharField(max_length=30, choices=[
        (code, label) for code, label in Role.choices if code != Role.PARTNER])
    description = models.CharField(max_length=200, blank=True,
                                   help_text="What the group or app role is, e.g. its name.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["claim_value", "role"], name="directory_role_mapping_once"),
        ]

    def __str__(self) -> str:
        return f"{self.claim_value} → {self.get_role_display()}"


class RetentionRule(models.Model):
    """An admin's length for one line of the retention schedule (core/personal_data.py), in
    place of its default. A line with no row keeps its default."""

    schedule = models.CharField(max_length=50, unique=True)
    days = models.PositiveIntegerField(help_text="How many days records are kept.")
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(days__gte=1), name="retention_rule_days")]

    def __str__(self) -> str:
        return f"{self.schedule}: {self.days} days"


class RetentionRun(models.Model):
    """One run of the retention task: when, with which cutoffs, and how many rows of each record
    type it erased (counts only, never what was erased). The counts are written in the same
    transaction as each chunk, so a run killed part way says what it had done."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    cutoffs = models.JSONField(default=dict)
    counts = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"Retention run {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def total(self) -> int:
        return sum(self.counts.values())
