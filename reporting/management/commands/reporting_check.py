from django.core.management.base import BaseCommand, CommandError

from reporting.selectors import handoff_summary_mismatches, monthly_mismatches, summary_mismatches


class Command(BaseCommand):
    help = "Compare the summary rows with a raw GROUP BY recount; fails on any difference."

    def handle(self, *args, **options):
        failures = []
        for name, mismatches in (("contact", summary_mismatches()),
                                 ("monthly contact", monthly_mismatches()),
                                 ("hand-off", handoff_summary_mismatches())):
            for key, summary, raw in mismatches[:20]:
                self.stderr.write(f"{name} {key}: summary {summary}, raw {raw}")
            if mismatches:
                failures.append(f"{len(mismatches)} {name} summary rows differ from the raw rows")
            else:
                self.stdout.write(f"The {name} summary equals a raw recount.")
        if failures:
            raise CommandError("; ".join(failures) + ".")
