from celery import shared_task

from handoffs.services import handoffs_enforce_deadlines, handoffs_warn_customers


@shared_task(name="handoffs.sweep_deadlines")
def sweep_deadlines() -> dict[str, int]:
    return handoffs_enforce_deadlines()


@shared_task(name="handoffs.warn_customers")
def warn_customers() -> int:
    return handoffs_warn_customers()
