"""Customer search that stays fast with a million customers (issue 3, "Customers").

On PostgreSQL: pg_trgm, and trigram GIN indexes on the lower-cased full name and email, which
serve `LIKE '%term%'` and prefix searches (`contacts.selectors.customer_search` filters on exactly
these expressions). Postcode, phone and UPRN already have b-tree and pattern-ops indexes from
their `db_index`. SQLite, for local use only, gets none of this and searches unindexed.

The indexes are built with a plain CREATE INDEX inside the migration's transaction: on a
million customers that takes seconds and holds writes to the customer table meanwhile, which a
deployment can afford; CONCURRENTLY would need a non-atomic migration.
"""

from django.db import migrations

INDEXES = {
    "customer_name_trgm_idx": "lower(first_name || ' ' || last_name) gin_trgm_ops",
    "customer_email_trgm_idx": "lower(email) gin_trgm_ops",
}


def create_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, expression in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON contacts_customer USING gin ({expression})"
        )


def drop_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ("contacts", "0002_enquiry_closed_at"),
    ]

    operations = [
        migrations.RunPython(create_search_indexes, drop_search_indexes, elidable=False),
    ]
