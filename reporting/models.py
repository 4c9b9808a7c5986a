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


class ContactDailySummary(models.Model):
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
        db_table = "reporting_contact_daily"
        constraints = [
            models.UniqueConstraint(fields=list(DIMENSIONS), name="reporting_contact_daily_key"),
        ]
        indexes = [
            models.Index(fields=["service_id", "day"], name="reporting_daily_service_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.day} service {self.service_id} {self.channel}: {self.count}"
