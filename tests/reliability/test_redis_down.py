"""Redis stopped (issue 8, "Faults"): advisers still log contacts on the page and through the API
and every change is kept, because nothing on those paths needs the broker or the cache to
answer. What needs the broker (the periodic sweep) runs once Redis is back, and catches up
from the state in PostgreSQL: every hand-off logged during the outage gets its one reminder.

A private redis-server on a free port stands in for the shared one, which is never touched; a
real Celery worker (a child process) runs the sweep against this test's PostgreSQL database.
"""

import subprocess

import pytest
from django.test import override_settings
from django.utils import timezone
from kombu.exceptions import OperationalError

from contacts.models import Contact
from core.models import AuditEvent, ChannelCode, HandoffMethod, OutboundMessage
from core.roles import Role
from handoffs.models import Handoff
from handoffs.tasks import sweep_deadlines
from tests.factories import EnquiryTypeFactory, ServiceFactory, TeamFactory
from tests.reliability.conftest import forget_connections
from tests.reliability.servers import (
    ROOT,
    child_env,
    database_url_for_children,
    postgres_only_reason,
    python,
    stop_process,
)

pytestmark = [
    pytest.mark.skipif(postgres_only_reason() is not None, reason=postgres_only_reason() or ""),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CONTACTS_EACH_WAY = 5


def _redis_settings(url: str) -> dict:
    return {
        "CACHES": {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                               "LOCATION": url, "KEY_PREFIX": "nwd-fault-test",
                               "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}},
        "CELERY_BROKER_URL": url,
    }


def _catalogue(make_user):
    lead = make_user(Role.BACK_OFFICE)
    team = TeamFactory(lead=lead)
    service = ServiceFactory(code="waste")
    enquiry_type = EnquiryTypeFactory(service=service, code="missed-bin", team=team,
                                      handoff_method=HandoffMethod.FIRE_AND_FORGET,
                                      target_working_days=1)
    return service, enquiry_type


def test_contacts_are_logged_and_kept_with_redis_down_and_the_sweep_catches_up(
        redis_server, celery_on, client_for, api_client_for, make_user):
    service, enquiry_type = _catalogue(make_user)
    page = client_for(Role.ADVISER)
    api = api_client_for(Role.ADVISER)

    with override_settings(**_redis_settings(redis_server.url)):
        # Redis up: the API uses it (the throttle counts requests in the cache).
        assert api.get("/api/v1/services/").status_code == 200

        redis_server.stop()  # --- the fault ---
        started = timezone.now()
        for n in range(CONTACTS_EACH_WAY):
            response = page.post("/contacts/log/", {
                "anonymous": "1", "channel": "telephone", "enquiry_type": str(enquiry_type.pk),
                "summary": f"Page contact {n} during the outage."})
            assert response.status_code == 302, response.content.decode()[:2000]
            response = api.post("/api/v1/contacts/", {
                "channel": ChannelCode.WEB, "service": "waste", "enquiry_type": "missed-bin",
                "summary": f"API contact {n} during the outage.", "avoidable": False},
                format="json", HTTP_IDEMPOTENCY_KEY=f"outage-{n}")
            assert response.status_code == 201, response.content
        assert api.get("/api/v1/contacts/").status_code == 200
        # The beat's tick is lost while the broker is down; nothing depends on it.
        with pytest.raises(OperationalError):
            celery_on.send_task(sweep_deadlines.name, retry=False, ignore_result=True)

    logged = Contact.objects.filter(created_at__gte=started)
    assert logged.count() == 2 * CONTACTS_EACH_WAY
    assert sorted(logged.values_list("source", flat=True)) == ["adviser"] * 5 + ["api"] * 5
    handoffs = Handoff.objects.filter(contact__in=logged)
    assert handoffs.count() == 2 * CONTACTS_EACH_WAY
    assert AuditEvent.objects.filter(object_type="contacts.contact",
                                     object_id__in=[str(pk) for pk in logged.values_list("pk", flat=True)]
                                     ).count() >= 2 * CONTACTS_EACH_WAY
    assert not handoffs.filter(reminded_at__isnull=False).exists()

    # --- Redis is back: a real worker takes the sweep from the broker and catches up. ---
    redis_server.start()
    forget_connections(celery_on)
    worker = subprocess.Popen(
        [python(), "-m", "celery", "-A", "config", "worker", "--pool=solo", "--loglevel=WARNING",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", "fault-test@%h"],
        cwd=ROOT, env=child_env(DATABASE_URL=database_url_for_children(), REDIS_URL=redis_server.url),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        result = sweep_deadlines.apply_async()
        counts = result.get(timeout=120)
    finally:
        stop_process(worker)
        output = worker.stdout.read().decode(errors="replace") if worker.stdout else ""
        worker.stdout and worker.stdout.close()
    assert counts["reminders"] == 2 * CONTACTS_EACH_WAY, output
    for handoff in handoffs:
        reminders = OutboundMessage.objects.filter(dedupe_key__startswith=f"handoff:{handoff.pk}:reminder:")
        assert reminders.count() == 1
    assert not handoffs.filter(reminded_at__isnull=True).exists()
