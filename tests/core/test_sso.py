"""Single sign-on (issue 21): the authorization code flow with PKCE against a real OpenID Connect
provider started by the suite (tests/oidc_provider.py), through the real client (core/sso.py).

Each sign-in here is the whole journey: the sign-in page's button sends the browser to the
provider with state, nonce and a PKCE challenge; the person signs in there; the provider sends
the browser back with a code; the callback redeems it over HTTP and verifies the ID token.
"""

import json
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from django.contrib.auth.models import Group
from django.test import Client
from joserfc import jwt
from joserfc.jwk import KeySet

from core.models import AuditEvent, DirectoryRoleMapping, User
from core.roles import Role
from tests.oidc_provider import Fault

pytestmark = pytest.mark.django_db

AISHA = {"preferred_username": "aisha.khan@council.example", "given_name": "Aisha",
         "family_name": "Khan", "email": "aisha.khan@council.example"}


def sign_in(client: Client, provider, sub: str, *, next_url: str | None = None, deny: bool = False):
    """The journey through the provider; returns the callback's response."""
    start = client.get("/login/sso/", {"next": next_url} if next_url else {})
    assert start.status_code == 302, start.content[:500]
    assert start["Location"].startswith(f"{provider.issuer}/oauth2/authorize?")
    back = urlsplit(provider.authorize(start["Location"], sub, deny=deny))
    assert back.netloc == "testserver" and back.path == "/login/sso/callback/"
    return client.get(f"{back.path}?{back.query}")


def signed_in_user(client: Client):
    response = client.get("/")
    if response.status_code != 200:
        return None
    return response.wsgi_request.user


def test_first_sign_in_creates_the_user_with_mapped_roles_by_code_flow_with_pkce(client, sso_settings):
    provider = sso_settings()
    provider.set_person("0f7c-aisha", **AISHA, roles=["adviser"])

    response = sign_in(client, provider, "0f7c-aisha")

    assert response.status_code == 302 and response["Location"] == "/"
    user = User.objects.get(directory_subject="0f7c-aisha")
    assert (user.username, user.first_name, user.last_name, user.email) == (
        "aisha.khan@council.example", "Aisha", "Khan", "aisha.khan@council.example")
    assert set(user.groups.values_list("name", flat=True)) == {"adviser"}
    assert not user.is_superuser and not user.has_usable_password()
    assert signed_in_user(client) == user
    assert client.get("/contacts/log/").status_code == 200  # the adviser's screen

    # The flow as the provider saw it: code flow, state and nonce, an S256 challenge, and a
    # verifier in the token request that matches it (the provider refuses a code otherwise).
    authorization = provider.record.authorizations[-1]
    assert authorization["response_type"] == "code"
    assert authorization["state"] and authorization["nonce"]
    assert authorization["code_challenge_method"] == "S256"
    token_request = provider.record.token_requests[-1]
    assert token_request["grant_type"] == "authorization_code"
    assert create_s256_code_challenge(token_request["code_verifier"]) == authorization["code_challenge"]
    assert provider.record.refusals == []

    created = AuditEvent.objects.get(action="directory_account_created")
    assert created.object_id == str(user.pk) and created.changes["roles"] == [[], ["adviser"]]
    assert "Aisha" not in json.dumps(created.changes) and "council.example" not in json.dumps(created.changes)


def test_a_changed_group_changes_the_roles_at_the_next_sign_in(client, sso_settings):
    provider = sso_settings()
    DirectoryRoleMapping.objects.create(claim_value="6a1f-complaints-team", role=Role.COMPLAINTS_OFFICER)
    DirectoryRoleMapping.objects.create(claim_value="9b2e-contact-centre", role=Role.ADVISER)
    provider.set_person("0f7c-aisha", **AISHA, groups=["6a1f-complaints-team"])
    assert sign_in(client, provider, "0f7c-aisha").status_code == 302
    assert client.get("/complaints/").status_code == 200
    assert client.get("/contacts/log/").status_code == 403

    # Moved out of the complaints team into the contact centre, in the directory.
    provider.set_person("0f7c-aisha", **AISHA, groups=["9b2e-contact-centre"])
    client.post("/logout/")
    assert sign_in(client, provider, "0f7c-aisha").status_code == 302

    user = User.objects.get(directory_subject="0f7c-aisha")
    assert User.objects.filter(directory_subject__isnull=False).count() == 1
    assert set(user.groups.values_list("name", flat=True)) == {"adviser"}
    assert client.get("/complaints/").status_code == 404
    assert client.get("/contacts/log/").status_code == 200
    audit = AuditEvent.objects.filter(action="directory_sign_in").get()
    assert audit.changes["roles"] == [["complaints_officer"], ["adviser"]]


