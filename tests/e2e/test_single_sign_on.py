"""Single sign-on in the browser (issue 21): through the provider's own sign-in page and back,
signing out through the provider, the refusal page, the profile page's API keys, and the
break-glass sign-in. The provider is the suite's real one (tests/oidc_provider.py)."""

import pytest
from playwright.sync_api import expect

from core.models import ApiToken, User
from tests.e2e.conftest import SCREENSHOTS, create_user

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

AISHA = {"preferred_username": "aisha.khan@council.example", "given_name": "Aisha",
         "family_name": "Khan", "email": "aisha.khan@council.example"}


@pytest.fixture
def provider(sso_settings, live_server):
    return sso_settings(live_server.url)


def sign_in_at_provider(page, provider, sub: str):
    """On the provider's page, as the person would: their identity, then Authorize."""
    page.wait_for_url(f"{provider.issuer}/oauth2/authorize?*")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "sso-provider-page.png"), full_page=True)
    page.get_by_placeholder("sub").fill(sub)
    page.get_by_role("button", name="Authorize").click()


def test_adviser_signs_in_through_the_provider_and_lands_on_the_adviser_screen(page, check_page, provider):
    provider.set_person("0f7c-aisha", **AISHA, roles=["adviser"])
    page.goto("/")
    assert "/login/" in page.url
    check_page(page, "sso-sign-in", title="Sign in")

    page.get_by_role("button", name="Sign in with your council account").click()
    sign_in_at_provider(page, provider, "0f7c-aisha")

    page.get_by_role("heading", level=1, name="Your work").wait_for()
    expect(page.locator("main")).to_contain_text("Signed in as Aisha Khan (Front-office adviser)")
    nav = page.get_by_role("navigation", name="Menu")
    expect(nav.get_by_role("link", name="Log a contact")).to_be_visible()
    expect(nav.get_by_role("link", name="My advocate cases")).to_be_visible()
    check_page(page, "sso-adviser-home", title="Your work")
    assert User.objects.get(directory_subject="0f7c-aisha").groups.filter(name="adviser").exists()

    nav.get_by_role("link", name="Log a contact").click()
    check_page(page, "sso-adviser-log-contact", title="Log a contact")


def test_a_deep_link_returns_to_its_page_after_single_sign_on(page, provider):
    provider.set_person("c-1", preferred_username="colin", given_name="Colin", family_name="Reed",
                        roles=["complaints_officer"])
    page.goto("/complaints/")
    page.get_by_role("button", name="Sign in with your council account").click()
    sign_in_at_provider(page, provider, "c-1")
    page.wait_for_url("**/complaints/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_signing_out_goes_through_the_provider_and_back_to_sign_in(page, check_page, provider):
    provider.set_person("0f7c-aisha", **AISHA, roles=["adviser"])
    page.goto("/login/")
    page.get_by_role("button", name="Sign in with your council account").click()
    sign_in_at_provider(page, provider, "0f7c-aisha")
    page.get_by_role("heading", level=1, name="Your work").wait_for()

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{provider.issuer}/oauth2/end_session?*")
    page.screenshot(path=str(SCREENSHOTS / "sso-provider-end-session.png"), full_page=True)
    assert provider.record.end_sessions[-1]["id_token_hint"] == provider.record.id_tokens[-1]
    page.get_by_role("button", name="End session").click()

    page.wait_for_url("**/login/**")
    check_page(page, "sso-signed-out", title="Sign in")
    page.goto("/")
    assert "/login/" in page.url


def test_someone_with_no_mapped_group_sees_a_clear_refusal(page, check_page, provider):
    provider.set_person("n-1", preferred_username="nobody", groups=["all-staff"])
    page.goto("/login/")
    page.get_by_role("button", name="Sign in with your council account").click()
    sign_in_at_provider(page, provider, "n-1")
    page.get_by_role("heading", level=1, name="You do not have access to No Wrong Door").wait_for()
    check_page(page, "sso-refused-no-role", title="You do not have access to No Wrong Door")
    assert not User.objects.filter(directory_subject="n-1").exists()


def test_staff_make_and_revoke_an_api_key_on_their_profile_page(page, check_page, provider):
    provider.set_person("0f7c-aisha", **AISHA, roles=["adviser"])
    page.goto("/login/")
    page.get_by_role("button", name="Sign in with your council account").click()
    sign_in_at_provider(page, provider, "0f7c-aisha")
    page.get_by_role("link", name="Your profile and API keys").first.click()
    check_page(page, "profile", title="Your profile")

    page.get_by_role("button", name="Create API key").click()
    page.locator(".govuk-error-summary").wait_for()
    check_page(page, "profile-key-error", title="Error: Your profile")

    page.get_by_label("Name of the key").fill("Nightly export")
    page.get_by_role("button", name="Create API key").click()
    key = page.locator("#new-api-key").inner_text()
    assert ApiToken.objects.get(name="Nightly export").prefix == key[:8]
    check_page(page, "profile-key-created", title="Your profile")

    page.get_by_role("button", name="Revoke the key ‘Nightly export’").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("is revoked")
    check_page(page, "profile-key-revoked", title="Your profile")
    assert ApiToken.objects.get(name="Nightly export").revoked_at is not None


def test_break_glass_sign_in_when_passwords_are_off(page, check_page, provider, settings):
    settings.LOCAL_PASSWORDS_ENABLED = False
    settings.BREAK_GLASS_USERNAMES = ["emergency-admin"]
    create_user("admin", "emergency-admin")
    page.goto("/login/")
    check_page(page, "sso-sign-in-passwords-off", title="Sign in")
    expect(page.get_by_label("Username")).to_be_hidden()

    page.get_by_text("Sign in with a break-glass account").click()
    page.get_by_label("Username").fill("emergency-admin")
    page.get_by_label("Password").fill("wrong-password")
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.locator(".govuk-error-summary").wait_for()
    check_page(page, "sso-break-glass-error", title="Error: Sign in")

    from tests.e2e.conftest import PASSWORD

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_role("heading", level=1, name="Your work").wait_for()
