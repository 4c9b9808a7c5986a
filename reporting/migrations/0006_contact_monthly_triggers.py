"""Triggers on reporting_contact_daily that roll every change up into reporting_contact_monthly,
in the same transaction: whatever writes the daily rows (the contact triggers of 0002, the
rebuild, a bulk load's grouped upsert) moves the monthly rows too.

PostgreSQL: statement-level triggers with transition tables (one grouped upsert per statement,
in key order); SQLite (development): row-level triggers.
"""

from django.db import migrations

KEY = ("day, service_id, enquiry_type_id, channel, site_id, avoidable, avoidable_reason_id, "
       "resolved_at_first_contact")
REST = ("service_id, enquiry_type_id, channel, site_id, avoidable, avoidable_reason_id, "
        "resolved_at_first_contact")
PG_MONTH = "date_trunc('month', day)::date"
SQLITE_MONTH = "date(day, 'start of month')"


def _pg_select(table: str, sign: str) -> str:
    return f"SELECT {PG_MONTH} AS day, {REST}, {sign}count AS n FROM {table}"


def _pg_function(name: str, body_select: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO reporting_contact_monthly ({KEY}, count)
    SELECT {KEY}, SUM(n) FROM ({body_select}) AS delta
    GROUP BY {KEY}
    HAVING SUM(n) <> 0
    ORDER BY {KEY}
    ON CONFLICT ({KEY}) DO UPDATE SET count = reporting_contact_monthly.count + EXCLUDED.count;
    RETURN NULL;
END;
$$;
"""


PG_FORWARD = [
    _pg_function("reporting_daily_ins", _pg_select("new_rows", "")),
    _pg_function("reporting_daily_del", _pg_select("old_rows", "-")),
    _pg_function("reporting_daily_upd",
                 f"{_pg_select('new_rows', '')} UNION ALL {_pg_select('old_rows', '-')}"),
    """CREATE TRIGGER reporting_daily_ins AFTER INSERT ON reporting_contact_daily
       REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reporting_daily_ins()""",
    """CREATE TRIGGER reporting_daily_del AFTER DELETE ON reporting_contact_daily
       REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION reporting_daily_del()""",
    """CREATE TRIGGER reporting_daily_upd AFTER UPDATE ON reporting_contact_daily
       REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
       FOR EACH STATEMENT EXECUTE FUNCTION reporting_daily_upd()""",
]
PG_BACKWARD = [
    "DROP TRIGGER IF EXISTS reporting_daily_ins ON reporting_contact_daily",
    "DROP TRIGGER IF EXISTS reporting_daily_del ON reporting_contact_daily",
    "DROP TRIGGER IF EXISTS reporting_daily_upd ON reporting_contact_daily",
    "DROP FUNCTION IF EXISTS reporting_daily_ins()",
    "DROP FUNCTION IF EXISTS reporting_daily_del()",
    "DROP FUNCTION IF EXISTS reporting_daily_upd()",
]


def _sqlite_upsert(p: str, sign: str) -> str:
    values = ", ".join(f"{p}.{col.strip()}" for col in REST.split(","))
    return (f"INSERT INTO reporting_contact_monthly ({KEY}, count) "
            f"VALUES (date({p}.day, 'start of month'), {values}, {sign}{p}.count) "
            f"ON CONFLICT ({KEY}) DO UPDATE SET count = count + excluded.count;")


SQLITE_FORWARD = [
    f"""CREATE TRIGGER reporting_daily_ins AFTER INSERT ON reporting_contact_daily
        BEGIN {_sqlite_upsert('NEW', '')} END""",
    f"""CREATE TRIGGER reporting_daily_del AFTER DELETE ON reporting_contact_daily
        BEGIN {_sqlite_upsert('OLD', '-')} END""",
    f"""CREATE TRIGGER reporting_daily_upd AFTER UPDATE ON reporting_contact_daily
        BEGIN {_sqlite_upsert('OLD', '-')} {_sqlite_upsert('NEW', '')} END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS reporting_daily_ins",
    "DROP TRIGGER IF EXISTS reporting_daily_del",
    "DROP TRIGGER IF EXISTS reporting_daily_upd",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise RuntimeError(f"No summary triggers for {schema_editor.connection.vendor}")
        for sql in statements:
            schema_editor.execute(sql)
    return run


def _backfill(apps, schema_editor):
    month = PG_MONTH if schema_editor.connection.vendor == "postgresql" else SQLITE_MONTH
    schema_editor.execute(
        f"INSERT INTO reporting_contact_monthly ({KEY}, count) "
        f"SELECT {month}, {REST}, SUM(count) FROM reporting_contact_daily "
        f"GROUP BY {month}, {REST}"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0005_contact_monthly_summary"),
    ]

    operations = [
        migrations.RunPython(_backfill, migrations.RunPython.noop),
        migrations.RunPython(
            _run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
