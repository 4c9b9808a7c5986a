from django.conf import settings
from django.db import models
from django.db.models import Q

from core.models import (
    AvoidableReason,
    ChannelCode,
    EnquiryType,
    HandoffMethod,
    Language,
    MessageType,
    Service,
    Site,
)

# The longest handling time a contact may record: a whole working day (issue 22).
HANDLING_TIME_MAX_SECONDS = 8 * 60 * 60


class CustomerQuerySet(models.QuerySet):
    def active(self):
        """Customers still in use: not anonymised, not merged into another record."""
        return self.filter(anonymised_at__isnull=True, merged_into__isnull=True)


class MessageChannel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"
    LETTER = "letter", "Letter"


class Customer(models.Model):
    """A resident or business the council deals with (one view of the customer)."""

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    address_line_1 = models.CharField(max_length=200, blank=True)
    address_line_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    # Stored normalised: upper case with one space before the inward code ("OL6 6AB").
    postcode = models.CharField(max_length=8, blank=True, db_index=True)
    uprn = models.CharField(
        max_length=12, blank=True, db_index=True,
        help_text="Unique Property Reference Number from the local land and property gazetteer.",
    )
    # Stored normalised: digits only, UK numbers with a leading 0 ("07700900123").
    phone = models.CharField(max_length=20, blank=True, db_index=True)
    email = models.EmailField(blank=True, db_index=True)
    preferred_channel = models.CharField(max_length=20, choices=ChannelCode.choices, blank=True)
    accessibility_needs = models.TextField(
        blank=True, help_text="Accessibility or language needs, such as an interpreter."
    )
    is_vulnerable = models.BooleanField(default=False)
    vulnerability_notes = models.TextField(blank=True)
    consent_notes = models.TextField(blank=True)
    # How the customer wants to hear from us (issue 19, "Resident preferences"): updates go on
    # `message_channel` and only on a channel they consented to; in their language.
    message_channel = models.CharField(
        max_length=10, choices=MessageChannel.choices, blank=True, db_default="",
        verbose_name="preferred channel for updates")
    # Database defaults too: bulk loads (generate_data's COPY, imports) name only the old columns.
    consent_email = models.BooleanField(default=False, db_default=False,
                                        verbose_name="agrees to updates by email")
    consent_sms = models.BooleanField(default=False, db_default=False,
                                      verbose_name="agrees to updates by text message")
    consent_letter = models.BooleanField(default=False, db_default=False,
                                         verbose_name="agrees to updates by letter")
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.ENGLISH,
                                db_default=Language.ENGLISH)
    # Set when a delivery receipt says the address or number does not work (a permanent failure);
    # cleared when it is corrected. Nothing more is sent there meanwhile; the adviser sees it.
    email_failed_at = models.DateTimeField(null=True, blank=True)
    phone_failed_at = models.DateTimeField(null=True, blank=True)
    address_failed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    anonymised_at = models.DateTimeField(null=True, blank=True)
    # An erasure request kept some of their records by law (issue 17): their details stay, only
    # for those records, until the records' retention runs out.
    restricted_at = models.DateTimeField(null=True, blank=True)
    # A duplicate merged into another record (issue 20): its old id leads there; its rows moved.
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", db_index=False)

    objects = CustomerQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["last_name", "first_name"], name="customer_name_idx")]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def full_name(self) -> str:
        return str(self)


class SamplingPeriod(models.Model):
    """An NI14 sample period, for councils that measure by sample weeks (DOMAIN.md)."""

    name = models.CharField(max_length=100)
    start_date = models.DateField()
    end_date = models.DateField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="sampling_period_dates"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ContactQuerySet(models.QuerySet):
    def avoidable(self):
        return self.filter(avoidable=True)

    def received_between(self, start, end):
        return self.filter(received_at__gte=start, received_at__lt=end)

    def for_customer(self, customer):
        return self.filter(customer=customer)

    def enquiry_open(self):
        return self.filter(enquiry_closed_at__isnull=True)

    def repeat_contacts(self):
        """Declared chases and suspected repeats."""
        return self.filter(Q(repeat_of__isnull=False) | Q(possible_repeat_of__isnull=False))


