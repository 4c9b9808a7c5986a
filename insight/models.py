"""Customer insight (issue 11): satisfaction surveys after a resolved enquiry, and Tell Us Once
life events passed to every service concerned. Journeys and services used together are read
from contacts, hand-offs and complaints (insight/selectors.py) and need no tables of their own.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from contacts.models import Contact, Customer
from core.models import ChannelCode, EnquiryType, Service, Team
from handoffs.models import Handoff


class SurveySampling(models.Model):
    """What share of resolved enquiries of a channel are asked to take a survey by email.

    A channel with no row is never sampled. Admins change the percentages in the admin.
    """

    channel = models.CharField(max_length=20, choices=ChannelCode.choices, unique=True)
    percent = models.PositiveSmallIntegerField(
        default=0, help_text="0 to 100: the share of resolved enquiries sent a survey by email."
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(percent__lte=100), name="survey_sampling_percent"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()}: {self.percent}%"


class SurveyQuerySet(models.QuerySet):
    def answered(self):
        return self.filter(responded_at__isnull=False)

    def asked_since(self, customer, since):
        return self.filter(customer=customer, asked_at__gte=since)


class Survey(models.Model):
    """One customer asked about one resolved enquiry (a One & Done contact, or a contact whose
    hand-off the back office resolved), by email or at the counter, and what they answered.

    At most one survey per contact (unique), so the sweep that sends them is idempotent.
    """

    class Method(models.TextChoices):
        EMAIL = "email", "Email"
        COUNTER = "counter", "At the counter"

    class Resolution(models.TextChoices):
        ONE_AND_DONE = "one_and_done", "Resolved at first contact"
        HANDOFF = "handoff", "Resolved by the back office"

    contact = models.OneToOneField(Contact, on_delete=models.PROTECT, related_name="insight_survey")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="surveys")
    # Copied from the contact and its hand-off so that reports group without joins.
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=20, choices=ChannelCode.choices)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The back-office team that resolved the hand-off; empty for One & Done.",
    )
    resolution = models.CharField(max_length=20, choices=Resolution.choices)
    method = models.CharField(max_length=10, choices=Method.choices)
    # SHA-256 of the emailed link's token; the token itself is only in the email.
    token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    asked_at = models.DateTimeField()
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The adviser who asked at the counter; empty for the emailed survey.",
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(null=True, blank=True)
    ease = models.PositiveSmallIntegerField(null=True, blank=True)
    resolved = models.BooleanField(null=True, blank=True)
    comments = models.TextField(blank=True)

    objects = SurveyQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(responded_at__isnull=True, satisfaction__isnull=True, ease__isnull=True)
                           | Q(responded_at__isnull=False, satisfaction__gte=1, satisfaction__lte=5,
                               ease__gte=1, ease__lte=5, resolved__isnull=False)),
                name="survey_answers_complete",
            ),
            models.CheckConstraint(
                condition=Q(method="email", token_hash__isnull=False)
                | Q(method="counter", token_hash__isnull=True),
                name="survey_email_has_token",
            ),
        ]
        indexes = [
            # Suppression: has this customer been asked since ...?
            models.Index(fields=["customer", "asked_at"], name="survey_customer_asked_idx"),
            models.Index(fields=["asked_at"], name="survey_asked_idx"),
        ]

    def __str__(self) -> str:
        return f"Survey {self.pk}"


class SweepMark(models.Model):
    """How far a periodic sweep has read (its watermark), so each run reads only what is new."""

    name = models.CharField(max_length=50, unique=True)
    swept_to = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} to {self.swept_to:%Y-%m-%d %H:%M}"


class LifeEventKind(models.TextChoices):
    BEREAVEMENT = "bereavement", "Bereavement"
    MOVING_HOME = "moving_home", "Moving home"
    NEW_BABY = "new_baby", "New baby"


class TellUsOnceRoute(models.Model):
    """Which enquiry type (and so which team and service standard) a service receives a life
    event as. Only services with a route for a kind of life event can be told of it."""

    kind = models.CharField(max_length=20, choices=LifeEventKind.choices)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    enquiry_type = models.ForeignKey(EnquiryType, on_delete=models.PROTECT, related_name="+")
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "service"], name="tell_us_once_route_per_service"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.enquiry_type}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.enquiry_type_id and self.service_id and self.enquiry_type.service_id != self.service_id:
            raise ValidationError({"enquiry_type": "The enquiry type must belong to the service."})
        if self.enquiry_type_id and self.enquiry_type.handoff_method == "one_and_done":
            raise ValidationError({"enquiry_type": "Choose an enquiry type that is handed off."})


class TellUsOnceContactType(models.Model):
    """What the customer's own contact is recorded as when they tell the council of a life event
    (DOMAIN.md: "A life event told once (Tell Us Once) is one contact, however many services it
    reaches"): one inbound contact of this enquiry type, counted once in NI14, channel mix and
    cost; the services told each get a hand-off of it, not a contact of their own."""

    kind = models.CharField(max_length=20, choices=LifeEventKind.choices, unique=True)
    enquiry_type = models.ForeignKey(EnquiryType, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.enquiry_type}"


class LifeEvent(models.Model):
    """A life event a customer told the council about once (DOMAIN.md, "Beyond the basics")."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="life_events")
    kind = models.CharField(max_length=20, choices=LifeEventKind.choices)
    event_date = models.DateField()
    details = models.TextField(help_text="Shared with every service told.")
    channel = models.CharField(max_length=20, choices=ChannelCode.choices)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The customer's one contact. Empty for events recorded before it was counted once, when
    # each service told got a contact of its own.
    contact = models.OneToOneField(
        Contact, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["customer", "recorded_at"], name="life_event_customer_idx"),
            models.Index(fields=["recorded_at"], name="life_event_recorded_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.customer})"


class LifeEventNotice(models.Model):
    """One service told of a life event: the hand-off (of the customer's one contact) that the
    service works."""

    life_event = models.ForeignKey(LifeEvent, on_delete=models.PROTECT, related_name="notices")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    handoff = models.OneToOneField(Handoff, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["life_event", "service"], name="life_event_notice_per_service"),
        ]

    def __str__(self) -> str:
        return f"{self.life_event}: {self.service}"
