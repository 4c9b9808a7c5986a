from celery import shared_task

from complaints.services import complaints_enforce_deadlines


@shared_task(name="complaints.sweep_deadlines")
def sweep_deadlines() -> dict[str, int]:
    return complaints_enforce_deadlines()
