"""The retention task (issue 17, "Retention"): erase what each app declares once it is past the
council's retention schedule (core/personal_data.py).

Daily by Celery beat (`core.apply_retention`) and `manage.py apply_retention`. Each record type is
walked in primary-key order, a chunk at a time; each chunk is one transaction that erases its rows
and adds them to the run's counts. A rerun finds only rows not yet erased (each declaration says
what an erased row looks like), so a run killed at any point (SIGKILL included) is finished by
the next one, with nothing erased twice and nothing missed. Rows are updated, never deleted
(except sign-in records and the admin's change log), and no report dimension is touched, so the
summary rows and every report figure stay the same.
"""

from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from core import personal_data
from core.models import RetentionRun
from core.services import audit_record

RETENTION_CHUNK = 5000
# pg_try_advisory_lock key: one run at a time. A session lock, so a killed run's lock goes with
# its connection.
_LOCK_KEY = 1_700_017


def _try_lock() -> bool:
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [_LOCK_KEY])
        return cursor.fetchone()[0]


def _unlock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_LOCK_KEY])


def due_rows(record: personal_data.RecordType, cuts):
    """Rows of a record type past retention and not yet erased."""
    manager = record.model._default_manager
    if record.is_subject:
        aged = personal_data.aged_subjects(cuts)
    else:
        aged = record.aged(cuts)
    return manager.filter(aged).filter(record.pending())


def retention_apply(*, now: datetime | None = None, chunk: int = RETENTION_CHUNK,
                    after_chunk=None) -> RetentionRun | None:
    """Erase every row past retention (see the module docstring). None when another run holds
    the lock. `after_chunk(run)` is called after each committed chunk (tests stop a run there)."""
    now = now or timezone.now()
    if not _try_lock():
        return None
    try:
        cuts = personal_data.cutoffs(now)
        run = RetentionRun.objects.create(
            started_at=timezone.now(), cutoffs={key: cut.isoformat() for key, cut in cuts.items()},
            counts={})
        for record in personal_data.record_types():
            if not record.schedules and not record.is_subject:
                continue
            _erase_record_type(run, record, cuts, now, chunk, after_chunk)
        run.finished_at = timezone.now()
        with transaction.atomic():
            run.save(update_fields=["finished_at"])
            audit_record(actor=None, action="retention_run", target=run,
                         changes={"counts": run.counts, "cutoffs": run.cutoffs})
        return run
    finally:
        _unlock()


def _erase_subjects(run, record, cuts, now, chunk, after_chunk) -> None:
    """Customers, a chunk of primary keys at a time: which of them still have a record within
    retention is asked of each record type with one indexed query per chunk (set-based; a
    correlated test per customer is far slower at a million)."""
    manager = record.model._default_manager
    linked = [other for other in personal_data.record_types() if other.customer and not other.is_subject]
    values = record.erased_values(now)
    last_pk = 0
    while True:
        with transaction.atomic():
            ids = list(manager.filter(record.pending(), pk__gt=last_pk).order_by("pk")
                       .values_list("pk", flat=True)[:chunk])
            if not ids:
                return
            kept, with_records = set(), set()
            for other in linked:
                rows = other.model._default_manager.filter(**{f"{other.customer}__in": ids})
                with_records |= set(rows.values_list(other.customer, flat=True).distinct())
                kept |= set(rows.exclude(other.aged(cuts)).values_list(other.customer, flat=True).distinct())
            old_enough = set(manager.filter(record.aged(cuts), pk__in=ids).values_list("pk", flat=True))
            due = [pk for pk in ids if pk not in kept and (pk in with_records or pk in old_enough)]
            done = manager.filter(record.pending(), pk__in=due).update(**values) if due else 0
            if done:
                run.counts[record.key] = run.counts.get(record.key, 0) + done
                RetentionRun.objects.filter(pk=run.pk).update(counts=run.counts)
            last_pk = ids[-1]
        if after_chunk is not None:
            after_chunk(run)


def _erase_record_type(run, record, cuts, now, chunk, after_chunk) -> None:
    if record.is_subject:
        _erase_subjects(run, record, cuts, now, chunk, after_chunk)
        return
    due = due_rows(record, cuts)
    values = record.erased_values(now)
    last_pk = None
    while True:
        with transaction.atomic():
            page = due.order_by("pk")
            if last_pk is not None:
                page = page.filter(pk__gt=last_pk)
            ids = list(page.values_list("pk", flat=True)[:chunk])
            if not ids:
                return
            rows = record.model._default_manager.filter(pk__in=ids)
            if record.delete_row:
                done = rows.delete()[1].get(record.model._meta.label, 0)
            else:
                # The pending test again, so a row erased since it was read is not counted.
                done = rows.filter(record.pending()).update(**values)
            run.counts[record.key] = run.counts.get(record.key, 0) + done
            RetentionRun.objects.filter(pk=run.pk).update(counts=run.counts)
            last_pk = ids[-1]
        if after_chunk is not None:
            after_chunk(run)


def retention_summary(run: RetentionRun | None) -> str:
    if run is None:
        return "Another retention run is in progress: nothing done."
    if not run.counts:
        return "Retention: nothing was past its retention period."
    parts = [f"{count} {key}" for key, count in sorted(run.counts.items()) if count]
    return "Retention: erased " + ", ".join(parts) + "."
