from django.db import migrations

from core.reference_data import AVOIDABLE_REASONS, CHANNEL_UNIT_COSTS

ROLE_CODES = [
    "adviser",
    "back_office",
    "complaints_officer",
    "social_care_complaints",
    "legal",
    "manager",
    "admin",
    "partner",
]

# The audit trail is append-only: PostgreSQL refuses to change or remove a row, whatever the
# application asks for. (TRUNCATE stays possible for the database owner, which the test suite's
# flush needs; the application never truncates.) SQLite, for local use only, has no guard.
AUDIT_GUARD_SQL = """
CREATE OR REPLACE FUNCTION core_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditevent_append_only
    BEFORE UPDATE OR DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION core_auditevent_append_only();
"""


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for code in ROLE_CODES:
        Group.objects.get_or_create(name=code)
    AvoidableReason = apps.get_model("core", "AvoidableReason")
    for code, name, description in AVOIDABLE_REASONS:
        AvoidableReason.objects.get_or_create(
            code=code, defaults={"name": name, "description": description}
        )
    Channel = apps.get_model("core", "Channel")
    for code, cost in CHANNEL_UNIT_COSTS.items():
        Channel.objects.get_or_create(code=code, defaults={"unit_cost": cost})


def audit_guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(AUDIT_GUARD_SQL)


def audit_guard_remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent;"
            "DROP FUNCTION IF EXISTS core_auditevent_append_only();"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.RunPython(audit_guard, audit_guard_remove),
    ]
