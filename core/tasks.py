from celery import shared_task

from core.services import outbox_drain


@shared_task(name="core.outbox_drain")
def drain_outbox() -> dict:
    return outbox_drain().as_dict()
