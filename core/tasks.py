from celery import shared_task

from core.directory import staff_deactivate_unseen
from core.services import outbox_retry_unsent


@shared_task(name="core.outbox_retry_unsent")
def retry_unsent_messages() -> int:
    return outbox_retry_unsent()


@shared_task(name="core.deactivate_unseen_staff")
def deactivate_unseen_staff() -> int:
    return staff_deactivate_unseen()
