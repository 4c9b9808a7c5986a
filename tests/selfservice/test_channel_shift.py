"""Channel shift is visible (issue 10): what residents send online counts as `web` contacts and
what street-reporting partners post through Open311 as `partner` contacts in the channel report
(reporting's summary rows, kept by database triggers)."""

from core.models import ChannelCode
from core.services import partner_token_create
from open311.models import Open311Service
from selfservice.models import Kind
from selfservice.services import Answers, submission_create
from tests.factories import ContactFactory


def test_self_service_and_open311_volumes_appear_in_the_channel_figures(
        client, catalogue, api_client_for):
    for _ in range(3):
        submission_create(answers=Answers(
            kind=Kind.PROBLEM, first_name="Ada", last_name="Lovelace", email="ada@example.com",
            description="Bin not emptied.", offer=catalogue["missed"], location="Oak St"))
    Open311Service.objects.create(enquiry_type=catalogue["missed"].enquiry_type, service_code="missed_bin")
    key = partner_token_create(name="Street App")[1]
    for street in ("Oak St", "Elm St"):
        response = client.post("/open311/v2/requests.json", {
            "api_key": key, "service_code": "missed_bin", "address_string": street})
        assert response.status_code == 201
    ContactFactory(channel=ChannelCode.TELEPHONE, service=catalogue["waste"])

    manager = api_client_for("manager")
    report = manager.get("/api/v1/reports/ni14/", {"group_by": "channel"}).json()
    totals = {row["key"]: row["total"] for row in report["rows"]}
    assert totals["web"] == 3 and totals["partner"] == 2 and totals["telephone"] == 1
    assert report["total_contacts"] == 6

    only_web = manager.get("/api/v1/reports/ni14/", {"group_by": "service", "channel": "web"}).json()
    assert only_web["total_contacts"] == 3
