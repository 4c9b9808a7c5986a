"""The contact's customer on each hand-off (issue 20: the work lists' search by a customer's name
reads the hand-offs of the customers found from an index, not a join of every open hand-off).

The database keeps the copy, whatever writes the rows: a hand-off stored (or its contact changed)
takes its contact's customer, and a contact whose customer changes (a merge moves the merged
record's contacts, its undo moves them back) takes its hand-offs along. Row triggers on both
databases: the contacts' fires only when an UPDATE names customer_id and changes it, so bulk
updates of other columns (retention, the sweeps) cost nothing more.
"""

from django.db import migrations, models

PG_FORWARD = [
    """CREATE OR REPLACE FUNCTION handoffs_handoff_customer_copy() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.contact_customer_id := (SELECT customer_id FROM contacts_contact WHERE id = NEW.contact_id);
        RETURN NEW;
    END;
    $$""",
    """CREATE TRIGGER handoffs_handoff_customer_copy
       BEFORE INSERT OR UPDATE OF contact_id, contact_customer_id ON handoffs_handoff
       FOR EACH ROW EXECUTE FUNCTION handoffs_handoff_customer_copy()""",
    """CREATE OR REPLACE FUNCTION handoffs_contact_customer_moved() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE handoffs_handoff SET contact_customer_id = NEW.customer_id WHERE contact_id = NEW.id;
        RETURN NULL;
    END;
    $$""",
    """CREATE TRIGGER handoffs_contact_customer_moved
       AFTER UPDATE OF customer_id ON contacts_contact
       FOR EACH ROW WHEN (OLD.customer_id IS DISTINCT FROM NEW.customer_id)
       EXECUTE FUNCTION handoffs_contact_customer_moved()""",
]
PG_BACKWARD = [
    "DROP TRIGGER IF EXISTS handoffs_contact_customer_moved ON contacts_contact",
    "DROP TRIGGER IF EXISTS handoffs_handoff_customer_copy ON handoffs_handoff",
    "DROP FUNCTION IF EXISTS handoffs_contact_customer_moved()",
    "DROP FUNCTION IF EXISTS handoffs_handoff_customer_copy()",
]

_CONTACTS_CUSTOMER = "(SELECT customer_id FROM contacts_contact WHERE id = NEW.contact_id)"
SQLITE_FORWARD = [
    f"""CREATE TRIGGER handoffs_handoff_customer_copy_ins AFTER INSERT ON handoffs_handoff
        BEGIN UPDATE handoffs_handoff SET contact_customer_id = {_CONTACTS_CUSTOMER} WHERE id = NEW.id; END""",
    f"""CREATE TRIGGER handoffs_handoff_customer_copy_upd
        AFTER UPDATE OF contact_id, contact_customer_id ON handoffs_handoff
        WHEN NEW.contact_customer_id IS NOT {_CONTACTS_CUSTOMER}
        BEGIN UPDATE handoffs_handoff SET contact_customer_id = {_CONTACTS_CUSTOMER} WHERE id = NEW.id; END""",
    """CREATE TRIGGER handoffs_contact_customer_moved AFTER UPDATE OF customer_id ON contacts_contact
       WHEN OLD.customer_id IS NOT NEW.customer_id
       BEGIN UPDATE handoffs_handoff SET contact_customer_id = NEW.customer_id WHERE contact_id = NEW.id; END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS handoffs_contact_customer_moved",
    "DROP TRIGGER IF EXISTS handoffs_handoff_customer_copy_upd",
    "DROP TRIGGER IF EXISTS handoffs_handoff_customer_copy_ins",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise RuntimeError(f"No hand-off customer triggers for {schema_editor.connection.vendor}")
        for sql in statements:
            schema_editor.execute(sql)
    return run


def _backfill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "UPDATE handoffs_handoff h SET contact_customer_id = c.customer_id FROM contacts_contact c "
            "WHERE c.id = h.contact_id AND c.customer_id IS NOT NULL")
    else:
        schema_editor.execute(
            "UPDATE handoffs_handoff SET contact_customer_id = "
            "(SELECT customer_id FROM contacts_contact WHERE id = handoffs_handoff.contact_id)")


class Migration(migrations.Migration):

    dependencies = [
        ('contacts', '0012_issue20_photos'),
        ('handoffs', '0005_worklist_status_sort'),
    ]

    operations = [
        migrations.AddField(
            model_name='handoff',
            name='contact_customer_id',
            field=models.BigIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(_backfill, migrations.RunPython.noop),
        migrations.RunPython(_run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
                             _run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD})),
        migrations.AddIndex(
            model_name='handoff',
            index=models.Index(fields=['contact_customer_id'], name='handoff_customer_idx'),
        ),
    ]
