from django.db import models

from complaints.models import Complaint
from contacts.models import Contact
from core.models import EnquiryType


class Kind(models.TextChoices):
    PROBLEM = "problem", "Report a problem"
    REQUEST = "request", "Make a request"
    COMPLAINT = "complaint", "Make a complaint"


class SelfServiceOffer(models.Model):
    """An enquiry type residents may report or request themselves online (issue 10, "self
    service for those who can"). Which types are offered, and in what words, is catalogue data."""

    enquiry_type = models.OneToOneField(
        EnquiryType, on_delete=models.PROTECT, related_name="self_service_offer"
    )
    kind = models.CharField(
        max_length=10, choices=[(Kind.PROBLEM, Kind.PROBLEM.label), (Kind.REQUEST, Kind.REQUEST.label)]
    )
    title = models.CharField(max_length=200, help_text="In the resident's words: 'A missed bin'.")
    hint = models.CharField(max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(default=100)
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = "self-service offer"
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=["problem", "request"]),
                                   name="self_service_offer_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"


class SelfServiceSubmission(models.Model):
    """What a resident sent online, with the reference they were given: the contact it became
    (and the complaint, for a complaint). Reference and email together show its progress."""

    reference = models.CharField(max_length=20, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    offer = models.ForeignKey(
        SelfServiceOffer, null=True, blank=True, on_delete=models.PROTECT, related_name="submissions"
    )
    contact = models.OneToOneField(Contact, on_delete=models.PROTECT, related_name="self_service")
    complaint = models.OneToOneField(
        Complaint, null=True, blank=True, on_delete=models.PROTECT, related_name="self_service"
    )
    # How the resident can be told and can check progress (with the reference): at least one of
    # email, phone and postal address (issue 20), the first two and the postcode stored
    # normalised for the progress check.
    email = models.EmailField(blank=True, help_text="Stored normalised (lower case) for the progress check.")
    phone = models.CharField(max_length=20, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    # Where the problem is (issue 20, item 4): the resident's words, and the property's UPRN when
    # they chose its address by postcode or reported a point near one (contacts.gazetteer.report_uprn;
    # Open311 keeps its UPRN the same way, on its own request row). A park has words and no UPRN.
    location = models.CharField(max_length=300, blank=True)
    address = models.CharField(max_length=300, blank=True,
                               help_text="The gazetteer's address the resident chose, as one line.")
    uprn = models.CharField(max_length=12, blank=True, help_text="UPRN of the property reported.")
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = "self-service submission"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="complaint", complaint__isnull=False)
                | (~models.Q(kind="complaint") & models.Q(complaint__isnull=True)),
                name="self_service_complaint_has_case",
            ),
        ]

    def __str__(self) -> str:
        return self.reference
