from django.core.management.base import BaseCommand

from reporting.services import rebuild_contact_summary, rebuild_handoff_summary


class Command(BaseCommand):
    help = "Recompute the contact and hand-off summary rows from the raw rows."

    def handle(self, *args, **options):
        rows = rebuild_contact_summary()
        self.stdout.write(f"Rebuilt the contact summary: {rows} rows.")
        rows = rebuild_handoff_summary()
        self.stdout.write(f"Rebuilt the hand-off summary: {rows} rows.")
