"""Roles, pages that need sign-in, the health check, the home page and the shell."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from core.models import AvoidableReason, Channel, ChannelCode
from core.roles import Role, has_role

pytestmark = pytest.mark.django_db

STAFF_ROLES = [r for r in Role if r != Role.PARTNER]


def test_every_role_exists_as_a_group():
    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)


def test_reference_data_is_loaded_by_migration():
    assert set(AvoidableReason.objects.values_list("code", flat=True)) == {
        "progress_chasing",
        "seeking_clarification",
        "information_not_available",
        "wrong_department",
        "repeat_contact",
        "service_failure",
    }
    assert set(Channel.objects.values_list("code", flat=True)) == set(ChannelCode.values)


def test_healthz_needs_no_login_and_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.parametrize("path", ["/"])
def test_pages_redirect_anonymous_visitors_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("path", ["/api/docs/", "/api/schema/", "/api/v1/services/"])
def test_api_and_its_docs_need_authentication(client, path):
    assert client.get(path).status_code in (401, 403)


def test_login_page_is_public_and_uses_govuk_markup(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b'class="govuk-button"' in response.content
    assert b"<title>Sign in" in response.content


def test_failed_sign_in_shows_an_error_summary(client, make_user):
    make_user(Role.ADVISER, username="ada")
    response = client.post(reverse("login"), {"username": "ada", "password": "wrong"})
    assert response.status_code == 200
    assert b"govuk-error-summary" in response.content
    assert b"<title>Error: Sign in" in response.content


def test_sign_in_with_the_right_password_lands_on_home(client, make_user):
    make_user(Role.ADVISER, username="ada")
    response = client.post(
        reverse("login"), {"username": "ada", "password": "a-test-password-2026"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_home_page_greets_every_role(client_for, role):
    response = client_for(role).get("/")
    assert response.status_code == 200
    assert Role(role).label.encode() in response.content


def test_partner_service_accounts_cannot_use_pages(client, api_client_for):
    partner = api_client_for(Role.PARTNER).user
    client.force_login(partner)
    assert client.get("/").status_code == 403


def test_signed_in_user_without_a_role_cannot_use_pages(client_for):
    assert client_for(None).get("/").status_code == 403


def test_has_role_treats_superusers_as_admin(make_user):
    admin = make_user(Role.ADMIN)
    assert has_role(admin, Role.ADMIN)
    assert not has_role(make_user(Role.ADVISER), Role.ADMIN)


def test_pages_send_security_headers(client_for):
    response = client_for(Role.ADVISER).get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert "script-src 'self' 'nonce-" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
