"""`field__in_array=ids`: a column equal to any of a list of ids, the list sent as one value.

On PostgreSQL `col = ANY(%s)` with the list as one array parameter: a work list's search filters
on the ids of up to a thousand customers (`contacts.selectors.customer_ids_matching`), and as
`IN (%s, %s, ...)` Django compiled a placeholder per id and psycopg split the long statement
again, for the count and for the page: about 25 ms of Python for one search of a common surname
(issue 20, measured at 200,000 complaints). Elsewhere (SQLite) it is Django's own `IN`.
"""

from __future__ import annotations

from django.db.models import ForeignObject, IntegerField, Lookup
from django.db.models.lookups import In


class InArray(Lookup):
    lookup_name = "in_array"
    # The right-hand side is a list of ids, not one value of the field.
    prepare_rhs = False

    def get_prep_lookup(self):
        return [int(value) for value in self.rhs]

    def as_sql(self, compiler, connection):
        if not self.rhs or connection.vendor != "postgresql":
            # Django's own IN: on other databases, and for an empty list (nothing matches: IN
            # raises EmptyResultSet, which the compiler turns into no rows or drops from an OR).
            return In(self.lhs, self.rhs).as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        # The array typed as the column (psycopg would send small ids as integer[]: comparing a
        # bigint column with it, PostgreSQL estimated ten times the cost and planned a parallel
        # scan, 160 ms instead of 16).
        array_type = self.lhs.output_field.cast_db_type(connection)
        return f"{lhs} = ANY(%s::{array_type}[])", [*lhs_params, self.rhs]


def register() -> None:
    """Called once from `CoreConfig.ready`: integer columns (ids) and foreign keys have it."""
    IntegerField.register_lookup(InArray)
    ForeignObject.register_lookup(InArray)
