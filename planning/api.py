"""Forecast and staffing APIs (issue 22, item 5): managers and admins, from the stored forecast."""

from collections import defaultdict
from datetime import datetime, time

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_permissions import role_permission
from core.models import ChannelCode
from planning import selectors, staffing
from planning.serializers import (
    ForecastQuerySerializer,
    ForecastSerializer,
    StaffingQuerySerializer,
    StaffingSerializer,
)
from planning.tables import beats

ERRORS = {
    400: OpenApiResponse(description='Invalid input: {"field": ["message"]}'),
    401: OpenApiResponse(description="No valid API key or session."),
    403: OpenApiResponse(description="Managers and admins only."),
}
DEFAULT_TARGET_SECONDS = {ChannelCode.TELEPHONE: 20, ChannelCode.FACE_TO_FACE: 600}


def forecast_report(query: dict) -> dict:
    run = selectors.latest_run()
    service, channel = query.get("service"), query.get("channel")
    report = {"made_at": None, "history_from": None, "history_to": None, "backtest_from": None,
              "backtest_to": None, "service": service.code if service else None,
              "interval": query["interval"], "rows": [], "backtest": []}
    if run is None:
        return report
    report.update(made_at=run.made_at, history_from=run.history_from_date, history_to=run.history_to_date,
                  backtest_from=run.backtest_from_date, backtest_to=run.backtest_to_date)
    period = {"date_from": query.get("from"), "date_to": query.get("to")}
    if query["interval"] == "day":
        report["rows"] = [{"date": day, "starts_at": None, "channel": code, "contacts": round(contacts, 1)}
                          for day, code, contacts in selectors.daily_forecast(run, service=service,
                                                                              channel=channel, **period)]
    else:
        added: dict[tuple, list[float]] = defaultdict(lambda: [0.0] * 48)
        for item in selectors.interval_forecast(run, channels=[channel] if channel else ChannelCode.values,
                                                service=service, **period):
            slots = added[item.forecast_date, item.channel]
            for slot, contacts in enumerate(item.contacts):
                slots[slot] += contacts
        for (day, code), slots in sorted(added.items()):
            for slot, contacts in enumerate(slots):
                if contacts > 0:
                    starts_at = timezone.make_aware(datetime.combine(day, time(slot // 2, 30 * (slot % 2))))
                    report["rows"].append({"date": day, "starts_at": starts_at, "channel": code,
                                           "contacts": round(contacts, 1)})
    for row in selectors.backtests(run, service=service):
        if channel and row["channel"] != channel:
            continue
        report["backtest"].append({
            "channel": row["channel"], "contacts": row["contacts"], "mape": _round(row["mape"]),
            "mase": _round(row["mase"], 3), "seasonal_naive_mape": _round(row["naive_mape"]),
            "seasonal_naive_mase": _round(row["naive_mase"], 3),
            "beats_seasonal_naive": {"Yes": True, "No": False}.get(beats(row))})
    return report


def _round(value: float | None, places: int = 1) -> float | None:
    return None if value is None else round(value, places)


class ForecastApi(APIView):
    permission_classes = [role_permission(*selectors.PLANNING_ROLES)]

    @extend_schema(
        summary="Contact demand forecast",
        parameters=[ForecastQuerySerializer],
        responses={200: ForecastSerializer, **ERRORS},
        description="The stored forecast (made every night from the contacts up to the day before): "
                    "contacts by day for the next 8 weeks, or by half hour for the next 2 weeks, per "
                    "channel, for one service or every service added up; and the backtest per channel "
                    "(the forecast's MAPE and MASE on held-back weeks next to \"same day last week\"'s). "
                    "Half hours with no contacts forecast are left out. Before the first forecast, "
                    "made_at is null and there are no rows.",
    )
    def get(self, request):
        query = ForecastQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(ForecastSerializer(forecast_report(query.validated_data)).data)


def staffing_report(query: dict) -> dict:
    channel, service = query["channel"], query.get("service")
    targets = staffing.Targets(query["service_level"] / 100,
                               query.get("target_seconds") or DEFAULT_TARGET_SECONDS[channel],
                               query["max_occupancy"] / 100, query["shrinkage"] / 100)
    reason = query.get("reason")
    what_if = staffing.WhatIf(query["shift_to_web"] / 100, reason.code if reason else None,
                              query["reason_reduction"] / 100 if reason else 0.0)
    cost = float(query.get("staff_hour_cost") or settings.PLANNING_STAFF_HOUR_COST)
    report = {
        "made_at": None, "channel": channel, "service": service.code if service else None,
        "targets": {"service_level": query["service_level"], "target_seconds": int(targets.target_seconds),
                    "max_occupancy": query["max_occupancy"], "shrinkage": query["shrinkage"]},
        "what_if": {"shift_to_web": query["shift_to_web"], "reason": what_if.reason,
                    "reason_reduction": query["reason_reduction"] if reason else 0, "staff_hour_cost": cost},
        "date_from": None, "date_to": None, "intervals": [], "staff_hours": 0.0, "what_if_staff_hours": 0.0,
        "staff_hours_saved": 0.0, "cost_saved": 0.0,
    }
    run = selectors.latest_run()
    if run is None:
        return report
    day = query.get("date")
    date_from, date_to = (day, day) if day else (run.first_date, run.interval_to_date)
    series_days = selectors.interval_forecast(run, channels=[channel], service=service, date_from=date_from,
                                              date_to=date_to)
    now = staffing.plan(series_days, channel, targets)
    then = staffing.plan(series_days, channel, targets, what_if, days=now.days)
    for day in now.days:
        for slot in now.slots:
            cell, changed = now.cells[day, slot], then.cells[day, slot]
            report["intervals"].append({
                "starts_at": cell.starts_at, "contacts": round(cell.contacts, 2),
                "handling_time_seconds": round(cell.handling_seconds, 1),
                "traffic_erlangs": round(cell.traffic, 3),
                "advisers": cell.advisers, "rostered_advisers": cell.rostered,
                "service_level_percent": _percentage(cell.service_level),
                "occupancy_percent": _percentage(cell.occupancy),
                "average_wait_seconds": _round(cell.average_wait_seconds),
                "what_if_contacts": round(changed.contacts, 2),
                "what_if_rostered_advisers": changed.rostered})
    saved = now.staff_hours - then.staff_hours
    report.update(made_at=run.made_at, date_from=date_from, date_to=date_to, staff_hours=now.staff_hours,
                  what_if_staff_hours=then.staff_hours, staff_hours_saved=saved,
                  cost_saved=round(saved * cost, 2))
    return report


def _percentage(share: float | None) -> float | None:
    return None if share is None else round(100 * share, 1)


class StaffingApi(APIView):
    permission_classes = [role_permission(*selectors.PLANNING_ROLES)]

    @extend_schema(
        summary="Advisers needed per half hour (Erlang C), with the what-if",
        parameters=[StaffingQuerySerializer],
        responses={200: StaffingSerializer, **ERRORS},
        description="From the stored half-hour forecast of the next 2 weeks (or one day of them): "
                    "the advisers each half hour needs to answer service_level per cent of calls "
                    "(or see that share of visitors) within target_seconds, busy at most "
                    "max_occupancy per cent of the time (Erlang C), and how many to roster with "
                    "shrinkage; every service's contacts in one queue unless service is given. The "
                    "what-if moves shift_to_web per cent of telephone and face-to-face contacts to the "
                    "web and cuts reason's contacts by reason_reduction per cent: its advisers per "
                    "half hour, and the staff hours and cost it saves over the days.",
    )
    def get(self, request):
        query = StaffingQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(StaffingSerializer(staffing_report(query.validated_data)).data)



