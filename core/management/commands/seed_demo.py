import random
from importlib import import_module

from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from core.demo_catalogue import BACK_OFFICE_SITE, SERVICES, SITES, TEAMS, TRANSACTION_COSTS
from core.models import EnquiryType, Service, Site, Team, TransactionCost, User
from core.roles import Role

DEFAULT_PASSWORD = "nwd-demo-2026"  # nosec B105 - documented demo password, demo data only

DEMO_USERS = [
    # username (= role code), first name, last name, job title
    (Role.ADVISER, "Aisha", "Khan", "Customer Services Adviser"),
    (Role.BACK_OFFICE, "Ben", "Okafor", "Back-office Officer"),
    (Role.COMPLAINTS_OFFICER, "Chloe", "Murphy", "Corporate Complaints Officer"),
    (Role.SOCIAL_CARE_COMPLAINTS, "Sam", "Patel", "Complaints Monitoring Officer, Adult Services"),
    (Role.LEGAL, "Leah", "Wright", "Solicitor, Legal Services"),
    (Role.MANAGER, "Martin", "Hughes", "Head of Customer Services"),
]


# The data migrations that load reference data (roles, NI14 reasons, channel costs, complaint rule
# presets). Each is idempotent (get_or_create), so seeding re-runs them: a database whose tables
# were emptied (a flush, a test run's teardown) gets its reference data back before the demo.
REFERENCE_DATA_LOADERS = [
    ("core.migrations.0002_roles_reference_data_audit_guard", "forwards"),
    ("complaints.migrations.0005_rule_sets_drive_the_clock", "load"),
    ("complaints.migrations.0004_issue18b_letters", "load"),
]


def _reload_reference_data() -> None:
    for module, function in REFERENCE_DATA_LOADERS:
        getattr(import_module(module), function)(apps, None)


class Command(BaseCommand):
    help = (
        "Load the demo catalogue, one user per role (named after the role code) and, once, "
        "90 days of realistic records. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--password", default=DEFAULT_PASSWORD)
        parser.add_argument("--seed", type=int, default=2026, help="random seed for the records")
        parser.add_argument("--days", type=int, default=90)

    def handle(self, *args, password, seed, days, **options):
        with transaction.atomic():
            _reload_reference_data()
            users = self._users(password)
            teams = self._catalogue(users)
        self.stdout.write(f"Catalogue: {Service.objects.count()} services, "
                          f"{EnquiryType.objects.count()} enquiry types, {len(teams)} teams.")
        rng = random.Random(seed)  # nosec B311 - reproducible demo data, not security
        today = timezone.localdate()
        for config in apps.get_app_configs():
            seeder = getattr(config, "seed_demo", None)
            if seeder is not None:
                seeder(command=self, rng=rng, today=today, days=days)
        self.stdout.write(self.style.SUCCESS(
            f"Demo ready. Sign in as {', '.join(code for code, *_ in DEMO_USERS)} or admin "
            f"with the password given (default {DEFAULT_PASSWORD!r})."
        ))

    def _users(self, password: str) -> dict[str, User]:
        users = {}
        manager = None
        for code, first, last, title in sorted(DEMO_USERS, key=lambda u: u[0] != Role.MANAGER):
            user, _ = User.objects.update_or_create(
                username=code,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "job_title": title,
                    "email": f"{code.replace('_', '.')}@council.example",
                    "is_active": True,
                    "line_manager": manager if code != Role.MANAGER else None,
                    # The Head of Service owns corporate stage 2 and premature Ombudsman cases.
                    "is_senior_officer": code == Role.MANAGER,
                },
            )
            user.set_password(password)
            user.save(update_fields=["password"])
            user.groups.set([Group.objects.get_or_create(name=code)[0]])
            users[code] = user
            if code == Role.MANAGER:
                manager = user
        admin, _ = User.objects.update_or_create(
            username="admin",
            defaults={"first_name": "Ada", "last_name": "Admin", "email": "admin@council.example",
                      "is_staff": True, "is_superuser": True, "is_active": True},
        )
        admin.set_password(password)
        admin.save(update_fields=["password"])
        admin.groups.set([Group.objects.get_or_create(name=Role.ADMIN)[0]])
        users["admin"] = admin
        return users

    def _catalogue(self, users) -> dict[str, Team]:
        teams = {}
        for code, name, front in TEAMS:
            team, _ = Team.objects.update_or_create(
                code=code,
                defaults={"name": name, "is_front_office": front, "lead": users[Role.MANAGER],
                          "email": f"{code}@council.example"},
            )
            # The demo back-office officer works every back-office queue but adult social
            # care; the adviser is in the front office.
            if front:
                team.members.add(users[Role.ADVISER])
            elif code != "adult-social-care-access":
                team.members.add(users[Role.BACK_OFFICE])
            teams[code] = team
        for code, name, types in SERVICES:
            service, _ = Service.objects.update_or_create(code=code, defaults={"name": name})
            for type_code, type_name, method, team_code, days in types:
                EnquiryType.objects.update_or_create(
                    service=service,
                    code=type_code,
                    defaults={
                        "name": type_name,
                        "handoff_method": method,
                        "team": teams[team_code] if team_code else None,
                        "target_working_days": days,
                    },
                )
        for code, name, kind in SITES:
            Site.objects.update_or_create(code=code, defaults={"name": name, "kind": kind})
        site_code, site_name, site_kind = BACK_OFFICE_SITE
        for team in teams.values():
            if not team.is_front_office and team.site_id is None:
                team.site, _ = Site.objects.update_or_create(
                    code=site_code.format(code=team.code),
                    defaults={"name": site_name.format(name=team.name), "kind": site_kind})
                team.save(update_fields=["site"])
        for service_code, type_code, channel, pounds in TRANSACTION_COSTS:
            enquiry_type = EnquiryType.objects.get(service__code=service_code, code=type_code)
            TransactionCost.objects.update_or_create(enquiry_type=enquiry_type, channel=channel,
                                                     defaults={"unit_cost": pounds})
        return teams
