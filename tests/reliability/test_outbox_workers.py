"""The outbox under real Celery workers (issue 16, "Messages delivered exactly once").

Real worker processes (tests/reliability/outbox_worker.py: `celery -A config worker`, with a mail
backend that appends each address it accepts to a file) take the drain task from a private Redis
and work on this test's PostgreSQL database:
- several workers draining at once send each message exactly once;
- a worker killed (SIGKILL) in the middle of a send leaves that message to be retried once its
  claim runs out, and it is then sent once; nothing is lost, the rest go on.
"""

import os
import signal
import subprocess
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core import mail

from core.models import DeliveryAttempt, OutboundMessage
from core.services import Message, Outgoing, outbox_drain, outbox_send_many
from core.tasks import drain_outbox
from tests.reliability.servers import (
    ROOT,
    child_env,
    database_url_for_children,
    postgres_only_reason,
    python,
    stop_process,
    wait_for,
)

pytestmark = [
    pytest.mark.skipif(postgres_only_reason() is not None, reason=postgres_only_reason() or ""),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def workers(redis_server, celery_on, tmp_path):
    """start(name, **env) -> a worker process on the private Redis and this test's database."""
    started = []

    def start(name: str, **env):
        process = subprocess.Popen(
            [python(), "-m", "tests.reliability.outbox_worker", name], cwd=ROOT,
            env=child_env(DATABASE_URL=database_url_for_children(), REDIS_URL=redis_server.url,
                          MAIL_LOG=tmp_path / "mail.log", **env),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        started.append(process)
        wait_for(lambda: any(name in reply_name for reply in celery_on.control.ping(timeout=0.5)
                             for reply_name in reply), 60, f"worker {name}")
        return process

    yield start
    for process in started:
        stop_process(process)


def _sent(tmp_path) -> Counter:
    log = tmp_path / "mail.log"
    return Counter(log.read_text().split()) if log.exists() else Counter()


def _store(addresses):
    return outbox_send_many([Outgoing(dedupe_key=f"w:{address}", message=Message("Reminder", "Due"),
                                      to_email=address) for address in addresses])


def test_several_workers_draining_at_once_send_each_message_exactly_once(workers, celery_on, tmp_path):
    for n in range(3):
        workers(f"drain{n}", SEND_SECONDS="0.02")
    addresses = [f"m{n}@x.example" for n in range(150)]
    _store(addresses)  # after commit, the wake-up goes to the broker
    results = [drain_outbox.apply_async() for _ in range(5)]
    for result in results:
        result.get(timeout=120)
    wait_for(lambda: not OutboundMessage.objects.filter(sent_at__isnull=True).exists(), 120,
             "every message sent")

    assert _sent(tmp_path) == Counter(addresses)  # each once, none twice
    assert set(OutboundMessage.objects.values_list("attempt_count", flat=True)) == {1}
    assert DeliveryAttempt.objects.filter(outcome="sent").count() == 150
    # The drains did run at once: more than one worker process sent messages.
    processes = set(DeliveryAttempt.objects.values_list("worker", flat=True))
    assert len(processes) >= 2, processes


def test_a_worker_killed_mid_send_leaves_the_message_to_be_retried_not_lost(
        workers, celery_on, tmp_path, settings, monkeypatch):
    victim = workers("victim", HANG_ON="b@x.example", OUTBOX_CLAIM_SECONDS=300)
    _store(["a@x.example", "b@x.example", "c@x.example"])
    drain_outbox.apply_async()
    sending = Path(f"{tmp_path / 'mail.log'}.sending")
    wait_for(sending.exists, 60, "the worker to be sending to b@x.example")
    os.killpg(victim.pid, signal.SIGKILL)  # --- the fault: no cleanup, no rollback by Python ---
    victim.wait(timeout=30)

    a, b, c = (OutboundMessage.objects.get(to_email=f"{x}@x.example") for x in "abc")
    assert a.sent_at is not None
    assert (b.sent_at, b.failed_at, b.attempt_count) == (None, None, 1)
    attempt = b.attempts.get()
    assert (attempt.finished_at, attempt.outcome) == (None, "")  # the try that died, on record
    assert (c.sent_at, c.attempt_count) == (None, 0)
    claim_ends = b.next_attempt_at
    assert claim_ends > attempt.started_at + timedelta(seconds=299)

    # Another worker goes on with the rest (the wake-up still queued, then this drain); b is
    # still claimed by the dead one, so it is not sent twice.
    workers("rescuer")
    drain_outbox.apply_async().get(timeout=60)
    assert _sent(tmp_path) == Counter(["a@x.example", "c@x.example"])
    b.refresh_from_db()
    assert (b.sent_at, b.attempt_count, b.next_attempt_at) == (None, 1, claim_ends)

    # Once the claim has run out, the next drain sends b, once.
    settings.EMAIL_BACKEND = "tests.reliability.outbox_worker.LogBackend"
    monkeypatch.setenv("MAIL_LOG", str(tmp_path / "mail.log"))
    with time_machine.travel(claim_ends + timedelta(seconds=1), tick=False):
        assert outbox_drain().sent == 1
    assert _sent(tmp_path) == Counter(["a@x.example", "b@x.example", "c@x.example"])
    assert list(b.attempts.order_by("number").values_list("number", "outcome")) == [(1, ""), (2, "sent")]
    assert mail.outbox == []
