"""The outbox drain (issue 16, "Messages delivered exactly once"): storing a message never sends
it; the drain claims due messages (SELECT ... FOR UPDATE SKIP LOCKED), sends each once, records
every attempt, retries failures with back-off and gives up after OUTBOX_MAX_ATTEMPTS. Process-level
faults (several Celery workers, a worker killed mid-send) are in tests/reliability/test_outbox_workers.py.
"""

import smtplib
from collections import Counter
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.apps import apps
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection

from core import services
from core.models import DeliveryAttempt, OutboundMessage
from core.outbox import senders
from core.services import Message, Outgoing, outbox_back_off, outbox_drain, outbox_send, outbox_send_many
from tests.concurrency import run_at_once
from tests.factories import UserFactory

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class RefusingBackend(EmailBackend):
    """A mail server that refuses addresses starting `refused` (550, for good) and `busy`
    (452, for now), and delivers the rest."""

    def send_messages(self, messages):
        for message in messages:
            for address in message.to:
                if address.startswith(("refused", "busy")):
                    code = 550 if address.startswith("refused") else 452
                    raise smtplib.SMTPRecipientsRefused({address: (code, b"mailbox unavailable")})
        return super().send_messages(messages)


class DownBackend(EmailBackend):
    """A mail server that cannot be reached."""

    def open(self):
        raise ConnectionRefusedError("Connection refused")


def _items(*addresses, prefix="k"):
    return [Outgoing(dedupe_key=f"{prefix}:{address}", message=Message("Hello", f"To {address}"),
                     to_email=address) for address in addresses]


def _store(*addresses):
    with time_machine.travel(START, tick=False):
        return outbox_send_many(_items(*addresses))


def _drain_at(moment, **kwargs):
    with time_machine.travel(moment, tick=False):
        return outbox_drain(**kwargs)


def _attempts(address):
    return list(DeliveryAttempt.objects.filter(message__to_email=address).order_by("number")
                .values_list("number", "outcome"))


@pytest.mark.django_db
def test_storing_a_message_sends_nothing_and_the_drain_sends_it_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        outbox_send(dedupe_key="k1", message=Message("Hello", "Body"), to_email="a@b.example")
        assert outbox_send(dedupe_key="k1", message=Message("Hello", "Body"), to_email="a@b.example") is None
    assert mail.outbox == []
    message = OutboundMessage.objects.get()
    assert (message.sent_at, message.attempt_count) == (None, 0)

    result = outbox_drain()
    assert result.as_dict() == {"sent": 1, "retry": 0, "failed": 0}
    assert [m.to for m in mail.outbox] == [["a@b.example"]]
    message.refresh_from_db()
    assert message.sent_at is not None and message.next_attempt_at is None
    attempt = message.attempts.get()
    assert (attempt.number, attempt.outcome, attempt.error) == (1, "sent", "")
    assert attempt.finished_at is not None and attempt.worker

    assert outbox_drain().sent == 0
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_message_to_no_address_is_kept_and_never_claimed():
    staff_without_email = UserFactory(email="")
    outbox_send(dedupe_key="k1", message=Message("Hello", "Body"), recipient_user=staff_without_email)
    assert OutboundMessage.objects.get().next_attempt_at is None
    assert outbox_drain().as_dict() == {"sent": 0, "retry": 0, "failed": 0}
    assert not DeliveryAttempt.objects.exists()


@pytest.mark.django_db
def test_a_refused_address_is_given_up_at_once_a_busy_one_retried_and_the_rest_sent(settings):
    settings.EMAIL_BACKEND = "tests.core.test_outbox_drain.RefusingBackend"
    _store("a@x.example", "refused@x.example", "busy@x.example", "c@x.example")
    result = _drain_at(START)
    assert result.as_dict() == {"sent": 2, "retry": 1, "failed": 1}
    assert sorted(m.to[0] for m in mail.outbox) == ["a@x.example", "c@x.example"]

    refused = OutboundMessage.objects.get(to_email="refused@x.example")
    assert refused.failed_at is not None and refused.next_attempt_at is None
    assert "550" in refused.send_error
    assert _attempts("refused@x.example") == [(1, "failed")]

    busy = OutboundMessage.objects.get(to_email="busy@x.example")
    assert busy.failed_at is None and busy.next_attempt_at == START + timedelta(seconds=60)
    assert _attempts("busy@x.example") == [(1, "retry")]


@pytest.mark.django_db
def test_with_the_mail_server_down_one_try_is_recorded_and_the_rest_wait_untouched(settings):
    """The channel is down: the drain stops after the first failure instead of timing out once
    per message; when the server is back, the retry sends everything once."""
    settings.EMAIL_BACKEND = "tests.core.test_outbox_drain.DownBackend"
    _store("a@x.example", "b@x.example", "c@x.example")
    assert _drain_at(START).as_dict() == {"sent": 0, "retry": 1, "failed": 0}
    assert mail.outbox == []
    tried = OutboundMessage.objects.get(attempt_count=1)
    assert tried.send_error == "Connection refused"
    assert tried.next_attempt_at == START + timedelta(seconds=60)
    assert OutboundMessage.objects.filter(attempt_count=0, next_attempt_at=START).count() == 2

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Before its back-off ends the failed one waits; the two never tried go now.
    assert _drain_at(START + timedelta(seconds=59)).sent == 2
    assert _drain_at(START + timedelta(seconds=60)).sent == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["a@x.example", "b@x.example", "c@x.example"]
    assert _attempts(tried.to_email) == [(1, "retry"), (2, "sent")]
    assert set(OutboundMessage.objects.values_list("send_error", flat=True)) == {""}
    assert _drain_at(START + timedelta(hours=1)).sent == 0


