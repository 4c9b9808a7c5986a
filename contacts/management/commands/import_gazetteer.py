import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from contacts.gazetteer import COLUMNS_HELP, GazetteerFileError, count_rows, gazetteer_load


class Command(BaseCommand):
    help = (
        "Load the council's address gazetteer from an LLPG or AddressBase CSV extract (UTF-8, "
        "header row) for the postcode lookup and for matching reported points to a UPRN. Every "
        "row is checked; bad rows are reported (row number, column, message) on screen and in "
        "FILE.errors.csv, and the good rows are kept. A property already loaded is updated by its "
        "UPRN. " + COLUMNS_HELP
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the CSV extract")
        parser.add_argument("--chunk-size", type=int, default=50_000, help="rows per transaction")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, file: Path, chunk_size, no_progress, **options):
        if not file.is_file():
            raise CommandError(f"No file {file}.")
        errors_path = file.with_name(file.name + ".errors.csv")
        started = time.perf_counter()
        with tqdm(total=count_rows(file), unit=" rows", disable=no_progress, file=sys.stderr,
                  desc="Loading addresses") as progress:
            try:
                result = gazetteer_load(file, errors_path=errors_path, chunk_size=chunk_size,
                                        progress=progress)
            except GazetteerFileError as error:
                raise CommandError(str(error)) from None
        seconds = time.perf_counter() - started
        for error in result.first_errors:
            self.stderr.write(f"row {error.row}, {error.column}: {error.message}")
        if result.rejected > len(result.first_errors):
            self.stderr.write(f"... and more: every bad row is in {errors_path}")
        if not result.rejected:
            errors_path.unlink(missing_ok=True)
        rate = result.loaded / seconds if seconds else 0
        self.stdout.write(self.style.SUCCESS(
            f"Loaded {result.loaded} addresses in {seconds:.1f} s ({rate:,.0f} rows/s); "
            f"rejected {result.rejected} rows" + (f" (see {errors_path})." if result.rejected else ".")))
