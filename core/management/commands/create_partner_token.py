from django.core.management.base import BaseCommand

from core.services import partner_token_create


class Command(BaseCommand):
    help = "Create an API key for a partner system; the key is printed alone on the last line."

    def add_arguments(self, parser):
        parser.add_argument("name", help="the partner system, for example 'street-reporting'")

    def handle(self, *args, name, **options):
        token, key = partner_token_create(name=name)
        self.stdout.write(
            f"Partner key for {name!r} (account {token.user.username}). "
            "It is shown only now; store it in the partner's secret store."
        )
        self.stdout.write(key)
