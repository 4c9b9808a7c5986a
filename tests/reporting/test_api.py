"""GET /api/v1/reports/ni14/ as API.md says, every figure against a raw recount."""

from collections import Counter
from datetime import date

import pytest

from contacts.models import Contact
from core.roles import Role
from tests.reporting.factories import varied_contacts

URL = "/api/v1/reports/ni14/"
pytestmark = pytest.mark.django_db


def pct(a, b):
    return None if not b else round(100 * a / b, 1)


@pytest.fixture
def data():
    contacts = varied_contacts(120, start=date(2025, 1, 10), days=100)
    return contacts


def raw(filters):
    qs = Contact.objects.filter(received_date__gte="2025-01-01", received_date__lte="2025-12-31",
                                **filters)
    return qs


@pytest.mark.parametrize("group_by", ["service", "channel", "reason", "month"])
def test_every_figure_equals_a_raw_recount(api_client_for, data, group_by):
    api = api_client_for(Role.MANAGER)
    res = api.get(URL, {"from": "2025-01-01", "to": "2025-12-31", "group_by": group_by})
    assert res.status_code == 200, res.content
    body = res.json()
    contacts = list(raw({}))
    total = len(contacts)
    avoidable = sum(c.avoidable for c in contacts)
    assert body["from"] == "2025-01-01" and body["to"] == "2025-12-31"
    assert body["total_contacts"] == total
    assert body["avoidable_contacts"] == avoidable
    assert body["ni14_percent"] == pct(avoidable, total)
    assert body["first_contact_resolution_percent"] == pct(
        sum(c.resolved_at_first_contact for c in contacts), total)
    key = {
        "service": lambda c: c.service.code, "channel": lambda c: c.channel,
        "month": lambda c: c.received_date.strftime("%Y-%m"),
        "reason": lambda c: c.avoidable_reason.code if c.avoidable else None,
    }[group_by]
    if group_by == "reason":
        counts = Counter(key(c) for c in contacts if c.avoidable)
        expected = [{"key": k, "total": total, "avoidable": n, "ni14_percent": pct(n, total)}
                    for k, n in sorted(counts.items())]
    else:
        totals = Counter(key(c) for c in contacts)
        avoid = Counter(key(c) for c in contacts if c.avoidable)
        expected = [{"key": k, "total": n, "avoidable": avoid[k], "ni14_percent": pct(avoid[k], n)}
                    for k, n in sorted(totals.items())]
    assert body["rows"] == expected
    assert all(set(row) == {"key", "total", "avoidable", "ni14_percent"} for row in body["rows"])


def test_filters_by_service_channel_and_period(api_client_for, data):
    api = api_client_for(Role.ADMIN)
    service = data[0].service
    res = api.get(URL, {"from": "2025-02-01", "to": "2025-02-28", "service": service.code,
                        "channel": "telephone"}).json()
    qs = Contact.objects.filter(received_date__range=("2025-02-01", "2025-02-28"), service=service,
                                channel="telephone")
    assert res["total_contacts"] == qs.count()
    assert res["avoidable_contacts"] == qs.filter(avoidable=True).count()
    assert [r["key"] for r in res["rows"]] == ([service.code] if qs.exists() else [])


def test_empty_period_gives_null_percentages(api_client_for, data):
    res = api_client_for(Role.MANAGER).get(URL, {"from": "2020-01-01", "to": "2020-01-31"}).json()
    assert res == {"from": "2020-01-01", "to": "2020-01-31", "total_contacts": 0,
                   "avoidable_contacts": 0, "ni14_percent": None,
                   "first_contact_resolution_percent": None, "rows": [],
                   "sampling_period": None}  # v1.1: added


def test_defaults_to_last_90_days(api_client_for, db):
    res = api_client_for(Role.MANAGER).get(URL).json()
    assert (date.fromisoformat(res["to"]) - date.fromisoformat(res["from"])).days == 89


@pytest.mark.parametrize("params,field", [
    ({"from": "2025-13-01"}, "from"),
    ({"to": "yesterday"}, "to"),
    ({"from": "2025-03-01", "to": "2025-02-01"}, "from"),
    ({"service": "no-such-service"}, "service"),
    ({"channel": "pigeon"}, "channel"),
    ({"group_by": "colour"}, "group_by"),
    ({"site": "nowhere"}, "site"),
])
def test_bad_input_is_400_with_the_field(api_client_for, db, params, field):
    res = api_client_for(Role.MANAGER).get(URL, params)
    assert res.status_code == 400
    body = res.json()
    assert list(body) == [field] and isinstance(body[field], list)


@pytest.mark.parametrize("role", [Role.ADVISER, Role.BACK_OFFICE, Role.COMPLAINTS_OFFICER,
                                  Role.SOCIAL_CARE_COMPLAINTS, Role.LEGAL, Role.PARTNER, None])
def test_only_managers_and_admins(api_client_for, db, role):
    assert api_client_for(role).get(URL).status_code == 403


def test_anonymous_is_refused(client, db):
    assert client.get(URL).status_code in (401, 403)


def test_schema_describes_it(api_client_for, db):
    from drf_spectacular.generators import SchemaGenerator
    schema = SchemaGenerator().get_schema(request=None, public=True)
    op = schema["paths"]["/api/v1/reports/ni14/"]["get"]
    names = {p["name"] for p in op["parameters"]}
    assert {"from", "to", "service", "channel", "group_by"} <= names
    assert "200" in op["responses"] and "400" in op["responses"]