def test_roles_come_from_the_settings_map_and_the_admin_mappings_together(client, sso_settings, settings):
    provider = sso_settings()
    settings.OIDC_ROLE_MAP = {"NWD.Managers": "manager"}
    DirectoryRoleMapping.objects.create(claim_value="NWD.Legal", role=Role.LEGAL)
    provider.set_person("m-1", preferred_username="martin", roles=["NWD.Managers", "NWD.Legal", "Other.App"],
                        groups=["unmapped-group"])
    sign_in(client, provider, "m-1")
    martin = User.objects.get(username="martin")
    assert set(martin.groups.values_list("name", flat=True)) == {"manager", "legal"}


def test_an_admin_app_role_makes_a_superuser_and_losing_it_takes_it_away(client, sso_settings):
    provider = sso_settings()
    provider.set_person("a-1", preferred_username="ada", roles=["admin"])
    sign_in(client, provider, "a-1")
    assert User.objects.get(username="ada").is_superuser
    assert client.get("/admin/").status_code == 200
    provider.set_person("a-1", preferred_username="ada", roles=["manager"])
    sign_in(Client(), provider, "a-1")
    ada = User.objects.get(username="ada")
    assert not ada.is_superuser and not ada.is_staff
    assert set(ada.groups.values_list("name", flat=True)) == {"manager"}


@pytest.mark.parametrize("fault", list(Fault), ids=[fault.value for fault in Fault])
def test_an_id_token_that_fails_a_check_is_refused(client, sso_settings, fault):
    provider = sso_settings()
    provider.set_person("0f7c-aisha", **AISHA, roles=["adviser"])
    provider.next_id_token = fault

    response = sign_in(client, provider, "0f7c-aisha")

    assert response.status_code == 400
    assert "We could not sign you in" in response.content.decode()
    assert "failed our security checks" in response.content.decode()
    assert not User.objects.filter(directory_subject="0f7c-aisha").exists()
    assert signed_in_user(client) is None
    # It was our checks that refused it: the provider issued the token.
    assert provider.record.id_tokens and provider.record.refusals == []


def test_the_faulty_tokens_are_what_they_claim_to_be(sso_settings, client):
    """The provider's misbehaviour, checked with the provider's own published keys, so the
    refusals above are for the stated reason."""
    provider = sso_settings()
    provider.set_person("p", preferred_username="p", roles=["adviser"])
    keys = KeySet.import_key_set(requests.get(f"{provider.issuer}/jwks", timeout=10).json())
    for fault in (Fault.EXPIRED, Fault.WRONG_AUDIENCE, Fault.WRONG_NONCE, Fault.WRONG_ISSUER):
        provider.next_id_token = fault
        sign_in(Client(), provider, "p")
        claims = jwt.decode(provider.record.id_tokens[-1], keys).claims  # the signature is good
        authorization = provider.record.authorizations[-1]
        if fault is Fault.EXPIRED:
            assert claims["exp"] < claims["iat"] + 7200 and claims["nonce"] == authorization["nonce"]
        elif fault is Fault.WRONG_AUDIENCE:
            assert claims["aud"] == "another-application"
        elif fault is Fault.WRONG_NONCE:
            assert claims["nonce"] != authorization["nonce"]
        else:
            assert claims["iss"] != provider.issuer
    for fault in (Fault.TAMPERED, Fault.FOREIGN_KEY):
        provider.next_id_token = fault
        sign_in(Client(), provider, "p")
        with pytest.raises(Exception, match="signature"):
            jwt.decode(provider.record.id_tokens[-1], keys)


