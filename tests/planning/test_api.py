"""GET /api/v1/reports/forecast/ and /staffing/ (issue 22, item 5): figures from the stored
forecast, parameters checked (400 naming the field, never 500), managers and admins only, and
both documented in the OpenAPI schema."""

from datetime import date, timedelta

import pytest
from django.db.models import Sum

from core.models import ChannelCode
from core.roles import Role
from planning.models import ChannelBacktest, DailyForecast, ForecastRun, IntervalForecast
from planning.services import forecasts_refresh
from tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db
FORECAST, STAFFING = "/api/v1/reports/forecast/", "/api/v1/reports/staffing/"


@pytest.fixture
def forecast(generated_small):
    forecasts_refresh()
    return generated_small


@pytest.fixture
def manager(api_client_for):
    return api_client_for(Role.MANAGER)


def test_forecast_by_day_adds_every_service_up_per_channel(forecast, manager):
    body = manager.get(FORECAST).json()
    assert body["interval"] == "day" and body["service"] is None
    run = ForecastRun.objects.get()
    assert (body["history_to"], body["backtest_from"]) == ("2025-11-30", run.backtest_from_date.isoformat())
    stored = {(row["forecast_date"].isoformat(), row["series__channel"]): row["total"]
              for row in DailyForecast.objects.values("forecast_date", "series__channel").annotate(
                  total=Sum("contacts"))}
    assert len(body["rows"]) == len(stored) == 56 * len(ChannelCode.values)
    for row in body["rows"]:
        assert row["starts_at"] is None
        assert row["contacts"] == round(stored[row["date"], row["channel"]], 1)
    backtest = {row["channel"]: row for row in body["backtest"]}
    telephone = ChannelBacktest.objects.get(channel="telephone")
    assert backtest["telephone"]["contacts"] == telephone.contacts
    assert backtest["telephone"]["mase"] == round(telephone.mase, 3)
    assert backtest["telephone"]["beats_seasonal_naive"] == (telephone.mase < telephone.naive_mase)


