from celery import shared_task

from core.services import outbox_retry_unsent


@shared_task(name="core.outbox_retry_unsent")
def retry_unsent_messages() -> int:
    return outbox_retry_unsent()
