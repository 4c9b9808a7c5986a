"""Triggers on contacts_contact that keep reporting_contact_daily exact, in the same transaction.

PostgreSQL: one statement-level trigger per event with transition tables, so that a COPY or a
bulk INSERT of a million rows makes one aggregated upsert (rows in key order, so concurrent
statements lock summary rows in the same order). SQLite (development): row-level triggers.
The contacts app knows nothing of this.
"""

from django.db import migrations

KEY = ("day, service_id, enquiry_type_id, channel, site_id, avoidable, avoidable_reason_id, "
       "resolved_at_first_contact")
COLS = ("received_date, service_id, COALESCE(enquiry_type_id, 0), channel, COALESCE(site_id, 0), "
        "avoidable, COALESCE(avoidable_reason_id, 0), resolved_at_first_contact")


def _pg_function(name: str, body_select: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO reporting_contact_daily ({KEY}, count)
    SELECT {KEY}, SUM(n) FROM ({body_select}) AS delta
    GROUP BY {KEY}
    HAVING SUM(n) <> 0
    ORDER BY {KEY}
    ON CONFLICT ({KEY}) DO UPDATE SET count = reporting_contact_daily.count + EXCLUDED.count;
    RETURN NULL;
END;
$$;
"""


COLS_AS = ("received_date AS day, service_id, COALESCE(enquiry_type_id, 0) AS enquiry_type_id, channel, "
           "COALESCE(site_id, 0) AS site_id, avoidable, "
           "COALESCE(avoidable_reason_id, 0) AS avoidable_reason_id, resolved_at_first_contact")


def _pg_select(table: str, sign: int) -> str:
    return f"SELECT {COLS_AS}, {sign} AS n FROM {table}"


PG_FORWARD = [
    _pg_function("reporting_contact_ins", _pg_select("new_rows", 1)),
    _pg_function("reporting_contact_del", _pg_select("old_rows", -1)),
    _pg_function("reporting_contact_upd",
                 f"{_pg_select('new_rows', 1)} UNION ALL {_pg_select('old_rows', -1)}"),
    """CREATE TRIGGER reporting_contact_ins AFTER INSERT ON contacts_contact
       REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reporting_contact_ins()""",
    """CREATE TRIGGER reporting_contact_del AFTER DELETE ON contacts_contact
       REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION reporting_contact_del()""",
    """CREATE TRIGGER reporting_contact_upd AFTER UPDATE ON contacts_contact
       REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
       FOR EACH STATEMENT EXECUTE FUNCTION reporting_contact_upd()""",
]
PG_BACKWARD = [
    "DROP TRIGGER IF EXISTS reporting_contact_ins ON contacts_contact",
    "DROP TRIGGER IF EXISTS reporting_contact_del ON contacts_contact",
    "DROP TRIGGER IF EXISTS reporting_contact_upd ON contacts_contact",
    "DROP FUNCTION IF EXISTS reporting_contact_ins()",
    "DROP FUNCTION IF EXISTS reporting_contact_del()",
    "DROP FUNCTION IF EXISTS reporting_contact_upd()",
]


def _sqlite_upsert(prefix: str, delta: int) -> str:
    p = prefix
    values = (f"{p}.received_date, {p}.service_id, COALESCE({p}.enquiry_type_id, 0), {p}.channel, "
              f"COALESCE({p}.site_id, 0), {p}.avoidable, COALESCE({p}.avoidable_reason_id, 0), "
              f"{p}.resolved_at_first_contact")
    return (f"INSERT INTO reporting_contact_daily ({KEY}, count) VALUES ({values}, {delta}) "
            f"ON CONFLICT ({KEY}) DO UPDATE SET count = count + {delta};")


SQLITE_FORWARD = [
    f"""CREATE TRIGGER reporting_contact_ins AFTER INSERT ON contacts_contact
        BEGIN {_sqlite_upsert('NEW', 1)} END""",
    f"""CREATE TRIGGER reporting_contact_del AFTER DELETE ON contacts_contact
        BEGIN {_sqlite_upsert('OLD', -1)} END""",
    f"""CREATE TRIGGER reporting_contact_upd AFTER UPDATE ON contacts_contact
        BEGIN {_sqlite_upsert('OLD', -1)} {_sqlite_upsert('NEW', 1)} END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS reporting_contact_ins",
    "DROP TRIGGER IF EXISTS reporting_contact_del",
    "DROP TRIGGER IF EXISTS reporting_contact_upd",
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
    # Contacts logged before this migration: count them once, inside the migration.
    schema_editor.execute(
        f"INSERT INTO reporting_contact_daily ({KEY}, count) "
        f"SELECT {COLS}, COUNT(*) FROM contacts_contact GROUP BY {COLS}"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0001_initial"),
        ("contacts", "0003_customer_search_indexes"),
    ]

    operations = [
        migrations.RunPython(_backfill, migrations.RunPython.noop),
        migrations.RunPython(
            _run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
