from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from contacts.privacy import apply_retention, retention_cutoff, retention_summary


class Command(BaseCommand):
    help = (
        "Anonymise customers and contacts older than the retention period (RETENTION_YEARS, "
        "default 6): contacts received before the cutoff lose their free text, customers with "
        "nothing newer than the cutoff lose their personal details. Report figures stay exact. "
        "Safe to run again or to stop: it carries on where it left off."
    )

    def add_arguments(self, parser):
        parser.add_argument("--years", type=int, default=None,
                            help="override RETENTION_YEARS for this run")

    def handle(self, *args, years, **options):
        years = settings.RETENTION_YEARS if years is None else years
        if years < 1:
            raise CommandError("--years must be at least 1.")
        self.stdout.write(f"Cutoff: {retention_cutoff(years=years):%Y-%m-%d %H:%M} UTC")
        counts = apply_retention(years=years)
        self.stdout.write(self.style.SUCCESS(retention_summary(counts, years)))