def test_forecast_by_half_hour_for_one_service_channel_and_period(forecast, manager):
    query = {"service": "waste", "channel": "telephone", "interval": "30min", "from": "2025-12-08",
             "to": "2025-12-09"}
    rows = manager.get(FORECAST, query).json()["rows"]
    stored = IntervalForecast.objects.filter(series__service__code="waste", series__channel="telephone",
                                             forecast_date__in=[date(2025, 12, 8), date(2025, 12, 9)])
    expected = {(i.forecast_date.isoformat(), slot): c
                for i in stored for slot, c in enumerate(i.contacts) if c}
    assert len(rows) == len(expected) > 0
    for row in rows:
        assert row["channel"] == "telephone" and row["date"] in ("2025-12-08", "2025-12-09")
        assert row["starts_at"].startswith(row["date"]) and row["starts_at"].endswith("Z")  # GMT in December
        hour, minute = int(row["starts_at"][11:13]), int(row["starts_at"][14:16])
        assert row["contacts"] == round(expected[row["date"], hour * 2 + minute // 30], 1)
    assert {row["starts_at"][11:16] for row in rows} >= {"08:30", "09:00", "16:30"}


def test_staffing_answers_per_half_hour_with_the_what_if(forecast, manager):
    body = manager.get(STAFFING, {"date": "2025-12-08", "shift_to_web": 100}).json()
    assert body["targets"] == {"service_level": 80, "target_seconds": 20, "max_occupancy": 85,
                               "shrinkage": 30}
    assert body["what_if"]["shift_to_web"] == 100 and body["what_if"]["staff_hour_cost"] == 18.0
    assert (body["date_from"], body["date_to"]) == ("2025-12-08", "2025-12-08")
    assert body["intervals"] and all(i["starts_at"].startswith("2025-12-08") for i in body["intervals"])
    assert body["staff_hours"] == sum(i["rostered_advisers"] for i in body["intervals"]) * 0.5
    assert body["what_if_staff_hours"] == 0 and body["staff_hours_saved"] == body["staff_hours"]
    assert body["cost_saved"] == round(body["staff_hours"] * 18.0, 2)
    busy = max(body["intervals"], key=lambda i: i["contacts"])
    assert busy["service_level_percent"] >= 80 and busy["occupancy_percent"] <= 85
    counter = manager.get(STAFFING, {"channel": "face_to_face"}).json()
    assert counter["targets"]["target_seconds"] == 600  # 10 minutes at the counters


def test_before_the_first_forecast_there_is_nothing_yet(db, manager):
    forecast = manager.get(FORECAST).json()
    assert forecast["made_at"] is None and forecast["rows"] == [] and forecast["backtest"] == []
    staffing = manager.get(STAFFING).json()
    assert staffing["made_at"] is None and staffing["intervals"] == [] and staffing["staff_hours"] == 0


@pytest.mark.parametrize("url, query, field", [
    (FORECAST, {"service": "no-such-service"}, "service"),
    (FORECAST, {"channel": "pigeon"}, "channel"),
    (FORECAST, {"interval": "hour"}, "interval"),
    (FORECAST, {"from": "2025-12-09", "to": "2025-12-08"}, "from"),
    (FORECAST, {"from": "yesterday"}, "from"),
    (FORECAST, {"to": "2025-02-30"}, "to"),
    (STAFFING, {"channel": "web"}, "channel"),
    (STAFFING, {"service_level": 100}, "service_level"),
    (STAFFING, {"service_level": 0}, "service_level"),
    (STAFFING, {"target_seconds": 0}, "target_seconds"),
    (STAFFING, {"target_seconds": "soon"}, "target_seconds"),
    (STAFFING, {"max_occupancy": 49}, "max_occupancy"),
    (STAFFING, {"shrinkage": 81}, "shrinkage"),
    (STAFFING, {"shift_to_web": 101}, "shift_to_web"),
    (STAFFING, {"shift_to_web": -1}, "shift_to_web"),
    (STAFFING, {"reason": "bad_luck"}, "reason"),
    (STAFFING, {"reason_reduction": 150}, "reason_reduction"),
    (STAFFING, {"staff_hour_cost": "-1"}, "staff_hour_cost"),
    (STAFFING, {"staff_hour_cost": "lots"}, "staff_hour_cost"),
    (STAFFING, {"staff_hour_cost": "nan"}, "staff_hour_cost"),
    (STAFFING, {"date": "2025-13-01"}, "date"),
    (STAFFING, {"service": "\x00"}, "service"),
])
def test_bad_parameters_answer_400_naming_the_field(db, manager, url, query, field):
    ServiceFactory(code="waste")
    response = manager.get(url, query)
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_extreme_but_valid_parameters_answer_200(forecast, manager):
    for query in [
        {"service_level": 99, "target_seconds": 1, "max_occupancy": 50, "shrinkage": 80},
        {"service_level": 1, "target_seconds": 14400, "max_occupancy": 100, "shrinkage": 0},
        {"shift_to_web": 100, "reason": "progress_chasing", "reason_reduction": 100,
         "staff_hour_cost": "1000"},
        {"date": "1999-01-01"}, {"service": "waste", "channel": "face_to_face"},
    ]:
        response = manager.get(STAFFING, query)
        assert response.status_code == 200, (query, response.content)


@pytest.mark.parametrize("role, status", [
    (Role.MANAGER, 200), (Role.ADMIN, 200), (Role.ADVISER, 403), (Role.BACK_OFFICE, 403),
    (Role.PARTNER, 403), (None, 403),
])
def test_managers_and_admins_only(db, api_client_for, role, status):
    client = api_client_for(role)
    assert client.get(FORECAST).status_code == status
    assert client.get(STAFFING).status_code == status


def test_anonymous_callers_are_refused(db, client):
    assert client.get(FORECAST).status_code == 401
    assert client.get(STAFFING).status_code == 401


def test_both_are_documented_in_the_openapi_schema(db, api_client_for):
    schema = api_client_for(Role.MANAGER).get("/api/schema/", {"format": "json"}).json()
    forecast = schema["paths"][FORECAST]["get"]
    assert {p["name"] for p in forecast["parameters"]} == {"service", "channel", "interval", "from", "to"}
    assert {"200", "400", "401", "403"} <= set(forecast["responses"])
    staffing = schema["paths"][STAFFING]["get"]
    parameters = {p["name"]: p["schema"] for p in staffing["parameters"]}
    assert set(parameters) == {"channel", "service", "date", "service_level", "target_seconds",
                               "max_occupancy", "shrinkage", "shift_to_web", "reason", "reason_reduction",
                               "staff_hour_cost"}
    assert (parameters["service_level"]["minimum"], parameters["service_level"]["maximum"]) == (1, 99)
    assert parameters["channel"]["enum"] == ["telephone", "face_to_face"]
    assert {"200", "400", "401", "403"} <= set(staffing["responses"])
    components = schema["components"]["schemas"]
    assert {"date", "starts_at", "channel", "contacts"} <= set(components["ForecastRow"]["properties"])
    assert "beats_seasonal_naive" in components["Backtest"]["properties"]
    assert "rostered_advisers" in components["StaffingInterval"]["properties"]


def test_the_horizon_is_the_stored_forecasts(forecast, manager):
    last = manager.get(FORECAST, {"from": "2026-01-20"}).json()["rows"]
    assert max(row["date"] for row in last) == (date(2025, 12, 1) + timedelta(days=55)).isoformat()
    assert manager.get(FORECAST, {"interval": "30min", "from": "2025-12-20"}).json()["rows"] == []
