"""Name search that reads a page in order (issue 9): a b-tree on lower(last_name),
lower(first_name), id.

`contacts.selectors.customer_search` lists exact name matches (the surname alone, or first name
and surname) first, in that order, then the looser trigram matches. With this index PostgreSQL
answers a page of a surname shared by 25,000 of a million customers by an ordered index scan of
the first rows, instead of reading and sorting every match. PostgreSQL only, like 0003; SQLite
searches unindexed.

Not a partial index (WHERE anonymised_at IS NULL): every search filters on that condition, so
a partial index is a candidate to be read whole for the looser part of a search (on a small
table the planner prefers it to the trigram index); a plain one is not.
"""

from django.db import migrations

INDEX = "customer_name_order_idx"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON contacts_customer "
        "(lower(last_name), lower(first_name), id)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):

    dependencies = [
        ("contacts", "0004_drop_indexes_covered_by_composites"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
