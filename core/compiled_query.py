"""Querysets compiled to SQL once per process (issue 23, the write path).

Profiling `POST /api/v1/contacts/` under load showed the ORM building SQL (`as_sql`,
`pre_sql_setup`, `get_select`) as the largest share of a worker's CPU: the same four reads (the
API key with its user and roles, the enquiry type with its service and team, the sampling period,
the NI14 reason) were compiled again on every request. A `CompiledQuery` is still written as a
queryset, so it keeps the ORM's joins and names; it is compiled on first use per database, and
each call only puts the new values in place of the sample ones, runs the SQL through Django's
cursor (counted by `assertNumQueries`, logged like any other) and makes the model instances as
`QuerySet` would (`select_related` objects and annotations included).

On PostgreSQL only (the production database): elsewhere (SQLite for local use) the queryset is
built and run as usual, since other backends adapt some values (dates) into other types.

Only for querysets whose every parameter is either one of the call's arguments or a constant: a
value computed when the queryset is built (such as `timezone.now()`) would be frozen at the first
call. `CompiledQuery` refuses a sample value that does not appear in the compiled parameters.
"""

import threading
from collections.abc import Callable

from django.db import connections, router
from django.db.models.query import QuerySet, get_related_populators


class _Compiled:
    def __init__(self, queryset: QuerySet, db: str, samples: tuple):
        compiler = queryset.query.get_compiler(using=db)
        self.sql, params = compiler.as_sql()
        self.params = list(params)
        # Where each argument goes: every position holding its sample value.
        self.slots = []
        for number, sample in enumerate(samples):
            positions = [i for i, value in enumerate(self.params)
                         if type(value) is type(sample) and value == sample]
            if not positions:
                raise ValueError(f"CompiledQuery: argument {number} ({sample!r}) is not a parameter "
                                 "of the compiled SQL")
            self.slots.append(positions)
        klass_info = compiler.klass_info
        self.model = klass_info["model"]
        select = compiler.select
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [column[0].target.attname for column in select[self.start:self.end]]
        self.related_populators = get_related_populators(klass_info, select, db)
        self.annotations = dict(compiler.annotation_col_map or {})
        self.converters = compiler.get_converters([column[0] for column in select[:compiler.col_count]])
        self.compiler = compiler


class CompiledQuery:
    """`CompiledQuery(build, *samples)`: `build(*args)` returns the queryset for the arguments;
    it is called once per database with `samples` (values of the same types as the real
    arguments, distinct from each other and from the queryset's constants) and compiled.
    `query.all(*args)` returns the model instances, `query.first(*args)` the first or None."""

    def __init__(self, build: Callable[..., QuerySet], *samples):
        self._build = build
        self._samples = samples
        self._compiled: dict[tuple, _Compiled] = {}
        self._lock = threading.Lock()

    def _for(self, db: str) -> _Compiled:
        key = (db, connections[db].vendor)
        compiled = self._compiled.get(key)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(key)
                if compiled is None:
                    compiled = _Compiled(self._build(*self._samples), db, self._samples)
                    self._compiled[key] = compiled
        return compiled

    def all(self, *args) -> list:
        if len(args) != len(self._samples):
            raise TypeError(f"expected {len(self._samples)} arguments, got {len(args)}")
        db = router.db_for_read(self._model())
        if connections[db].vendor != "postgresql":
            return list(self._build(*args))
        compiled = self._for(db)
        params = list(compiled.params)
        for positions, value in zip(compiled.slots, args, strict=True):
            for i in positions:
                params[i] = value
        with connections[db].cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if compiled.converters:
            rows = list(compiled.compiler.apply_converters(rows, compiled.converters))
        objects = []
        for row in rows:
            obj = compiled.model.from_db(db, compiled.init_list, row[compiled.start:compiled.end])
            for populator in compiled.related_populators:
                populator.populate(row, obj)
            for name, position in compiled.annotations.items():
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects

    def first(self, *args):
        found = self.all(*args)
        return found[0] if found else None

    def _model(self):
        model = getattr(self, "_model_class", None)
        if model is None:
            model = self._model_class = self._build(*self._samples).model
        return model
