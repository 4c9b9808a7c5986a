"""The audit trail page, and login throttling and lockout (django-axes)."""

import pytest
from django.urls import reverse

from core.models import Service
from core.roles import Role
from core.services import audit_record

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