def test_a_person_with_no_mapped_group_is_refused_and_no_account_is_made(client, sso_settings):
    provider = sso_settings()
    provider.set_person("0f7c-aisha", **AISHA, groups=["all-staff"], roles=["Other.App"])

    response = sign_in(client, provider, "0f7c-aisha")

    assert response.status_code == 403
    page = response.content.decode()
    assert "You do not have access to No Wrong Door" in page
    assert "not in any group that gives access" in page
    assert not User.objects.filter(directory_subject="0f7c-aisha").exists()
    assert signed_in_user(client) is None


def test_someone_removed_from_every_mapped_group_loses_their_roles_and_is_refused(client, sso_settings):
    from core.services import api_token_create

    provider = sso_settings()
    provider.set_person("0f7c-aisha", **AISHA, roles=["adviser"])
    sign_in(client, provider, "0f7c-aisha")
    user = User.objects.get(directory_subject="0f7c-aisha")
    _, key = api_token_create(user=user, name="script")
    api = Client(headers={"Authorization": f"Token {key}"})
    assert api.get("/api/v1/contacts/").status_code == 200
    provider.set_person("0f7c-aisha", **AISHA)  # no roles any more

    other = Client()
    assert sign_in(other, provider, "0f7c-aisha").status_code == 403
    assert not user.groups.exists()
    assert signed_in_user(other) is None
    # The session and the key from before have no role left either.
    assert client.get("/contacts/log/").status_code == 403
    assert api.get("/api/v1/contacts/").status_code == 403
    assert AuditEvent.objects.filter(action="directory_roles_removed",
                                     changes__roles=[["adviser"], []]).exists()


def test_refusing_at_the_provider_shows_a_clear_page(client, sso_settings):
    provider = sso_settings()
    response = sign_in(client, provider, "anyone", deny=True)
    assert response.status_code == 400
    assert "Signing in was cancelled" in response.content.decode()
    assert provider.record.token_requests == []
    assert signed_in_user(client) is None


def test_an_answer_no_sign_in_of_this_browser_asked_for_is_refused(client, sso_settings):
    """Login CSRF: someone else's code, sent to this browser, with a state it never made."""
    provider = sso_settings()
    provider.set_person("mallory", preferred_username="mallory", roles=["adviser"])
    attacker = Client()
    start = attacker.get("/login/sso/")
    back = urlsplit(provider.authorize(start["Location"], "mallory"))

    response = client.get(f"{back.path}?{back.query}")

    assert response.status_code == 400
    assert "started in another window" in response.content.decode()
    assert provider.record.token_requests == []
    assert signed_in_user(client) is None


def test_a_code_issued_to_another_sign_in_is_refused_by_pkce(client, sso_settings):
    """Code injection: an intercepted code, replayed with this browser's own state. The
    verifier this browser sends does not match the challenge the code was issued for."""
    provider = sso_settings()
    provider.set_person("victim", preferred_username="victim", roles=["manager"])
    start = client.get("/login/sso/")
    own_state = parse_qs(urlsplit(start["Location"]).query)["state"][0]
    victim = Client()
    victim_back = provider.authorize(victim.get("/login/sso/")["Location"], "victim")
    stolen_code = parse_qs(urlsplit(victim_back).query)["code"][0]

    response = client.get("/login/sso/callback/", {"code": stolen_code, "state": own_state})

    assert response.status_code == 400
    assert provider.record.refusals == ["code_verifier does not match the code challenge"]
    assert signed_in_user(client) is None
    assert not User.objects.filter(directory_subject="victim").exists()


def test_sign_in_returns_to_the_page_asked_for_but_never_to_another_site(sso_settings):
    provider = sso_settings()
    provider.set_person("c-1", preferred_username="colin", roles=["complaints_officer"])
    assert sign_in(Client(), provider, "c-1", next_url="/complaints/")["Location"] == "/complaints/"
    assert sign_in(Client(), provider, "c-1", next_url="https://evil.example/")["Location"] == "/"


