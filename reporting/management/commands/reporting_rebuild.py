from django.core.management.base import BaseCommand

from reporting.services import rebuild_contact_summary


class Command(BaseCommand):
    help = "Recompute the contact summary rows from the raw contacts."

    def handle(self, *args, **options):
        rows = rebuild_contact_summary()
        self.stdout.write(f"Rebuilt the contact summary: {rows} rows.")
