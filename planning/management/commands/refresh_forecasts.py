from django.core.management.base import BaseCommand

from planning.services import forecasts_refresh


class Command(BaseCommand):
    help = ("Make the contact-centre forecast now (Celery beat makes it every night): every service "
            "and channel by day for 8 weeks and by half hour for 2, with its backtest.")

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true",
                            help="make it again even if the history has not changed since the last one")

    def handle(self, *args, force, **options):
        result = forecasts_refresh(force=force)
        if result["made"]:
            self.stdout.write(f"Forecast made: {result['series']} services and channels in "
                              f"{result['seconds']} s.")
        else:
            self.stdout.write(f"Forecast already made from this history ({result['series']} services "
                              "and channels); --force to make it again.")
