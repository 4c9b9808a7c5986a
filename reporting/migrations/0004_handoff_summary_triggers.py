"""Triggers on handoffs_handoff that keep reporting_handoff_daily exact, in the same transaction.

The same design as 0002 (contacts): statement-level triggers with transition tables on
PostgreSQL, row-level triggers on SQLite. Days are Europe/London days: AT TIME ZONE on
PostgreSQL; on SQLite the django_datetime_cast_date() function that Django registers on every
connection (timestamps are stored in UTC there).
"""

from django.db import migrations

TZ = "Europe/London"
KEY = "day, team_id, method, resolved, on_time"


PG_COLS = (f"(opened_at AT TIME ZONE '{TZ}')::date AS day, team_id, method, "
           f"resolved_at IS NOT NULL AS resolved, "
           f"COALESCE((resolved_at AT TIME ZONE '{TZ}')::date <= due_date, false) AS on_time")


def _pg_function(name: str, body_select: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO reporting_handoff_daily ({KEY}, count)
    SELECT {KEY}, SUM(n) FROM ({body_select}) AS delta
    GROUP BY {KEY}
    HAVING SUM(n) <> 0
    ORDER BY {KEY}
    ON CONFLICT ({KEY}) DO UPDATE SET count = reporting_handoff_daily.count + EXCLUDED.count;
    RETURN NULL;
END;
$$;
"""


def _pg_select(table: str, sign: int) -> str:
    return f"SELECT {PG_COLS}, {sign} AS n FROM {table}"


PG_FORWARD = [
    _pg_function("reporting_handoff_ins", _pg_select("new_rows", 1)),
    _pg_function("reporting_handoff_del", _pg_select("old_rows", -1)),
    _pg_function("reporting_handoff_upd",
                 f"{_pg_select('new_rows', 1)} UNION ALL {_pg_select('old_rows', -1)}"),
    """CREATE TRIGGER reporting_handoff_ins AFTER INSERT ON handoffs_handoff
       REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reporting_handoff_ins()""",
    """CREATE TRIGGER reporting_handoff_del AFTER DELETE ON handoffs_handoff
       REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION reporting_handoff_del()""",
    """CREATE TRIGGER reporting_handoff_upd AFTER UPDATE ON handoffs_handoff
       REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
       FOR EACH STATEMENT EXECUTE FUNCTION reporting_handoff_upd()""",
]
PG_BACKWARD = [
    "DROP TRIGGER IF EXISTS reporting_handoff_ins ON handoffs_handoff",
    "DROP TRIGGER IF EXISTS reporting_handoff_del ON handoffs_handoff",
    "DROP TRIGGER IF EXISTS reporting_handoff_upd ON handoffs_handoff",
    "DROP FUNCTION IF EXISTS reporting_handoff_ins()",
    "DROP FUNCTION IF EXISTS reporting_handoff_del()",
    "DROP FUNCTION IF EXISTS reporting_handoff_upd()",
]


def _sqlite_values(p: str) -> str:
    return (f"django_datetime_cast_date({p}.opened_at, '{TZ}', 'UTC'), {p}.team_id, {p}.method, "
            f"{p}.resolved_at IS NOT NULL, "
            f"COALESCE(django_datetime_cast_date({p}.resolved_at, '{TZ}', 'UTC') <= {p}.due_date, 0)")


def _sqlite_upsert(prefix: str, delta: int) -> str:
    return (f"INSERT INTO reporting_handoff_daily ({KEY}, count) VALUES ({_sqlite_values(prefix)}, {delta}) "
            f"ON CONFLICT ({KEY}) DO UPDATE SET count = count + {delta};")


SQLITE_FORWARD = [
    f"""CREATE TRIGGER reporting_handoff_ins AFTER INSERT ON handoffs_handoff
        BEGIN {_sqlite_upsert('NEW', 1)} END""",
    f"""CREATE TRIGGER reporting_handoff_del AFTER DELETE ON handoffs_handoff
        BEGIN {_sqlite_upsert('OLD', -1)} END""",
    f"""CREATE TRIGGER reporting_handoff_upd
        AFTER UPDATE OF opened_at, team_id, method, resolved_at, due_date ON handoffs_handoff
        BEGIN {_sqlite_upsert('OLD', -1)} {_sqlite_upsert('NEW', 1)} END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS reporting_handoff_ins",
    "DROP TRIGGER IF EXISTS reporting_handoff_del",
    "DROP TRIGGER IF EXISTS reporting_handoff_upd",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise RuntimeError(f"No summary triggers for {schema_editor.connection.vendor}")
        for sql in statements:
            schema_editor.execute(sql)
    return run


SQLITE_COLS = (f"django_datetime_cast_date(opened_at, '{TZ}', 'UTC') AS day, team_id, method, "
               f"resolved_at IS NOT NULL AS resolved, "
               f"COALESCE(django_datetime_cast_date(resolved_at, '{TZ}', 'UTC') <= due_date, 0) AS on_time")


def _backfill(apps, schema_editor):
    # Hand-offs opened before this migration: count them once, inside the migration.
    cols = PG_COLS if schema_editor.connection.vendor == "postgresql" else SQLITE_COLS
    schema_editor.execute(
        f"INSERT INTO reporting_handoff_daily ({KEY}, count) "
        f"SELECT {KEY}, COUNT(*) FROM (SELECT {cols} FROM handoffs_handoff) AS h GROUP BY {KEY}"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0003_handoff_summary"),
        ("handoffs", "0002_sweep_flags"),
    ]

    operations = [
        migrations.RunPython(_backfill, migrations.RunPython.noop),
        migrations.RunPython(
            _run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
