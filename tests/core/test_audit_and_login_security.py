"""The audit trail page, and login throttling and lockout (django-axes)."""

import pytest
from django.urls import reverse

from core.models import Service
from core.roles import Role
from core.services import audit_record
from tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db

ALL_STAFF = [r for r in Role if r != Role.PARTNER]


@pytest.mark.parametrize("role", ALL_STAFF)
def test_audit_trail_page_is_for_managers_and_admins_only(client_for, role):
    service = Service.objects.create(code="waste", name="Waste")
    audit_record(actor=None, action="created", target=service, changes={"name": ["", "Waste"]})
    response = client_for(role).get(
        reverse("audit-trail", args=["core.service", service.pk])
    )
    if role in (Role.MANAGER, Role.ADMIN):
        assert response.status_code == 200
        assert b"created" in response.content and b"Waste" in response.content
    else:
        assert response.status_code == 404


def test_audit_trail_escapes_stored_markup(client_for):
    service = Service.objects.create(code="x", name="X")
    audit_record(actor=None, action="changed", target=service,
                 changes={"name": ["<script>alert(1)</script>", "X"]})
    response = client_for(Role.MANAGER).get(reverse("audit-trail", args=["core.service", service.pk]))
    assert b"<script>alert(1)</script>" not in response.content
    assert b"&lt;script&gt;" in response.content


def test_five_failed_sign_ins_lock_the_account(client, make_user, settings):
    settings.AXES_ENABLED = True
    make_user(Role.ADVISER, username="ada")
    for _ in range(5):
        client.post(reverse("login"), {"username": "ada", "password": "wrong"})
    locked = client.post(reverse("login"), {"username": "ada", "password": "a-test-password-2026"})
    assert locked.status_code == 429
    assert b"Account locked" in locked.content
    assert not locked.wsgi_request.user.is_authenticated


def test_api_token_endpoint_is_locked_out_too(make_user, settings):
    from rest_framework.test import APIClient

    settings.AXES_ENABLED = True
    make_user(Role.ADVISER, username="ada")
    api = APIClient()
    for _ in range(5):
        api.post("/api/v1/auth/token/", {"username": "ada", "password": "wrong"}, format="json")
    response = api.post("/api/v1/auth/token/", {"username": "ada", "password": "a-test-password-2026"},
                        format="json")
    assert response.status_code == 429
    assert "token" not in response.json()
    assert "Too many failed sign-in attempts" in response.json()["detail"]


# --- a new row and its audit row together (issue 23) ----------------------------------------------


def _unsaved_contact():
    from tests.factories import ContactFactory

    return ContactFactory.build(service=ServiceFactory(), enquiry_type=None, customer=None,
                                handoff_method="one_and_done")


def test_insert_audited_stores_the_row_and_its_audit_row(make_user):
    from contacts.models import Contact
    from core.models import AuditEvent
    from core.services import insert_audited

    officer = make_user(Role.ADVISER)
    contact = _unsaved_contact()
    event = insert_audited(contact, actor=officer, action="created", changes={"channel": "telephone"})

    assert contact.pk is not None and not contact._state.adding
    stored = Contact.objects.get(pk=contact.pk)
    assert stored.summary == contact.summary and stored.service_id == contact.service_id
    audit = AuditEvent.objects.get(object_type="contacts.contact", object_id=str(contact.pk))
    assert audit.pk == event.pk and event.object_id == str(contact.pk)
    assert (audit.actor, audit.action, audit.changes) == (officer, "created", {"channel": "telephone"})


@pytest.mark.django_db(transaction=True)
def test_insert_audited_is_all_or_nothing_outside_a_transaction():
    """Outside any transaction (the partner API's One & Done contact): an audit row that cannot
    be stored (its actor does not exist) leaves no contact behind either."""
    from django.db import IntegrityError

    from contacts.models import Contact
    from core.models import AuditEvent, User
    from core.services import insert_audited

    contact = _unsaved_contact()
    with pytest.raises(IntegrityError):
        insert_audited(contact, actor=User(pk=987654321), action="created")
    assert not Contact.objects.exists()
    assert not AuditEvent.objects.filter(object_type="contacts.contact").exists()
