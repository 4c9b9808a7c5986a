"""API.md "Conventions" (auth) and "Catalogue"."""

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from core.models import ApiToken
from core.roles import Role
from core.services import api_token_revoke
from tests.factories import EnquiryTypeFactory, ServiceFactory, TeamFactory

pytestmark = pytest.mark.django_db


def test_staff_obtain_a_token_with_username_and_password(make_user):
    make_user(Role.ADVISER, username="ada")
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "ada", "password": "a-test-password-2026"}, format="json"
    )
    assert response.status_code == 200
    key = response.json()["token"]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/avoidable-reasons/").status_code == 200
    # Only the hash is stored.
    assert not ApiToken.objects.filter(key_hash=key).exists()


@pytest.mark.parametrize(
    "body",
    [{}, {"username": "ada"}, {"password": "x"}, {"username": "ada", "password": "wrong"}],
)
def test_token_endpoint_rejects_bad_credentials_with_400(make_user, body):
    make_user(Role.ADVISER, username="ada")
    response = APIClient().post("/api/v1/auth/token/", body, format="json")
    assert response.status_code == 400
    assert isinstance(response.json(), dict)


def test_create_partner_token_prints_the_key_alone_on_the_last_line(capsys):
    call_command("create_partner_token", "street-reporting")
    key = capsys.readouterr().out.strip().splitlines()[-1]
    assert " " not in key and len(key) >= 40
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/services/").status_code == 200


def test_revoked_partner_key_gets_401(api_client_for):
    api = api_client_for(Role.PARTNER)
    assert api.get("/api/v1/services/").status_code == 200
    api_token_revoke(token=ApiToken.objects.get(user=api.user))
    assert api.get("/api/v1/services/").status_code == 401


def test_unknown_key_gets_401():
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-key")
    assert api.get("/api/v1/services/").status_code == 401


def test_services_list_the_catalogue_with_enquiry_types(api_client_for):
    team = TeamFactory(code="waste-operations")
    service = ServiceFactory(code="waste", name="Waste and Recycling")
    EnquiryTypeFactory(
        service=service, code="missed-bin", name="Missed bin", handoff_method="fire_and_forget",
        team=team, target_working_days=2,
    )
    EnquiryTypeFactory(service=service, code="retired", is_active=False)
    response = api_client_for(Role.PARTNER).get("/api/v1/services/")
    assert response.status_code == 200
    [waste] = [s for s in response.json() if s["code"] == "waste"]
    assert waste == {
        "code": "waste",
        "name": "Waste and Recycling",
        "enquiry_types": [
            {
                "code": "missed-bin",
                "name": "Missed bin",
                "handoff_method": "fire_and_forget",
                "target_working_days": 2,
                "team": "waste-operations",
            }
        ],
    }


def test_avoidable_reasons_list_the_ni14_categories(api_client_for):
    response = api_client_for(Role.ADVISER).get("/api/v1/avoidable-reasons/")
    assert response.status_code == 200
    codes = [r["code"] for r in response.json()]
    assert "progress_chasing" in codes and "service_failure" in codes
    assert set(response.json()[0]) == {"code", "name", "description"}


def test_openapi_schema_is_served_to_signed_in_callers(api_client_for):
    response = api_client_for(Role.PARTNER).get("/api/schema/?format=json")
    assert response.status_code == 200
    assert "/api/v1/services/" in response.json()["paths"]