class Contact(models.Model):
    """One customer contact through any channel, recorded once (DOMAIN.md, "Contacts and NI14")."""

    class Direction(models.TextChoices):
        INBOUND = "inbound", "Inbound"
        OUTBOUND = "outbound", "Outbound"

    class Source(models.TextChoices):
        """The door a contact came through (DOMAIN.md, "No wrong door")."""

        ADVISER = "adviser", "Adviser"
        BACK_OFFICE = "back_office", "Back office"
        API = "api", "Partner API"
        OPEN311 = "open311", "Open311"
        SELF_SERVICE = "self_service", "Self service"
        IMPORT = "import", "Import"

    channel = models.CharField(max_length=20, choices=ChannelCode.choices)
    direction = models.CharField(
        max_length=10, choices=Direction.choices, default=Direction.INBOUND
    )
    # No single-column indexes on service and customer: the composite indexes below lead with
    # them, and every index costs each of the millions of inserts.
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="contacts",
                                db_index=False)
    enquiry_type = models.ForeignKey(
        EnquiryType, null=True, blank=True, on_delete=models.PROTECT, related_name="contacts"
    )
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="contacts",
        db_index=False,
    )
    received_at = models.DateTimeField()
    # The Europe/London calendar day of received_at, stored so that reports and their summary
    # rows group by the council's day on any database.
    received_date = models.DateField()
    site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.PROTECT, related_name="contacts"
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contacts_handled",
    )
    summary = models.TextField()
    resolved_at_first_contact = models.BooleanField(default=False)
    avoidable = models.BooleanField(default=False)
    avoidable_reason = models.ForeignKey(
        AvoidableReason, null=True, blank=True, on_delete=models.PROTECT, related_name="contacts"
    )
    handoff_method = models.CharField(
        max_length=20, choices=HandoffMethod.choices, default=HandoffMethod.ONE_AND_DONE
    )
    handoff_override_reason = models.CharField(
        max_length=500, blank=True,
        help_text="Why the adviser chose a hand-off other than the enquiry type's default.",
    )
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.ADVISER)
    external_ref = models.CharField(max_length=100, blank=True)
    # Seconds an adviser spent on the contact (talking, on hold and wrapping up), where the
    # channel records it: posted by the telephony system through the API, or imported. Contact-
    # centre planning reads it for the average handling time (issue 22).
    handling_time_seconds = models.PositiveIntegerField(null=True, blank=True)
    # A period an admin removes leaves its contacts as contacts, unstamped.
    sampling_period = models.ForeignKey(
        SamplingPeriod, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts"
    )
    repeat_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="repeats",
        help_text="The open enquiry this contact chases, as the adviser or partner declared it.",
    )
    # A suspected repeat nobody declared as chasing: the same customer's open enquiry about the
    # same service inside the repeat window. The contact opened its own enquiry; the flag is for
    # the managers' review. No index: it is read with the day's contacts, never looked up.
    possible_repeat_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="possible_repeats",
        db_index=False,
        help_text="An open enquiry of the same customer and service inside the repeat window, "
                  "when the contact was not declared as chasing it.",
    )
    # When the enquiry behind the contact was closed: at once for One & Done, when the back
    # office resolves the hand-off otherwise. Open enquiries drive repeat-contact detection.
    enquiry_closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ContactQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(avoidable=True, avoidable_reason__isnull=False)
                    | Q(avoidable=False, avoidable_reason__isnull=True)
                ),
                name="contact_avoidable_has_one_reason",
            ),
            models.CheckConstraint(
                condition=Q(handling_time_seconds__isnull=True)
                | Q(handling_time_seconds__gte=0, handling_time_seconds__lte=HANDLING_TIME_MAX_SECONDS),
                name="contact_handling_time_bounded",
            ),
        ]
        indexes = [
            models.Index(fields=["received_at"], name="contact_received_idx"),
            models.Index(fields=["received_date"], name="contact_received_date_idx"),
            models.Index(fields=["customer", "received_at"], name="contact_customer_idx"),
            models.Index(
                fields=["customer", "service", "received_at"],
                condition=Q(enquiry_closed_at__isnull=True),
                name="contact_customer_open_idx",
            ),
            models.Index(fields=["service", "received_at"], name="contact_service_idx"),
        ]

    def __str__(self) -> str:
        return f"Contact {self.pk}"


class ContactPhoto(models.Model):
    """A photo a contact arrived with (issue 20: a resident's problem report may carry photos).

    The image itself is a file in the private storage (settings.PRIVATE_MEDIA_ROOT, never served
    as a static or media file), checked and re-encoded without any metadata before it was stored
    (contacts/photos.py). Erasure blanks `file_name`; the photo sweep then deletes the file no row
    names any more."""

    class Format(models.TextChoices):
        JPEG = "jpeg", "JPG"
        PNG = "png", "PNG"
        WEBP = "webp", "WebP"

    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="photos")
    # The name within the private storage ("photos/<random>.jpg"); blank once erased.
    file_name = models.CharField(max_length=100, blank=True)
    format = models.CharField(max_length=4, choices=Format.choices)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size_bytes = models.PositiveIntegerField()
    position = models.PositiveSmallIntegerField(default=1)
    uploaded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["file_name"], condition=~Q(file_name=""),
                                    name="contact_photo_file_unique"),
        ]
        indexes = [models.Index(fields=["contact", "position"], name="contact_photo_contact_idx")]

    def __str__(self) -> str:
        return f"Photo {self.position} of contact {self.contact_id}"


