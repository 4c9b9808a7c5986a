"""Serve the local GOV.UK Notify stand-in (notify/standin.py) for the demo: `make run
NOTIFY_STANDIN=1` starts it next to the app, with the app's NOTIFY_API_KEY and NOTIFY_BASE_URL
pointed at it. It learns our message templates (a template without a Notify id is given one, as a
council does by pasting the id from Notify into the admin) and posts each notification's delivery
receipt to the callback a few seconds after it was sent."""

import time
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.models import MessageTemplate
from notify.standin import NotifyStandIn


class Command(BaseCommand):
    help = "Serve a local stand-in for GOV.UK Notify (for the demo; never in production)."

    def add_arguments(self, parser):
        parser.add_argument("--callback-url", default=f"{settings.PUBLIC_BASE_URL}/notify/receipts/",
                            help="Where delivery receipts are posted.")
        parser.add_argument("--receipt-after", type=float, default=3.0,
                            help="Seconds between a send and its receipt.")

    def handle(self, *args, **options):
        if not settings.NOTIFY_API_KEY or not settings.NOTIFY_BASE_URL:
            raise CommandError("Set NOTIFY_API_KEY and NOTIFY_BASE_URL (the stand-in's address).")
        address = urlsplit(settings.NOTIFY_BASE_URL)
        server = NotifyStandIn(settings.NOTIFY_API_KEY, host=address.hostname or "127.0.0.1",
                               port=address.port or 80)
        for template in MessageTemplate.objects.order_by("pk"):
            if template.notify_template_id is None:
                template.notify_template_id = server.add_template(template.channel, template.body,
                                                                  template.subject)
                template.save(update_fields=["notify_template_id"])
            else:
                server.add_template(template.channel, template.body, template.subject,
                                    template_id=str(template.notify_template_id))
        server.start()
        self.stdout.write(f"Notify stand-in on {server.base_url}; receipts to {options['callback_url']}")
        try:
            while True:
                time.sleep(options["receipt_after"])
                if settings.NOTIFY_CALLBACK_TOKEN:
                    try:
                        server.post_receipts(options["callback_url"], settings.NOTIFY_CALLBACK_TOKEN)
                    except OSError as error:  # the app is not up yet: the next round tries again
                        self.stderr.write(f"receipts not posted: {error}")
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()
