"""The batched audit and outbox writes behind the deadline sweeps: one statement for many rows,
each message stored once per dedupe key, delivered over one connection, failures kept for the
retry sweep."""

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

from core import services
from core.models import AuditEvent, OutboundMessage
from core.services import Message, Outgoing, audit_record_many, outbox_retry_unsent, outbox_send_many
from tests.factories import UserFactory


class RefusingBackend(EmailBackend):
    """A mail server that refuses one address and delivers the rest."""

    def send_messages(self, messages):
        if any("refused@" in address for message in messages for address in message.to):
            raise ConnectionRefusedError("550 mailbox unavailable")
        return super().send_messages(messages)


class DownBackend(EmailBackend):
    """A mail server that cannot be reached."""

    def open(self):
        raise ConnectionRefusedError("Connection refused")


def _items(*addresses, prefix="k"):
    return [Outgoing(dedupe_key=f"{prefix}:{address}", message=Message("Hello", f"To {address}"),
                     to_email=address) for address in addresses]


@pytest.mark.django_db
def test_audit_record_many_writes_one_row_per_record_in_one_insert(django_assert_num_queries):
    user = UserFactory()
    with django_assert_num_queries(1):
        audit_record_many({"actor": None, "action": "checked", "target": user, "changes": {"n": n}}
                          for n in range(3))
    assert list(AuditEvent.objects.filter(action="checked").values_list("object_id", "changes")) == [
        (str(user.pk), {"n": 0}), (str(user.pk), {"n": 1}), (str(user.pk), {"n": 2})]


@pytest.mark.django_db
def test_a_batch_is_stored_once_per_key_and_delivered_with_sent_at(
        django_capture_on_commit_callbacks, django_assert_max_num_queries):
    with django_capture_on_commit_callbacks(execute=True):
        first = outbox_send_many(_items("a@x.example"))
    with django_assert_max_num_queries(8), django_capture_on_commit_callbacks(execute=True):
        stored = outbox_send_many(_items("a@x.example", "b@x.example", "b@x.example", "c@x.example"))
    assert [m.dedupe_key for m in first] == ["k:a@x.example"]
    assert [m.dedupe_key for m in stored] == ["k:b@x.example", "k:c@x.example"]
    assert sorted(m.to[0] for m in mail.outbox) == ["a@x.example", "b@x.example", "c@x.example"]
    assert not OutboundMessage.objects.filter(sent_at__isnull=True).exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_send_many(_items("a@x.example", "c@x.example")) == []
    assert len(mail.outbox) == 3


@pytest.mark.django_db
def test_a_key_stored_by_someone_else_meanwhile_is_not_stored_twice(
        monkeypatch, django_capture_on_commit_callbacks):
    """A concurrent sweep stores a key between the read and the insert: the batch insert fails
    and the batch goes one message at a time, storing only the keys still free."""
    with django_capture_on_commit_callbacks(execute=True):
        outbox_send_many(_items("a@x.example"))
    monkeypatch.setattr(services, "_stored_keys", lambda keys: set())
    with django_capture_on_commit_callbacks(execute=True):
        stored = outbox_send_many(_items("a@x.example", "b@x.example"))
    assert [m.dedupe_key for m in stored] == ["k:b@x.example"]
    assert OutboundMessage.objects.count() == 2
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_a_refused_message_is_kept_for_the_retry_and_the_others_are_delivered(
        settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "tests.core.test_outbox_batch.RefusingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        outbox_send_many(_items("a@x.example", "refused@x.example", "c@x.example"))
    unsent = OutboundMessage.objects.get(sent_at__isnull=True)
    assert unsent.to_email == "refused@x.example"
    assert "550" in unsent.send_error
    assert sorted(m.to[0] for m in mail.outbox) == ["a@x.example", "c@x.example"]


@pytest.mark.django_db
def test_with_the_mail_server_down_the_whole_batch_waits_for_the_retry(
        settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "tests.core.test_outbox_batch.DownBackend"
    with django_capture_on_commit_callbacks(execute=True):
        outbox_send_many(_items("a@x.example", "b@x.example"))
    assert mail.outbox == []
    assert set(OutboundMessage.objects.values_list("sent_at", "send_error")) == {
        (None, "Connection refused")}
    assert outbox_retry_unsent() == 2  # still down
    assert OutboundMessage.objects.filter(sent_at__isnull=True).count() == 2

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbox_retry_unsent() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["a@x.example", "b@x.example"]
    assert set(OutboundMessage.objects.values_list("send_error", flat=True)) == {""}
    assert not OutboundMessage.objects.filter(sent_at__isnull=True).exists()
    assert outbox_retry_unsent() == 0
