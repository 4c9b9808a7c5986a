from celery import shared_task

from insight.services import surveys_sweep


@shared_task(name="insight.sweep_surveys")
def sweep_surveys() -> dict[str, int]:
    return surveys_sweep()
