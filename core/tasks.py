from celery import shared_task

from core.directory import staff_deactivate_unseen
from core.retention import retention_apply
from core.services import outbox_drain


@shared_task(name="core.outbox_drain")
def drain_outbox() -> dict:
    return outbox_drain().as_dict()


@shared_task(name="core.deactivate_unseen_staff")
def deactivate_unseen_staff() -> int:
    return staff_deactivate_unseen()


@shared_task(name="core.apply_retention")
def apply_retention() -> dict[str, int] | None:
    run = retention_apply()
    return None if run is None else run.counts