# After n failed tries, with OUTBOX_RETRY_SECONDS=60 and OUTBOX_RETRY_MAX_SECONDS=3600.
@pytest.mark.parametrize(("failed_tries", "wait_seconds"), [
    (1, 60), (2, 120), (3, 240), (4, 480), (5, 960), (6, 1920), (7, 3600), (11, 3600)])
def test_the_back_off_doubles_per_try_up_to_the_ceiling(settings, failed_tries, wait_seconds):
    settings.OUTBOX_RETRY_SECONDS = 60
    settings.OUTBOX_RETRY_MAX_SECONDS = 3600
    assert outbox_back_off(failed_tries) == timedelta(seconds=wait_seconds)


@pytest.mark.django_db
def test_a_message_that_keeps_failing_is_given_up_after_the_last_attempt(settings):
    settings.EMAIL_BACKEND = "tests.core.test_outbox_drain.RefusingBackend"
    settings.OUTBOX_MAX_ATTEMPTS = 3
    _store("busy@x.example")
    moment = START
    outcomes = []
    for _ in range(5):
        result = _drain_at(moment)
        outcomes.append((result.retry, result.failed))
        moment += timedelta(hours=2)  # past any back-off
    assert outcomes == [(1, 0), (1, 0), (0, 1), (0, 0), (0, 0)]
    message = OutboundMessage.objects.get()
    assert message.failed_at is not None and message.sent_at is None and message.next_attempt_at is None
    assert _attempts("busy@x.example") == [(1, "retry"), (2, "retry"), (3, "failed")]


@pytest.mark.django_db
def test_a_claim_left_by_a_dead_worker_is_retried_once_it_runs_out(settings):
    """A worker claimed a message and died before recording the outcome: nobody else takes it
    while the claim lasts, and the next drain after that sends it (attempt 1 stays unfinished)."""
    settings.OUTBOX_CLAIM_SECONDS = 300
    _store("a@x.example")
    with time_machine.travel(START, tick=False):
        message, attempt = services._outbox_claim(worker="dead-host:1", channels={"email"})
    assert message.next_attempt_at == START + timedelta(seconds=300)

    assert _drain_at(START + timedelta(seconds=299)).sent == 0
    assert mail.outbox == []
    assert _drain_at(START + timedelta(seconds=300)).sent == 1
    assert [m.to[0] for m in mail.outbox] == ["a@x.example"]
    assert _attempts("a@x.example") == [(1, ""), (2, "sent")]
    assert DeliveryAttempt.objects.get(number=1).finished_at is None


@pytest.mark.django_db
def test_a_drain_sends_at_most_its_limit_and_the_next_one_the_rest():
    _store(*[f"m{n}@x.example" for n in range(5)])
    assert _drain_at(START, limit=3).sent == 3
    assert _drain_at(START, limit=3).sent == 2
    assert len(mail.outbox) == 5


class _RecordingSession:
    def __init__(self, sent):
        self.sent = sent

    def send(self, message):
        self.sent.append((message.channel, message.to_email))
        return f"ref-{message.pk}"


class _RecordingSender:
    def __init__(self):
        self.sent = []

    @contextmanager
    def session(self):
        yield _RecordingSession(self.sent)


@pytest.mark.django_db
def test_an_app_plugs_in_a_channel_through_its_app_config(monkeypatch):
    """Another delivery channel (a fax, say: issue 19's notify app offers text messages and
    letters the same way) is a sender offered by an app's AppConfig; messages of that channel go
    to it, email still goes by email."""
    sms = _RecordingSender()
    monkeypatch.setattr(apps.get_app_config("contacts"), "outbox_senders", lambda: {"fax": sms},
                        raising=False)
    assert {"email", "fax"} <= set(senders())
    _store("a@x.example")
    text = OutboundMessage.objects.create(dedupe_key="fax:1", created_at=START, channel="fax",
                                          to_email="b@x.example", subject="", body="Your bin",
                                          next_attempt_at=START)
    assert _drain_at(START).sent == 2
    assert sms.sent == [("fax", "b@x.example")]
    assert [m.to[0] for m in mail.outbox] == ["a@x.example"]
    assert text.attempts.get().provider_reference == f"ref-{text.pk}"


@pytest.mark.django_db
def test_a_channel_with_no_sender_waits_and_is_not_lost():
    OutboundMessage.objects.create(dedupe_key="fax:1", created_at=START, channel="fax",
                                   to_email="b@x.example", subject="", body="Your bin",
                                   next_attempt_at=START)
    assert _drain_at(START).as_dict() == {"sent": 0, "retry": 0, "failed": 0}
    assert OutboundMessage.objects.get().next_attempt_at == START


@pytest.mark.django_db(transaction=True)
def test_drains_running_at_once_send_each_message_exactly_once():
    if connection.vendor != "postgresql":
        pytest.skip("SKIP LOCKED needs PostgreSQL")
    addresses = [f"m{n}@x.example" for n in range(60)]
    outbox_send_many(_items(*addresses))

    outcomes = run_at_once(*[outbox_drain] * 4)
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert sum(o.sent for o in outcomes) == 60
    assert Counter(m.to[0] for m in mail.outbox) == Counter(addresses)
    assert set(OutboundMessage.objects.values_list("attempt_count", flat=True)) == {1}
    assert DeliveryAttempt.objects.filter(outcome="sent").count() == 60
