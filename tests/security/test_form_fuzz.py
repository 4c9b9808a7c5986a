"""Hostile input at the form-encoded doors (issue 24, item 3): hypothesis over Open311's
GeoReport v2 POST and GET requests.json and over the public self-service forms (every question,
the check-and-send page, the progress look-up). Any text (NUL and other control characters, lone
surrogates, markup, huge and odd values) in any field, or in unknown extra fields, gets a
documented answer: never a 500 (the test client re-raises whatever a view lets escape), Open311
errors always in GeoReport's own error list.

Budget: FORM_FUZZ_EXAMPLES per form (default 30, `make fuzz` more), seed API_FUZZ_SEED.
"""

import os

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from tests.open311.conftest import partner_key, pothole  # noqa: F401 - fixtures used by name
from tests.security.test_hostile_input import TEXT
from tests.selfservice.conftest import catalogue  # noqa: F401 - fixture used by name

EXAMPLES = int(os.environ.get("FORM_FUZZ_EXAMPLES", "30"))
SEED = int(os.environ.get("API_FUZZ_SEED", "24"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=list(HealthCheck), print_blob=True)
# Control characters, surrogates and U+FFFE/U+FFFF too, which `st.text()` mostly leaves out.
RAW = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF), max_size=30)
HOSTILE = st.one_of(TEXT, RAW)


def _mutated(valid: dict):
    """A valid form with up to three of its fields (or unknown extra ones) replaced by hostile text."""
    keys = [*valid, "unexpected", "attribute[depth]"]
    return st.tuples(st.lists(st.sampled_from(keys), max_size=3, unique=True),
                     st.lists(HOSTILE, min_size=3, max_size=3)).map(
        lambda pair: {**valid, **dict(zip(pair[0], pair[1], strict=False))})


@pytest.fixture(autouse=True)
def _no_rate_limits():
    cache.clear()
    yield
    cache.clear()


def test_open311_post_requests_never_500s_and_errors_are_georeport(client, pothole, partner_key):  # noqa: F811
    print(f"\nform fuzz: seed {SEED} (API_FUZZ_SEED), {EXAMPLES} examples per form")
    valid = {"api_key": partner_key, "service_code": "pothole", "lat": "53.4808", "long": "-2.0931",
             "attribute[depth]": "deep", "description": "Deep hole outside number 12.",
             "email": "a@example.org", "first_name": "Ann", "address_string": "12 Oak Street"}
    answers = set()

    @FUZZ
    @seed(SEED)
    @given(data=_mutated(valid), suffix=st.sampled_from(["json", "xml"]))
    def check(data, suffix):
        response = client.post(f"/open311/v2/requests.{suffix}", data)
        assert response.status_code in {200, 201, 400, 403, 404}, response.content
        if suffix == "json" and response.status_code >= 400:
            body = response.json()
            assert body[0]["code"] == response.status_code and body[0]["description"]
        answers.add(response.status_code)

    check()
    assert 400 in answers and 201 in answers


def test_open311_get_requests_never_500s(client, pothole):  # noqa: F811
    valid = {"service_code": "pothole", "status": "open", "start_date": "2026-01-01T00:00:00Z",
             "end_date": "2026-02-01T00:00:00Z", "service_request_id": "1"}

    @FUZZ
    @seed(SEED)
    @given(data=_mutated(valid))
    def check(data):
        response = client.get("/open311/v2/requests.json", data)
        assert response.status_code in {200, 400}, response.content

    check()


SELF_SERVICE_STEPS = [
    ("what", {"kind": "problem"}),
    ("which", {"offer": None}),  # the offer's id, filled in below
    ("details", {"description": "The bin was not emptied on Tuesday."}),
    # Where: words, a point, and the postcode lookup's fields (issue 20), each open to hostile text.
    ("location", {"location": "Outside 12 Oak Street", "lookup_postcode": "", "address": "",
                  "latitude": "53.489300", "longitude": "-2.095300"}),
    ("photos", {}),
    ("name", {"first_name": "Ann", "last_name": "Lee"}),
    ("email", {"email": "ann@example.org"}),
]


FIND_ADDRESS = {"lookup_postcode": "OL6 6AB", "find_address": "1", "address": "100012345678",
                "location": ""}


@pytest.mark.parametrize("where", ["described", "found by postcode"])
def test_self_service_forms_never_500(client, catalogue, where):  # noqa: F811
    """Each step of a report, one of them hostile; the place described (words and a point), or
    looked up by postcode (Find address, with a chosen UPRN)."""
    steps = [(step, {**data, "offer": str(catalogue["missed"].pk)} if step == "which"
              else FIND_ADDRESS if step == "location" and where == "found by postcode" else data)
             for step, data in SELF_SERVICE_STEPS]
    answers = set()

    @FUZZ
    @seed(SEED)
    @given(at=st.integers(min_value=0, max_value=len(steps)), data=st.data())
    def check(at, data):
        cache.clear()  # the per-address limits would answer 429 before the forms are read
        client.cookies.clear()
        for index, (step, valid) in enumerate(steps):
            sent = data.draw(_mutated(valid)) if index == at else valid
            response = client.post(f"/self-service/{step}/", sent)
            assert response.status_code in {200, 302, 400, 404}, response.content
            answers.add(response.status_code)
            if response.status_code != 302:
                return
        sent = data.draw(_mutated({"website": ""}))
        response = client.post("/self-service/check/", sent)
        assert response.status_code in {200, 302, 400}
        response = client.post("/self-service/progress/",
                               data.draw(_mutated({"reference": "NWD-1", "contact": "ann@example.org"})))
        assert response.status_code in {200, 400, 404}

    check()
    assert 400 in answers and 302 in answers
