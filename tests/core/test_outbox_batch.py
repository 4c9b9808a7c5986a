"""The batched audit and outbox writes behind the deadline sweeps: one statement for many rows,
each message stored once per dedupe key and sent by the drain (tests/core/test_outbox_drain.py)."""

import pytest
from django.core import mail

from core import services
from core.models import AuditEvent, OutboundMessage
from core.services import Message, Outgoing, audit_record_many, outbox_drain, outbox_send_many
from tests.factories import UserFactory


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
def test_a_batch_is_stored_once_per_key_and_the_drain_sends_each_once(
        django_capture_on_commit_callbacks, django_assert_max_num_queries):
    with django_capture_on_commit_callbacks(execute=True):
        first = outbox_send_many(_items("a@x.example"))
    with django_assert_max_num_queries(8), django_capture_on_commit_callbacks(execute=True):
        stored = outbox_send_many(_items("a@x.example", "b@x.example", "b@x.example", "c@x.example"))
    assert [m.dedupe_key for m in first] == ["k:a@x.example"]
    assert [m.dedupe_key for m in stored] == ["k:b@x.example", "k:c@x.example"]
    assert mail.outbox == []  # storing never sends
    assert outbox_drain().sent == 3
    assert sorted(m.to[0] for m in mail.outbox) == ["a@x.example", "b@x.example", "c@x.example"]
    assert not OutboundMessage.objects.filter(sent_at__isnull=True).exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_send_many(_items("a@x.example", "c@x.example")) == []
    assert outbox_drain().sent == 0
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
    outbox_drain()
    assert len(mail.outbox) == 2
