"""The complaint rule sets from the command line (API.md v1.2): `list` prints each set, which is
active and its stage clocks; `activate NAME` makes NAME the set new stages start under."""

from django.core.management.base import BaseCommand, CommandError

from complaints.selectors import rule_set_named, rule_sets_with_stage_rules
from complaints.services import rule_set_activate
from complaints.transitions import clock_table


class Command(BaseCommand):
    help = ("List the complaint rule sets and their stage timescales, or activate one for new stages "
            "(running stages keep the deadlines they started with).")

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="command", required=True)
        commands.add_parser("list", help="the rule sets, which is active, and their stage timescales")
        activate = commands.add_parser("activate", help="make NAME the active rule set for new stages")
        activate.add_argument("name", help="the rule set's code, e.g. strategy-2008 or lgsco-2026")

    def handle(self, *args, command, **options):
        if command == "activate":
            self._activate(options["name"])
        else:
            self._list()

    def _list(self):
        for rule_set in rule_sets_with_stage_rules():
            state = "active" if rule_set.is_active else "inactive"
            self.stdout.write(f"{rule_set.code} ({state}, version {rule_set.version}): {rule_set.name}")
            for row in clock_table(rule_set.stage_rules_ordered):
                self.stdout.write(f"  {row['process']} stage {row['stage']}: "
                                  f"acknowledge: {row['acknowledgement']}; respond: {row['response']}; "
                                  f"extension: {row['extension']}")

    def _activate(self, name: str):
        rule_set = rule_set_named(name)
        if rule_set is None:
            known = ", ".join(r.code for r in rule_sets_with_stage_rules())
            raise CommandError(f"There is no complaint rule set called {name!r}. The rule sets are: {known}.")
        rule_set_activate(rule_set=rule_set)
        self.stdout.write(f"{rule_set.code} is now the active rule set: new stages start under it; "
                          f"running stages keep their deadlines.")
