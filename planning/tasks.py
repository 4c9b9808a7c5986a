from celery import shared_task

from planning.services import forecasts_refresh


@shared_task(name="planning.refresh_forecasts")
def refresh_forecasts() -> dict:
    return forecasts_refresh()
