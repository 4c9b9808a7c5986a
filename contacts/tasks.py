"""Celery tasks of the contacts app: building a subject access export (contacts/privacy.py).
Retention is the shared app's (core.apply_retention)."""

from celery import shared_task

from contacts.privacy import subject_access_build


@shared_task(name="contacts.build_subject_access_export")
def build_subject_access_export(export_id: int) -> str:
    return subject_access_build(export_id)
