import logging
import time

from celery.schedules import maybe_schedule
from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from config.celery import app

logger = logging.getLogger(__name__)


class Periodic:
    """CELERY_BEAT_SCHEDULE run in this process, each entry on its own schedule (a number of
    seconds or a celery schedule such as crontab), as celery beat would run it."""

    def __init__(self, schedule: dict):
        self.entries = {name: (entry["task"], maybe_schedule(entry["schedule"], app=app))
                        for name, entry in sorted(schedule.items())}
        self.last_run_at: dict = {}

    def due(self, now) -> list[str]:
        """The entries to run now: each once on the first round, then whenever its schedule says."""
        names = []
        for name, (_, schedule) in self.entries.items():
            last = self.last_run_at.get(name)
            if last is None or schedule.is_due(last).is_due:
                names.append(name)
        return names

    def run(self, name: str, now):
        task, _ = self.entries[name]
        self.last_run_at[name] = now
        return app.tasks[task].apply()


class Command(BaseCommand):
    help = (
        "Run the periodic tasks of CELERY_BEAT_SCHEDULE in this process, each on its own "
        "schedule, for set-ups without Redis (make run with no REDIS_URL). Every task is "
        "idempotent, so this is safe beside beat."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run every task once and stop")
        parser.add_argument("--tick", type=float, default=5.0,
                            help="seconds between looks at the schedule (default 5)")

    def handle(self, *args, once, tick, **options):
        app.loader.import_default_modules()
        periodic = Periodic(settings.CELERY_BEAT_SCHEDULE)
        while True:
            now = timezone.now()
            for name in periodic.due(now):
                try:
                    result = periodic.run(name, now)
                    logger.info("periodic task ran", extra={"task": name, "result": result.result})
                except Exception:
                    logger.exception("periodic task failed", extra={"task": name})
            if once:
                return
            time.sleep(tick)
