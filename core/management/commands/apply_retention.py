from django.core.management.base import BaseCommand

from core import personal_data
from core.retention import retention_apply, retention_summary


class Command(BaseCommand):
    help = (
        "Erase the personal data past the council's retention schedule (each app declares what "
        "it holds; an admin sets the lengths under Retention rules). Report figures stay exact. "
        "Safe to run again or to stop: it carries on where it left off."
    )

    def handle(self, *args, **options):
        for schedule in personal_data.schedules():
            days = personal_data.retention_days()[schedule.key]
            self.stdout.write(f"{schedule.label}: {personal_data.describe_days(days)} {schedule.starts}")
        run = retention_apply()
        self.stdout.write(self.style.SUCCESS(retention_summary(run)))
