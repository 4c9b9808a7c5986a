from django.conf import settings
from django.db import models
from django.db.models import Q

from contacts.models import Contact
from core.models import EnquiryType


class Open311Service(models.Model):
    """An enquiry type offered to street-reporting partners as an Open311 GeoReport v2 service
    (issue 10). Which types are offered, and how they are described, is catalogue data."""

    enquiry_type = models.OneToOneField(
        EnquiryType, on_delete=models.PROTECT, related_name="open311_service"
    )
    service_code = models.SlugField(
        max_length=50, unique=True, help_text="Stable code partners post as service_code."
    )
    description = models.CharField(max_length=500, blank=True)
    keywords = models.CharField(max_length=300, blank=True, help_text="Comma-separated synonyms.")
    group = models.CharField(max_length=100, blank=True, help_text="For example: street, waste.")
    service_notice = models.CharField(
        max_length=500, blank=True, help_text="Told to the reporter when a request is received."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = "Open311 service"

    def __str__(self) -> str:
        return f"{self.service_code}: {self.enquiry_type.name}"


class Open311Attribute(models.Model):
    """A question a partner's app asks for a service (GeoReport v2 "service definition")."""

    class Datatype(models.TextChoices):
        STRING = "string", "String"
        NUMBER = "number", "Number"
        DATETIME = "datetime", "Date and time"
        TEXT = "text", "Text"
        SINGLE_VALUE_LIST = "singlevaluelist", "One value from a list"
        MULTI_VALUE_LIST = "multivaluelist", "Several values from a list"

    service = models.ForeignKey(Open311Service, on_delete=models.CASCADE, related_name="attributes")
    code = models.SlugField(max_length=50)
    variable = models.BooleanField(
        default=True, help_text="False: shown to the reporter as information only, not asked."
    )
    datatype = models.CharField(max_length=20, choices=Datatype.choices, default=Datatype.STRING)
    required = models.BooleanField(default=False)
    datatype_description = models.CharField(max_length=300, blank=True)
    order = models.PositiveSmallIntegerField()
    description = models.CharField(max_length=500)
    values = models.JSONField(
        default=list, blank=True,
        help_text='For the list datatypes: [{"key": "...", "name": "..."}, ...].',
    )

    class Meta:
        verbose_name = "Open311 attribute"
        constraints = [
            models.UniqueConstraint(fields=["service", "code"], name="open311_attribute_code"),
            models.UniqueConstraint(fields=["service", "order"], name="open311_attribute_order"),
            models.CheckConstraint(condition=Q(order__gte=1), name="open311_attribute_order_positive"),
        ]

    def __str__(self) -> str:
        return self.code

    def value_keys(self) -> set[str]:
        return {str(value.get("key")) for value in self.values or []}


class Open311Request(models.Model):
    """What a partner posted, kept beside the contact it became: the GeoReport fields that the
    contact has no place for (location, reporter, media, attribute answers)."""

    contact = models.OneToOneField(Contact, on_delete=models.PROTECT, related_name="open311_request")
    service = models.ForeignKey(Open311Service, on_delete=models.PROTECT, related_name="requests")
    partner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="open311_requests"
    )
    lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    long = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    address_string = models.CharField(max_length=500, blank=True)
    address_id = models.CharField(max_length=12, blank=True, help_text="UPRN.")
    description = models.TextField(blank=True)
    media_url = models.URLField(max_length=1000, blank=True)
    email = models.EmailField(blank=True)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    device_id = models.CharField(max_length=100, blank=True)
    account_id = models.CharField(max_length=100, blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    # SHA-256 of the posted form (without api_key): a double submission of the same report by the
    # same partner within minutes answers with the first request instead of making a second.
    request_hash = models.CharField(max_length=64)
    requested_at = models.DateTimeField()

    class Meta:
        verbose_name = "Open311 request"
        indexes = [
            models.Index(fields=["requested_at"], name="open311_requested_idx"),
            models.Index(fields=["partner", "request_hash", "requested_at"], name="open311_dedupe_idx"),
        ]

    def __str__(self) -> str:
        return f"Open311 request {self.contact_id}"
