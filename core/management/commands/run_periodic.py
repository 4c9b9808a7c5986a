import logging
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from config.celery import app

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Run the periodic tasks of CELERY_BEAT_SCHEDULE in this process, for set-ups without "
        "Redis (make run with no REDIS_URL). Every task is idempotent, so this is safe beside beat."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run every task once and stop")
        parser.add_argument("--interval", type=float, default=None, help="seconds between rounds")

    def handle(self, *args, once, interval, **options):
        interval = interval or settings.CELERY_BEAT_SCHEDULE_SECONDS
        app.loader.import_default_modules()
        while True:
            for name, entry in sorted(settings.CELERY_BEAT_SCHEDULE.items()):
                try:
                    result = app.tasks[entry["task"]].apply()
                    logger.info("periodic task ran", extra={"task": name, "result": result.result})
                except Exception:
                    logger.exception("periodic task failed", extra={"task": name})
            if once:
                return
            time.sleep(interval)
