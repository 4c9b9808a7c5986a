"""Accounts that follow the directory (issue 21): unseen accounts end, local passwords can be
switched off for all but the break-glass accounts, and staff make their own API keys."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from core.directory import staff_deactivate_unseen
from core.models import ApiToken, AuditEvent, User
from core.roles import Role
from core.services import api_token_create, partner_token_create
from core.tasks import deactivate_unseen_staff

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(timezone.datetime(2026, 6, 1, 2, 0))
PASSWORD = "a-test-password-2026"  # nosec B105 - UserFactory's test password


def _staff(make_user, username, *, last_login_days_ago=None, joined_days_ago=400, role=Role.ADVISER):
    user = make_user(role, username=username)
    user.date_joined = NOW - timedelta(days=joined_days_ago)
    user.last_login = None if last_login_days_ago is None else NOW - timedelta(days=last_login_days_ago)
    user.save(update_fields=["date_joined", "last_login"])
    return user


# (who, signed in how many days ago (None: never), joined how many days ago, closed after 90 days?)
UNSEEN_CASES = [
    ("signed_in_yesterday", 1, 400, False),
    ("signed_in_89_days_ago", 89, 400, False),
    ("signed_in_90_days_ago_less_an_hour", 90 - 1 / 24, 400, False),
    ("signed_in_91_days_ago", 91, 400, True),
    ("never_signed_in_joined_last_month", None, 30, False),
    ("never_signed_in_joined_100_days_ago", None, 100, True),
]


def test_staff_not_signed_in_for_the_set_days_are_deactivated(make_user, settings):
    settings.STAFF_DEACTIVATE_AFTER_DAYS = 90
    users = {who: _staff(make_user, who, last_login_days_ago=seen, joined_days_ago=joined)
             for who, seen, joined, _ in UNSEEN_CASES}

    assert staff_deactivate_unseen(now=NOW) == sum(closed for *_, closed in UNSEEN_CASES)

    for who, _, _, closed in UNSEEN_CASES:
        users[who].refresh_from_db()
        assert users[who].is_active is not closed, who
        assert (users[who].deactivated_as_unseen_at == NOW) is closed, who
    closed_ids = {str(users[who].pk) for who, *_, closed in UNSEEN_CASES if closed}
    audit = AuditEvent.objects.filter(action="deactivated_as_unseen")
    assert set(audit.values_list("object_id", flat=True)) == closed_ids
    assert all(event.changes == {"is_active": [True, False], "after_days": 90} for event in audit)


def test_partner_accounts_and_break_glass_accounts_are_never_deactivated(make_user, settings):
    settings.STAFF_DEACTIVATE_AFTER_DAYS = 90
    settings.BREAK_GLASS_USERNAMES = ["emergency-admin"]
    partner = partner_token_create(name="Street reports")[0].user
    User.objects.filter(pk=partner.pk).update(date_joined=NOW - timedelta(days=900))
    glass = _staff(make_user, "emergency-admin", last_login_days_ago=500, role=Role.ADMIN)

    assert staff_deactivate_unseen(now=NOW) == 0
    partner.refresh_from_db()
    glass.refresh_from_db()
    assert partner.is_active and glass.is_active


def test_nothing_is_deactivated_when_the_setting_is_zero(make_user, settings):
    settings.STAFF_DEACTIVATE_AFTER_DAYS = 0
    user = _staff(make_user, "long-gone", last_login_days_ago=3000)
    assert staff_deactivate_unseen(now=NOW) == 0
    user.refresh_from_db()
    assert user.is_active


def test_the_setting_defaults_to_off_without_single_sign_on(settings):
    """The demo and `make run` (no OIDC_ISSUER) keep every account, as before issue 21."""
    assert settings.OIDC_ISSUER == ""
    assert settings.STAFF_DEACTIVATE_AFTER_DAYS == 0


def test_the_daily_beat_task_deactivates_against_the_database_and_is_idempotent(make_user, settings):
    settings.STAFF_DEACTIVATE_AFTER_DAYS = 30
    leaver = _staff(make_user, "leaver", last_login_days_ago=45)
    stayer = _staff(make_user, "stayer", last_login_days_ago=3)
    scheduled = settings.CELERY_BEAT_SCHEDULE["core-deactivate-unseen-staff"]
    assert scheduled["task"] == deactivate_unseen_staff.name and scheduled["schedule"] == 24 * 60 * 60

    with time_machine.travel(NOW, tick=False):
        first = deactivate_unseen_staff.apply().get()
        again = deactivate_unseen_staff.apply().get()

    assert (first, again) == (1, 0)
    leaver.refresh_from_db()
    stayer.refresh_from_db()
    assert not leaver.is_active and stayer.is_active
    assert AuditEvent.objects.filter(action="deactivated_as_unseen", object_id=str(leaver.pk)).count() == 1


def test_a_deactivated_account_loses_its_session_and_its_api_keys(make_user, settings):
    settings.STAFF_DEACTIVATE_AFTER_DAYS = 90
    leaver = make_user(Role.ADVISER, username="leaver")
    browser = Client()
    browser.force_login(leaver)
    _, key = api_token_create(user=leaver, name="script")
    api = Client(headers={"Authorization": f"Token {key}"})
    assert browser.get("/").status_code == 200 and api.get("/api/v1/services/").status_code == 200
    User.objects.filter(pk=leaver.pk).update(last_login=timezone.now() - timedelta(days=120))

    assert staff_deactivate_unseen() == 1

    assert browser.get("/").status_code == 302
    assert api.get("/api/v1/services/").status_code == 401


# --- local passwords and the break-glass accounts -------------------------------------------------


@pytest.fixture
def passwords_off(settings):
    settings.LOCAL_PASSWORDS_ENABLED = False
    settings.BREAK_GLASS_USERNAMES = ["emergency-admin"]


def test_with_passwords_off_only_break_glass_accounts_sign_in_with_a_password(client, make_user,
                                                                              passwords_off):
    make_user(Role.ADVISER, username="aisha")
    make_user(Role.ADMIN, username="emergency-admin")

    refused = client.post("/login/", {"username": "aisha", "password": PASSWORD})
    assert refused.status_code == 200
    assert "Password sign-in is switched off" in refused.content.decode()
    assert not refused.wsgi_request.user.is_authenticated

    allowed = client.post("/login/", {"username": "emergency-admin", "password": PASSWORD})
    assert allowed.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_with_passwords_off_the_admin_login_and_token_endpoint_refuse_others(make_user, passwords_off):
    make_user(Role.ADMIN, username="other-admin")
    make_user(Role.ADMIN, username="emergency-admin")
    admin_login = Client().post("/admin/login/", {"username": "other-admin", "password": PASSWORD})
    assert admin_login.status_code == 200 and not admin_login.wsgi_request.user.is_authenticated

    api = Client()
    refused = api.post("/api/v1/auth/token/", {"username": "other-admin", "password": PASSWORD},
                       content_type="application/json")
    assert refused.status_code == 400 and "switched off" in refused.json()["non_field_errors"][0]
    allowed = api.post("/api/v1/auth/token/", {"username": "emergency-admin", "password": PASSWORD},
                       content_type="application/json")
    assert allowed.status_code == 200 and allowed.json()["token"]


def test_switching_passwords_off_ends_password_sessions_of_all_but_break_glass(client, make_user, settings):
    make_user(Role.ADVISER, username="aisha")
    client.post("/login/", {"username": "aisha", "password": PASSWORD})
    assert client.get("/").status_code == 200
    settings.LOCAL_PASSWORDS_ENABLED = False
    assert client.get("/").status_code == 302


def test_with_passwords_off_the_sign_in_page_keeps_the_form_for_break_glass_only(client, sso_settings,
                                                                                 passwords_off):
    sso_settings()
    page = client.get("/login/").content.decode()
    assert "Sign in with your council account" in page
    assert "Sign in with a break-glass account" in page
    assert "Or sign in with a username and password" not in page


def test_passwords_stay_on_by_default(settings):
    assert settings.LOCAL_PASSWORDS_ENABLED is True and settings.BREAK_GLASS_USERNAMES == []


# --- the profile page: a member of staff's own API keys -------------------------------------------


def test_the_profile_page_shows_who_you_are_and_your_keys_only(client_for, make_user):
    client = client_for(Role.COMPLAINTS_OFFICER, first_name="Colin", last_name="Reed")
    api_token_create(user=client.user, name="Weekly complaints export")
    api_token_create(user=make_user(Role.ADVISER), name="Someone else's key")
    page = client.get("/profile/").content.decode()
    assert "Colin Reed" in page and "Corporate complaints officer" in page
    assert "Weekly complaints export" in page and "Someone else" not in page


def test_a_key_made_on_the_profile_page_is_shown_once_and_works(client_for):
    client = client_for(Role.ADVISER)
    made = client.post("/profile/api-keys/", {"name": "Nightly export"})

    assert made.status_code == 200 and made["Cache-Control"] == "no-store"
    key = made.context["new_key"]
    assert key in made.content.decode()
    token = ApiToken.objects.get(user=client.user)
    assert token.name == "Nightly export" and token.key_hash != key
    assert key not in client.get("/profile/").content.decode()  # never shown again
    api = Client(headers={"Authorization": f"Token {key}"})
    assert api.get("/api/v1/contacts/").status_code == 200  # with the adviser's roles
    assert api.get("/api/v1/reports/ni14/").status_code == 403
    created = AuditEvent.objects.get(action="api_token_created", object_id=str(token.pk))
    assert created.actor == client.user


@pytest.mark.parametrize("name, message", [
    ("", "Enter a name for the key"),
    ("   ", "Enter a name for the key"),
    ("x" * 201, "200 characters or fewer"),
])
def test_a_key_needs_a_name(client_for, name, message):
    client = client_for(Role.ADVISER)
    response = client.post("/profile/api-keys/", {"name": name})
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and message in page and 'href="#id_name"' in page
    assert not ApiToken.objects.exists()


def test_revoking_your_own_key_stops_it_and_another_s_key_is_not_found(client_for, make_user):
    client = client_for(Role.ADVISER)
    token, key = api_token_create(user=client.user, name="Old script")
    others, other_key = api_token_create(user=make_user(Role.ADVISER), name="Theirs")

    assert client.post(f"/profile/api-keys/{others.pk}/revoke/").status_code == 404
    response = client.post(f"/profile/api-keys/{token.pk}/revoke/")

    assert response.status_code == 302 and response["Location"] == "/profile/"
    assert Client(headers={"Authorization": f"Token {key}"}).get("/api/v1/services/").status_code == 401
    assert Client(headers={"Authorization": f"Token {other_key}"}).get("/api/v1/services/").status_code == 200
    assert "is revoked" in client.get("/profile/").content.decode()


def test_the_profile_page_is_for_staff_only(client, make_user):
    assert client.get("/profile/").status_code == 302
    partner = partner_token_create(name="P")[0].user
    client.force_login(partner)
    assert client.get("/profile/").status_code == 403
    no_role = make_user(None)
    client.force_login(no_role)
    assert client.get("/profile/").status_code == 403
    assert Group.objects.filter(name=Role.PARTNER).exists()
    assert Session.objects.exists()
