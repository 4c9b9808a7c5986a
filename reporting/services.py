"""Writes of the reporting app: only the rebuilds of the summary rows (the triggers do the rest)."""

from django.conf import settings
from django.db import connection, transaction

from reporting.models import (
    DIMENSIONS,
    HANDOFF_DIMENSIONS,
    ContactDailySummary,
    ContactMonthlySummary,
    HandoffDailySummary,
)

_COLS = ("received_date, service_id, COALESCE(enquiry_type_id, 0), channel, COALESCE(site_id, 0), "
         "avoidable, COALESCE(avoidable_reason_id, 0), resolved_at_first_contact")


@transaction.atomic
def rebuild_contact_summary() -> int:
    """Recompute reporting_contact_daily from contacts_contact, then reporting_contact_monthly
    from the daily rows; returns the number of daily rows.

    Locks contacts_contact against writes for the duration on PostgreSQL, so that no trigger
    adds to rows that are being replaced.
    """
    rest = ", ".join(DIMENSIONS[1:])
    month = ("date_trunc('month', day)::date" if connection.vendor == "postgresql"
             else "date(day, 'start of month')")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("LOCK TABLE contacts_contact IN SHARE MODE")
        ContactDailySummary.objects.all().delete()
        cursor.execute(
            f"INSERT INTO reporting_contact_daily ({', '.join(DIMENSIONS)}, count) "  # nosec B608
            f"SELECT {_COLS}, COUNT(*) FROM contacts_contact GROUP BY {_COLS}"
        )
        # The daily triggers rolled those changes up already; start the months afresh anyway,
        # so that a rebuild also repairs monthly rows that were wrong before it.
        ContactMonthlySummary.objects.all().delete()
        cursor.execute(
            f"INSERT INTO reporting_contact_monthly ({', '.join(DIMENSIONS)}, count) "  # nosec B608
            f"SELECT {month}, {rest}, SUM(count) FROM reporting_contact_daily GROUP BY {month}, {rest}"
        )
    return ContactDailySummary.objects.count()


def _handoff_cols() -> str:
    """The summary key of a hand-off row, as SQL (the same expressions as migration 0004)."""
    tz = settings.TIME_ZONE
    if connection.vendor == "postgresql":
        local = "({col} AT TIME ZONE '" + tz + "')::date"
        false = "false"
    else:
        local = "django_datetime_cast_date({col}, '" + tz + "', 'UTC')"
        false = "0"
    return (f"{local.format(col='opened_at')} AS day, team_id, method, "
            f"resolved_at IS NOT NULL AS resolved, "
            f"COALESCE({local.format(col='resolved_at')} <= due_date, {false}) AS on_time")


@transaction.atomic
def rebuild_handoff_summary() -> int:
    """Recompute reporting_handoff_daily from handoffs_handoff; returns the number of rows."""
    key = ", ".join(HANDOFF_DIMENSIONS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("LOCK TABLE handoffs_handoff IN SHARE MODE")
        HandoffDailySummary.objects.all().delete()
        # Identifiers below are code-defined constants, never input (hence the nosec).
        cursor.execute(
            f"INSERT INTO reporting_handoff_daily ({key}, count) "  # nosec B608
            f"SELECT {key}, COUNT(*) FROM (SELECT {_handoff_cols()} FROM handoffs_handoff) AS h "
            f"GROUP BY {key}"
        )
    return HandoffDailySummary.objects.count()
