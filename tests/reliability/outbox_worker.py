"""A real Celery worker for test_outbox_workers: `celery -A config worker --pool=solo` in this
process, with a mail backend that stands in for the SMTP server and can be watched across
processes: each message it accepts is appended as one line (the address) to MAIL_LOG.

SEND_SECONDS: how long each send takes (so that drains in several workers overlap).
HANG_ON=address: the send to that address writes the address to MAIL_LOG + ".sending" and then
never returns, so that the test can kill the worker in the middle of it.

Run as `python -m tests.reliability.outbox_worker NAME` with DATABASE_URL and REDIS_URL set.
"""

import os
import sys
import time
from pathlib import Path

import django
from django.core.mail.backends.base import BaseEmailBackend


class LogBackend(BaseEmailBackend):
    def send_messages(self, messages):
        log = os.environ["MAIL_LOG"]
        for message in messages:
            address = message.to[0]
            if address == os.environ.get("HANG_ON"):
                Path(log + ".sending").write_text(address)
                time.sleep(3600)
            time.sleep(float(os.environ.get("SEND_SECONDS", "0")))
            # One short write in append mode: lines from several processes never interleave.
            with open(log, "a") as file:
                file.write(address + "\n")
        return len(messages)


def main() -> None:
    django.setup()
    from django.conf import settings

    settings.EMAIL_BACKEND = "tests.reliability.outbox_worker.LogBackend"
    from config.celery import app

    app.worker_main(["worker", "--pool=solo", "--loglevel=WARNING", "--without-gossip",
                     "--without-mingle", "--without-heartbeat", "-n", f"{sys.argv[1]}@%h"])


if __name__ == "__main__":
    main()
