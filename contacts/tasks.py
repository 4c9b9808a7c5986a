"""Celery tasks of the contacts app: building a subject access export (contacts/privacy.py) and
deleting the files of erased or never-sent photos (contacts/photos.py). Retention is the shared
app's (core.apply_retention)."""

from celery import shared_task

from contacts.photos import photo_files_sweep
from contacts.privacy import subject_access_build


@shared_task(name="contacts.build_subject_access_export")
def build_subject_access_export(export_id: int) -> str:
    return subject_access_build(export_id)


@shared_task(name="contacts.sweep_photo_files")
def sweep_photo_files() -> int:
    return photo_files_sweep()
