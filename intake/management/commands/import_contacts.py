import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from core.models import User
from intake.importer import COLUMNS_HELP, ImportFileError, count_rows, import_contacts


class Command(BaseCommand):
    help = (
        "Import contact history from a legacy CRM's CSV file (UTF-8, header row). Every row is "
        "checked; bad rows are reported (row number, field, message) on screen and in "
        "FILE.errors.csv, and the good rows are kept. Contacts are stored with source=import. "
        "History opens no hand-offs: imported enquiries count as closed when received, so they "
        "raise no repeat-contact warnings. The audit trail gets one row per batch of rows, "
        "with its counts.\n\n" + COLUMNS_HELP
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        from argparse import RawDescriptionHelpFormatter

        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.formatter_class = RawDescriptionHelpFormatter
        return parser

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the CSV file")
        parser.add_argument("--actor", help="username recorded as having imported the rows")
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, file: Path, actor, batch_size, no_progress, **options):
        importer = None
        if actor:
            importer = User.objects.filter(username=actor).first()
            if importer is None:
                raise CommandError(f"No user {actor!r}.")
        if not file.is_file():
            raise CommandError(f"No file {file}.")
        errors_path = file.with_name(file.name + ".errors.csv")
        started = time.perf_counter()
        with tqdm(total=count_rows(file), unit=" rows", disable=no_progress, file=sys.stderr,
                  desc="Importing") as progress:
            try:
                result = import_contacts(file, actor=importer, errors_path=errors_path,
                                         batch_size=batch_size, progress=progress)
            except ImportFileError as error:
                raise CommandError(str(error)) from None
        seconds = time.perf_counter() - started
        for error in result.first_errors:
            self.stderr.write(f"row {error.row}, {error.field}: {error.message}")
        if result.rejected > len(result.first_errors):
            self.stderr.write(f"... and more: every bad row is in {errors_path}")
        rate = result.imported / seconds if seconds else 0
        self.stdout.write(self.style.SUCCESS(
            f"Imported {result.imported} contacts in {seconds:.1f} s ({rate:,.0f} rows/s); "
            f"rejected {result.rejected} rows" + (f" (see {errors_path})." if result.rejected else ".")))
