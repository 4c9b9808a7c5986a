"""A GeoReport request sent with a point gets the gazetteer's nearest UPRN (issue 20, item 4)."""

import pytest

from open311.models import Open311Request
from tests.contacts.test_gazetteer import make_oak_street


@pytest.fixture
def oak_street(db):
    make_oak_street()


def test_open311_point_gets_the_nearest_uprn(oak_street, client, partner_key, pothole):
    response = client.post("/open311/v2/requests.json", {
        "api_key": partner_key, "service_code": "pothole", "lat": "53.48959", "long": "-2.09531",
        "attribute[depth]": "deep", "description": "Hole."})
    assert response.status_code == 201, response.content
    assert Open311Request.objects.get().address_id == "1003"


def test_open311_uprn_sent_is_kept(oak_street, client, partner_key, pothole):
    client.post("/open311/v2/requests.json", {
        "api_key": partner_key, "service_code": "pothole", "lat": "53.48959", "long": "-2.09531",
        "address_id": "555", "attribute[depth]": "deep"})
    assert Open311Request.objects.get().address_id == "555"
