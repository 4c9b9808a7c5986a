import pytest
from django.contrib.auth.models import Group

from core.roles import Role
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # Tests do not run collectstatic; the hashed-manifest storage is for production.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.AXES_ENABLED = False


@pytest.fixture
def make_user(db):
    """make_user("adviser") -> a user with that role (or none for ``None``)."""

    def _make(role: str | None, **kwargs):
        user = UserFactory(**kwargs)
        if role == Role.ADMIN:
            user.is_superuser = True
            user.is_staff = True
            user.save(update_fields=["is_superuser", "is_staff"])
        if role is not None:
            user.groups.add(Group.objects.get_or_create(name=role)[0])
        return user

    return _make


@pytest.fixture
def client_for(client, make_user):
    """client_for("manager") -> a test client signed in as a new user with that role."""

    def _client(role: str | None, **kwargs):
        user = make_user(role, **kwargs)
        client.force_login(user)
        client.user = user
        return client

    return _client


@pytest.fixture
def api_client_for(make_user):
    """api_client_for("adviser") -> a DRF client authenticated with a real API key."""
    from rest_framework.test import APIClient

    from core.services import api_token_create, partner_token_create

    def _client(role: str | None, **kwargs):
        if role == Role.PARTNER:
            token, key = partner_token_create(name=kwargs.pop("name", "test-partner"))
            user = token.user
        else:
            user = make_user(role, **kwargs)
            _, key = api_token_create(user=user, name="test")
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        api.user = user
        return api

    return _client


@pytest.fixture(scope="session")
def oidc_provider():
    """A real OpenID Connect provider on a local port for the whole run (tests/oidc_provider.py)."""
    from tests.oidc_provider import Provider

    provider = Provider().start()
    yield provider
    provider.stop()


@pytest.fixture
def sso_settings(oidc_provider, settings):
    """sso_settings("http://testserver") -> the provider, with single sign-on switched on
    against it for a client registered with that site's callback."""

    def _configure(base_url: str = "http://testserver"):
        oidc_provider.reset()
        client_id, client_secret = oidc_provider.register_client(f"{base_url}/login/sso/callback/",
                                                                  f"{base_url}/login/")
        settings.OIDC_ISSUER = oidc_provider.issuer
        settings.OIDC_CLIENT_ID = client_id
        settings.OIDC_CLIENT_SECRET = client_secret
        return oidc_provider

    yield _configure
    oidc_provider.reset()