def test_the_sign_in_page_offers_the_council_account_first(client, sso_settings):
    sso_settings()
    page = client.get("/login/?next=/complaints/").content.decode()
    assert "Sign in with your council account" in page
    assert 'href="/login/sso/?next=/complaints/"' in page
    assert "Or sign in with a username and password" in page


def test_signing_out_ends_the_session_at_the_provider_too(client, sso_settings, settings):
    provider = sso_settings()
    provider.set_person("0f7c-aisha", **AISHA, roles=["adviser"])
    sign_in(client, provider, "0f7c-aisha")
    id_token = provider.record.id_tokens[-1]

    response = client.post("/logout/")

    assert response.status_code == 302
    end_session = urlsplit(response["Location"])
    end_session_endpoint = f"{end_session.scheme}://{end_session.netloc}{end_session.path}"
    assert end_session_endpoint == f"{provider.issuer}/oauth2/end_session"
    assert signed_in_user(client) is None
    # The browser follows it to the provider, which ends its session and sends it back.
    at_provider = requests.get(response["Location"], timeout=10)
    assert at_provider.status_code == 200
    sent = provider.record.end_sessions[-1]
    assert sent["id_token_hint"] == id_token
    assert sent["post_logout_redirect_uri"] == "http://testserver/login/"
    assert sent["client_id"] == settings.OIDC_CLIENT_ID
    confirmed = requests.post(f"{provider.issuer}/oauth2/end_session/confirm", timeout=10,
                              data={"redirect_uri": sent["post_logout_redirect_uri"]}, allow_redirects=False)
    assert confirmed.headers["Location"] == "http://testserver/login/"


def test_a_password_session_signs_out_locally_as_before(client, sso_settings, make_user):
    sso_settings()
    make_user(Role.ADVISER, username="local")
    client.post("/login/", {"username": "local", "password": "a-test-password-2026"})
    response = client.post("/logout/")
    assert response["Location"] == "/login/"


def test_the_provider_s_origin_may_receive_the_sign_out_form(client, sso_settings):
    provider = sso_settings()
    policy = client.get("/login/")["Content-Security-Policy"]
    form_action = next(part for part in policy.split(";") if part.strip().startswith("form-action"))
    assert provider.issuer in form_action and "'self'" in form_action


def test_an_account_an_admin_closed_stays_closed(client, sso_settings):
    provider = sso_settings()
    provider.set_person("l-1", preferred_username="leaver", roles=["adviser"])
    sign_in(Client(), provider, "l-1")
    User.objects.filter(username="leaver").update(is_active=False)

    response = sign_in(client, provider, "l-1")

    assert response.status_code == 403
    assert "Your No Wrong Door account is closed" in response.content.decode()
    assert not User.objects.get(username="leaver").is_active


def test_an_account_closed_as_unseen_opens_again_when_the_directory_signs_them_in(client, sso_settings):
    from django.utils import timezone

    provider = sso_settings()
    provider.set_person("r-1", preferred_username="returner", roles=["back_office"])
    sign_in(Client(), provider, "r-1")
    User.objects.filter(username="returner").update(is_active=False, deactivated_as_unseen_at=timezone.now())

    assert sign_in(client, provider, "r-1").status_code == 302
    returner = User.objects.get(username="returner")
    assert returner.is_active and returner.deactivated_as_unseen_at is None
    assert signed_in_user(client) == returner


def test_a_username_taken_by_a_local_account_is_not_taken_over(client, sso_settings, make_user):
    """Matching is by the subject claim only: a directory name equal to an existing local
    username gets an account of its own, never the local one."""
    provider = sso_settings()
    local = make_user(Role.MANAGER, username="aisha.khan@council.example")
    provider.set_person("0f7c-aisha", **AISHA, roles=["adviser"])
    sign_in(client, provider, "0f7c-aisha")
    user = signed_in_user(client)
    assert user != local and user.username == "aisha.khan@council.example-2"
    local.refresh_from_db()
    assert local.directory_subject is None


