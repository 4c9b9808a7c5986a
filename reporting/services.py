"""Writes of the reporting app: only the rebuild of the summary rows (the triggers do the rest)."""

from django.db import connection, transaction

from reporting.models import DIMENSIONS, ContactDailySummary

_COLS = ("received_date, service_id, COALESCE(enquiry_type_id, 0), channel, COALESCE(site_id, 0), "
         "avoidable, COALESCE(avoidable_reason_id, 0), resolved_at_first_contact")


@transaction.atomic
def rebuild_contact_summary() -> int:
    """Recompute reporting_contact_daily from contacts_contact; returns the number of rows.

    Locks contacts_contact against writes for the duration on PostgreSQL, so that no trigger
    adds to rows that are being replaced.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("LOCK TABLE contacts_contact IN SHARE MODE")
        ContactDailySummary.objects.all().delete()
        cursor.execute(
            f"INSERT INTO reporting_contact_daily ({', '.join(DIMENSIONS)}, count) "
            f"SELECT {_COLS}, COUNT(*) FROM contacts_contact GROUP BY {_COLS}"
        )
    return ContactDailySummary.objects.count()
