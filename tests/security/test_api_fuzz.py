"""Hostile input on the API (issue 8, "Hostile input"): schemathesis generates requests for every
operation of the OpenAPI schema served at /api/schema/ (valid and invalid bodies, parameters
and headers), sends them with an admin's API key through the WSGI app, and checks that no
answer is a 5xx and every answer matches the schema: documented status code, content type,
headers and body.

Examples per operation: API_FUZZ_EXAMPLES (default 25, bounded for CI). The schema is built
in-process at import (loading it from /api/schema/ needs a key, which needs the database);
`test_served_schema_is_the_one_fuzzed` proves it is the same document.
"""

import json
import os

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis import checks

from config.wsgi import application
from core.roles import Role
from core.services import api_token_create
from tests.factories import ContactFactory, CustomerFactory

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "25"))
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]


def _schema_document() -> dict:
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(json.dumps(document, default=str))


schema = schemathesis.openapi.from_dict(_schema_document())
schema.app = application


@pytest.fixture
def api_key(make_user, db):
    user = make_user(Role.ADMIN)
    # A few records, so that list and detail operations have something to return.
    customer = CustomerFactory()
    ContactFactory(customer=customer)
    return api_token_create(user=user, name="fuzz")[1]


@pytest.fixture(scope="module")
def tally():
    """Requests sent per operation; the total is printed (pytest -s) for the record."""
    counts: dict[str, int] = {}
    yield counts
    print(f"\nAPI fuzz: {len(counts)} operations, {sum(counts.values())} requests validated")


@pytest.fixture(autouse=True)
def _keep_the_test_transaction():
    """schemathesis calls the WSGI app directly, whose request signals would close the database
    connection (and with it the test's transaction); Django's test client disconnects them too."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_api_operation_never_errors_and_matches_its_schema(case, api_key, tally):
    case.call_and_validate(headers={"Authorization": f"Token {api_key}"}, checks=CHECKS)
    tally[case.operation.label] = tally.get(case.operation.label, 0) + 1


@pytest.mark.django_db
def test_served_schema_is_the_one_fuzzed(make_user):
    key = api_token_create(user=make_user(Role.ADVISER), name="schema")[1]
    response = Client().get("/api/schema/?format=json", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    assert json.loads(response.content) == _schema_document()
    operations = sum(1 for path in _schema_document()["paths"].values() for method in path
                     if method in {"get", "post", "put", "patch", "delete"})
    print(f"\nAPI fuzz: {operations} operations x up to {EXAMPLES} examples each")
