"""Reports from a read replica (README, "Scaling"): with DATABASE_REPLICA_URL set, settings add a
`replica` database and this router.

- Reads of the reporting app's own models (the summary rows) go to the replica: the dashboards'
  heavy aggregates leave the primary to the contact centre's writes.
- Code that reads other models for a report can do so inside `replica_reads()` (a context
  manager, per thread and per asyncio task), e.g. a drill-down or a CSV export.
- Everything else, every write and every migration, stays on `default` (the primary). A replica
  lags the primary by the replication delay (usually milliseconds): a report may miss a contact
  logged that instant, never count one twice.

Without a `replica` database the router says nothing and Django uses `default` throughout.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

REPLICA = "replica"
REPLICA_APPS = frozenset({"reporting"})
_replica_reads: ContextVar[bool] = ContextVar("replica_reads", default=False)


@contextmanager
def replica_reads():
    """Send every read in the block to the replica (when there is one)."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def _has_replica() -> bool:
    return REPLICA in settings.DATABASES


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if not _has_replica():
            return None
        if model._meta.app_label in REPLICA_APPS or _replica_reads.get():
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the primary's data: objects from either may be related.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