def test_an_admin_links_an_existing_account_by_its_directory_subject(client, sso_settings, make_user):
    provider = sso_settings()
    existing = make_user(Role.ADVISER, username="akhan")
    existing.directory_subject = "0f7c-aisha"
    existing.save()
    provider.set_person("0f7c-aisha", **AISHA, roles=["adviser"])
    sign_in(client, provider, "0f7c-aisha")
    assert signed_in_user(client) == existing
    assert User.objects.count() == 1


def test_an_unreachable_provider_gives_a_clear_page_not_an_error(client, settings):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again at once: nothing listens there
    settings.OIDC_ISSUER, settings.OIDC_CLIENT_ID, settings.OIDC_CLIENT_SECRET = (
        f"http://127.0.0.1:{port}", "id", "secret")
    response = client.get("/login/sso/")
    assert response.status_code == 503
    assert "sign-in service is not available" in response.content.decode()


def test_without_an_issuer_single_sign_on_does_not_exist(client):
    assert client.get("/login/sso/").status_code == 404
    assert client.get("/login/sso/callback/?code=x&state=y").status_code == 404
    page = client.get("/login/").content.decode()
    assert "council account" not in page and 'name="password"' in page


def test_staff_api_keys_under_sso_come_from_the_profile_page(client, sso_settings, settings):
    """With passwords off, the token endpoint refuses a directory user's password and points to
    the profile page, where a key is made; that key works on the API."""
    provider = sso_settings()
    settings.LOCAL_PASSWORDS_ENABLED = False
    provider.set_person("0f7c-aisha", **AISHA, roles=["adviser"])
    sign_in(client, provider, "0f7c-aisha")

    refused = Client().post("/api/v1/auth/token/", {"username": "aisha.khan@council.example",
                                                    "password": "anything"}, content_type="application/json")
    assert refused.status_code == 400
    assert "profile page" in refused.json()["non_field_errors"][0]

    made = client.post("/profile/api-keys/", {"name": "Nightly export"})
    key = made.context["new_key"]
    api = Client(headers={"Authorization": f"Token {key}"})
    assert api.get("/api/v1/services/").status_code == 200
    assert api.get("/api/v1/services/").wsgi_request.user.username == "aisha.khan@council.example"


def test_group_claim_values_only_give_staff_roles_never_partner(sso_settings, client, settings):
    provider = sso_settings()
    settings.OIDC_ROLE_MAP = {"Partners": "partner", "Advisers": "adviser"}
    provider.set_person("x", preferred_username="x", roles=["Partners", "Advisers"])
    sign_in(client, provider, "x")
    assert set(User.objects.get(username="x").groups.values_list("name", flat=True)) == {"adviser"}
    assert Group.objects.filter(name="partner", user__username="x").count() == 0


@pytest.mark.parametrize("environment, message", [
    ({"OIDC_ISSUER": "http://login.council.example", "OIDC_CLIENT_ID": "id", "OIDC_CLIENT_SECRET": "s"},
     "must be an https:// URL"),
    ({"OIDC_ISSUER": "https://login.council.example"}, "set OIDC_CLIENT_ID and OIDC_CLIENT_SECRET"),
])
def test_settings_refuse_an_unsafe_or_incomplete_provider(environment, message):
    """A plain-HTTP issuer (anything but this machine) or a missing client is refused at start,
    not at the first sign-in."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {**{k: v for k, v in os.environ.items() if not k.startswith("OIDC_")}, **environment}
    code = "import os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; import django; django.setup()"
    result = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[2],
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert message in result.stderr


def test_an_entra_group_overage_gives_no_role_and_says_why_in_the_log(caplog):
    """Entra ID leaves `groups` out for a member of too many groups and points to Graph instead;
    that person has no mapped role (README: use app roles or 'groups assigned to the app')."""
    from core.directory import directory_roles

    overage = {"sub": "x", "_claim_names": {"groups": "src1"}, "_claim_sources": {"src1": {}}}
    assert directory_roles(overage) == frozenset()
    assert "too many groups" in caplog.text
    assert directory_roles({"sub": "x", "roles": "adviser"}) == {"adviser"}
