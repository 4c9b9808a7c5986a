"""Periodic work of the contacts app: the retention policy (CELERY_BEAT_SCHEDULE). Repeat
detection is read when a contact is logged, and imports run from the command line
(`manage.py import_contacts`)."""

from celery import shared_task

from contacts.privacy import apply_retention as _apply_retention


@shared_task(name="contacts.apply_retention")
def apply_retention() -> dict[str, int]:
    return _apply_retention()
