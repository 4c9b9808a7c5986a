"""A round trip with a third-party Open311 client from PyPI (`georeport`, a GeoReport v2
wrapper) against the live server, in JSON and in XML. The library has no POST method, so the
request is posted with `requests` as a partner's server would, and read back with the library."""

import pytest

georeport = pytest.importorskip("georeport")
requests = pytest.importorskip("requests")

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("output_format", ["json", "xml"])
def test_georeport_client_reads_what_a_partner_posted(live_server, pothole, partner_key, output_format):
    root = f"{live_server.url}/open311/v2"
    client = georeport.GeoReport(root, output_format=output_format)

    services = client.get_service_list()
    service = services if isinstance(services, dict) else services[0]  # xmltodict: one item, a dict
    assert service["service_code"] == "pothole"
    definition = client.get_service_definition("pothole")
    attributes = definition["attributes"]
    first = attributes[0] if isinstance(attributes, list) else attributes["attribute"][0]
    assert first["code"] == "depth"

    posted = requests.post(f"{root}/requests.json", data={
        "api_key": partner_key, "service_code": "pothole", "lat": "53.48", "long": "-2.09",
        "attribute[depth]": "deep", "description": "Round trip."}, timeout=10)
    assert posted.status_code == 201
    request_id = posted.json()[0]["service_request_id"]

    detail = client.get_service_request(request_id)
    assert str(detail["service_request_id"]) == request_id
    assert detail["status"] == "open" and detail["service_code"] == "pothole"
    listed = client.get_service_requests(service_request_id=request_id, status="open")
    listed = listed if isinstance(listed, list) else [listed]
    assert [str(item["service_request_id"]) for item in listed] == [request_id]