class IdempotencyKey(models.Model):
    """A partner's Idempotency-Key for `POST /api/v1/contacts/` (API.md, "Contacts").

    The unique constraint on (caller, key) makes concurrent retries safe: exactly one insert wins
    and the others read its contact.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_per_caller")
        ]

    def __str__(self) -> str:
        return f"Idempotency key {self.key}"


class SubjectAccessExport(models.Model):
    """A subject access export (UK GDPR article 15; issue 17): everything held about a customer
    as a ZIP (JSON and a readable HTML page), made by a Celery task for the manager or admin who
    asked, downloadable once by them until it expires; the archive is then emptied."""

    class Status(models.TextChoices):
        PREPARING = "preparing", "Being prepared"
        READY = "ready", "Ready to download"
        DOWNLOADED = "downloaded", "Downloaded"
        EXPIRED = "expired", "Expired"

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="subject_access_exports")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PREPARING)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    downloaded_at = models.DateTimeField(null=True, blank=True)
    archive = models.BinaryField(null=True, blank=True)
    archive_bytes = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["customer", "requested_at"], name="sar_export_customer_idx")]

    def __str__(self) -> str:
        return f"Subject access export {self.pk}"


class PersonalDataRequest(models.Model):
    """A customer's request to erase or to correct their personal data (UK GDPR articles 17 and
    16; issue 17), recorded by an admin, previewed, then confirmed (contacts/privacy.py)."""

    class Kind(models.TextChoices):
        ERASURE = "erasure", "Erasure"
        RECTIFICATION = "rectification", "Rectification"

    class Status(models.TextChoices):
        AWAITING_CONFIRMATION = "awaiting_confirmation", "Awaiting confirmation"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="personal_data_requests")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.AWAITING_CONFIRMATION)
    # Rectification: {field: corrected value}. Personal data: declared in contacts/personal_data.py.
    corrections = models.JSONField(default=dict, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    completed_at = models.DateTimeField(null=True, blank=True)
    # What was done, in counts per record type: {"erased": {...}, "restricted": {...}, "corrected": {...}}.
    outcome = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"{self.get_kind_display()} request {self.pk}"

    @property
    def reference(self) -> str:
        return f"DPR{self.pk:06d}"
class ProactiveRule(models.Model):
    """Tell the customer, unasked, when this happens (issue 19, "Proactive updates"): data an
    admin edits. A rule for an enquiry type overrides the rule for every type (enquiry type
    empty); with no rule for an event, nothing is sent for it."""

    event = models.CharField(max_length=40, choices=[c for c in MessageType.choices
                                                     if c[0] != MessageType.GENERAL])
    enquiry_type = models.ForeignKey(EnquiryType, null=True, blank=True, on_delete=models.CASCADE,
                                     help_text="Leave empty for every enquiry type.")
    enabled = models.BooleanField(default=True)
    warn_working_days = models.PositiveSmallIntegerField(
        default=1, help_text="Enquiry will miss its service standard: tell the customer this many "
                             "working days before the due date.")
    extra_working_days = models.PositiveSmallIntegerField(
        default=5, help_text="Enquiry will miss its service standard: the new expected date is this "
                             "many working days after the due date.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "enquiry_type"], name="proactive_rule_once"),
            models.UniqueConstraint(fields=["event"], condition=Q(enquiry_type__isnull=True),
                                    name="proactive_rule_default_once"),
        ]

    def __str__(self) -> str:
        scope = self.enquiry_type.name if self.enquiry_type_id else "every enquiry type"
        return f"{self.get_event_display()}: {scope} ({'on' if self.enabled else 'off'})"

class CustomerMerge(models.Model):
    """Two records of one person made one (issue 20, "One record per person"): what moved from
    the merged record to the survivor and the survivor's details before, so the merge can be
    undone within CUSTOMER_MERGE_UNDO_DAYS."""

    survivor = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    merged = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    merged_at = models.DateTimeField()
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                  related_name="+")
    # The survivor's details before the merge ({field: value}); the fields taken from the
    # merged record are those whose value changed.
    survivor_before = models.JSONField(default=dict)
    # The rows moved: {"app_label.model.field": [ids]} (every foreign key to Customer).
    moved = models.JSONField(default=dict)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(survivor=models.F("merged")),
                                   name="customer_merge_two_records"),
        ]

    def __str__(self) -> str:
        return f"Customer {self.merged_id} merged into {self.survivor_id}"


class GazetteerAddress(models.Model):
    """One property of the council's address gazetteer (an LLPG or AddressBase extract loaded by
    `manage.py import_gazetteer`): what the postcode lookup offers and what a reported point is
    matched to (issue 20, item 4). The UPRN is the property's own number, so a reload updates."""

    uprn = models.CharField(max_length=12, primary_key=True)
    address_line_1 = models.CharField(max_length=200)
    address_line_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    # Stored normalised, like Customer.postcode ("OL6 6AB").
    postcode = models.CharField(max_length=8)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["postcode", "address_line_1"], name="gazetteer_postcode_idx"),
            models.Index(fields=["latitude", "longitude"], name="gazetteer_point_idx"),
        ]

    def __str__(self) -> str:
        return ", ".join(part for part in (self.address_line_1, self.address_line_2, self.town,
                                          self.postcode) if part)
