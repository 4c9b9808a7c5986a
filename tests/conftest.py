import pytest
from django.contrib.auth.models import Group

from core.roles import Role
from tests.factories import UserFactory


def _random_order(config) -> str | None:
    seed = getattr(config.option, "randomly_seed", None)
    if not config.pluginmanager.hasplugin("randomly") or not isinstance(seed, int):
        return None
    return f"tests in random order: repeat it with -p randomly --randomly-seed={seed}"


def pytest_sessionstart(session):
    # pytest-randomly's own header line is hidden under -q (make test): say the seed anyway.
    line = _random_order(session.config)
    if line:
        session.config.get_terminal_writer().line(line)


def pytest_terminal_summary(terminalreporter, config):
    line = _random_order(config)
    if line:
        terminalreporter.write_line(line)


def pytest_collection_modifyitems(items):
    """Every test that commits (a `transactional_db`, a live server, `transaction=True`) starts from
    the migrated database and leaves it so: serialized rollback for all of them, not some.

    A transactional test ends with a flush. Without serialized rollback the flush re-runs
    post_migrate, which makes the content types again under new ids; a serialized-rollback test run
    next then restores the original rows beside them and fails on the duplicate content type. With
    it everywhere, each such test restores the migrated rows (roles, reference data, content types)
    itself, so the suite passes in any order (it runs in random order: pytest-randomly).
    """
    for item in items:
        fixtures = getattr(item, "fixturenames", None)
        if fixtures is None:
            continue
        marker = item.get_closest_marker("django_db")
        if marker is not None and marker.kwargs.get("transaction"):
            if not marker.kwargs.get("serialized_rollback"):
                item.add_marker(pytest.mark.django_db(*marker.args, **{**marker.kwargs,
                                                                    "serialized_rollback": True}),
                                append=False)
        elif ("transactional_db" in fixtures or "live_server" in fixtures) \
                and "django_db_serialized_rollback" not in fixtures:
            fixtures.append("django_db_serialized_rollback")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """The migrated state serialized at set-up, on the connection class rather than on the one
    connection object.

    Playwright's sync API (the browser journeys) leaves an event loop running in the main thread;
    from then on asgiref keeps Django's connections per context, so a later test gets a new
    connection object, which lacks the serialized state: its serialized rollback would restore
    nothing and leave it an empty database (no roles, no complaint rules).
    """
    from django.db import connections

    for alias in connections:
        contents = getattr(connections[alias], "_test_serialized_contents", None)
        if contents is not None:
            type(connections[alias])._test_serialized_contents = contents
    return django_db_setup


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # Tests do not run collectstatic; the hashed-manifest storage is for production.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.AXES_ENABLED = False


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path_factory):
    # Photos residents send (contacts/photos.py) go to a folder of the test's own, never the
    # checkout's var/.
    settings.PRIVATE_MEDIA_ROOT = tmp_path_factory.mktemp("private-media")


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
