"""Summary rows for the reports, maintained in the database by triggers on contacts_contact.

The triggers are created by migration 0002 (statement-level with transition tables on
PostgreSQL, row-level on SQLite for development). Nullable dimensions are stored as 0 so that
the unique key works on any database: 0 means "none" (no enquiry type, site or NI14 reason).
No Python code writes these rows except `reporting_rebuild`.
"""

from django.db import models

DIMENSIONS = (
    "day", "service_id", "enquiry_type_id", "channel", "site_id",
    "avoidable", "avoidable_reason_id", "resolved_at_first_contact",
)


class ContactSummary(models.Model):
    """One count of contacts per combination of DIMENSIONS (the day or the month in `day`)."""

    day = models.DateField()
    service_id = models.IntegerField()
    enquiry_type_id = models.IntegerField(default=0)
    channel = models.CharField(max_length=20)
    site_id = models.IntegerField(default=0)
    avoidable = models.BooleanField()
    avoidable_reason_id = models.IntegerField(default=0)
    resolved_at_first_contact = models.BooleanField()
    count = models.BigIntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.day} service {self.service_id} {self.channel}: {self.count}"


class ContactDailySummary(ContactSummary):
    class Meta:
        db_table = "reporting_contact_daily"
        constraints = [
            models.UniqueConstraint(fields=list(DIMENSIONS), name="reporting_contact_daily_key"),
        ]
        indexes = [
            models.Index(fields=["service_id", "day"], name="reporting_daily_service_idx"),
        ]


class ContactMonthlySummary(ContactSummary):
    """The daily rows rolled up by month (`day` is the first of the month): a year of reports
    reads twelve months of rows instead of 365 days of them.

    Kept by triggers on reporting_contact_daily itself (migration 0006), so whatever writes the
    daily rows (the contact triggers, `reporting_rebuild`, a bulk load's grouped upsert) moves
    the monthly rows in the same transaction.
    """

    class Meta:
        db_table = "reporting_contact_monthly"
        constraints = [
            models.UniqueConstraint(fields=list(DIMENSIONS), name="reporting_contact_monthly_key"),
        ]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m} service {self.service_id} {self.channel}: {self.count}"


HANDOFF_DIMENSIONS = ("day", "team_id", "method", "resolved", "on_time")


class HandoffDailySummary(models.Model):
    """Hand-offs per day opened (Europe/London), team, method and whether resolved, and whether
    resolved within the service standard (resolved on or before the due date, London time).

    Kept by triggers on handoffs_handoff (migration 0004), like the contact summary: a hand-off
    that is resolved, reassigned to another team or edited moves from one row to another in the
    same transaction, so "% within the service standard" never scans the million hand-offs.
    """

    day = models.DateField()
    team_id = models.IntegerField()
    method = models.CharField(max_length=20)
    resolved = models.BooleanField()
    on_time = models.BooleanField()
    count = models.BigIntegerField(default=0)

    class Meta:
        db_table = "reporting_handoff_daily"
        constraints = [
            models.UniqueConstraint(fields=list(HANDOFF_DIMENSIONS), name="reporting_handoff_daily_key"),
        ]

    def __str__(self) -> str:
        return f"{self.day} team {self.team_id} {self.method}: {self.count}"
