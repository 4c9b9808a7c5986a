"""The planning page (issue 22, item 5): managers and admins only. Thin: the form, the selectors,
the staffing maths and the tables."""

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from core.models import ChannelCode
from planning import selectors, staffing
from planning.forms import PlanningForm
from planning.tables import (
    backtest_table,
    daily_table,
    heat_map,
    staffing_summary,
    what_if_summary,
    what_if_tables,
)
from reporting.tables import csv_response

STAFFED = (("telephone", ChannelCode.TELEPHONE, "Advisers to roster on the telephone"),
           ("counter", ChannelCode.FACE_TO_FACE, "Advisers to roster at the counters"))


def plan(request):
    if not selectors.can_plan(request.user):
        raise PermissionDenied
    form = PlanningForm.for_query(request.GET)
    valid = not form.is_bound or form.is_valid()
    run = selectors.latest_run()
    context = {"form": form, "run": run, "valid": valid, "title": "Contact-centre planning"}
    if run is None:
        return render(request, "planning/plan.html", context)
    service = form.value("service")
    tables = {}
    daily, chart = daily_table(selectors.daily_forecast(run, service=service))
    tables[daily.name] = daily
    backtest = backtest_table(selectors.backtests(run, service=service))
    tables[backtest.name] = backtest
    context.update(service=service, daily=daily, chart=chart, backtest=backtest)
    if valid:
        targets, what_if = form.targets(), form.what_if()
        series_days = selectors.interval_forecast(run, channels=staffing.STAFFED_CHANNELS, service=service,
                                                  date_to=run.interval_to_date)
        maps, plans = [], {}
        for name, channel, caption in STAFFED:
            now = staffing.plan(series_days, channel, targets[channel])
            then = staffing.plan(series_days, channel, targets[channel], what_if, days=now.days)
            plans[channel] = (now, then)
            forecast_map = heat_map(now, name, f"{caption} by half hour")
            what_if_map = heat_map(then, f"what_if_{name}", f"{caption} by half hour in the what-if",
                                   highest=forecast_map.highest)
            handling, recorded = selectors.handling_summary(run, channel, service)
            summary = staffing_summary(channel, now, handling, recorded, run.profile_from_date)
            maps.append({"channel": channel, "forecast": forecast_map, "what_if": what_if_map,
                         "summary": summary})
            tables[forecast_map.name] = forecast_map.table()
            tables[what_if_map.name] = what_if_map.table()
        weeks = ((run.interval_to_date - run.first_date).days + 1) / 7
        totals = selectors.series_totals(run, service=service, date_from=run.first_date,
                                         date_to=run.interval_to_date)
        result = staffing.what_if_result(totals, plans, what_if, float(form.value("hour_cost")), weeks)
        contacts_table, hours_table = what_if_tables(result)
        tables[contacts_table.name] = contacts_table
        tables[hours_table.name] = hours_table
        reason = form.value("reason")
        context.update(maps=maps, what_if=what_if, result=result, what_if_contacts=contacts_table,
                       what_if_hours=hours_table,
                       what_if_summary=what_if_summary(what_if, reason.name if reason else "", result))
    if request.GET.get("format") == "csv":
        table = tables.get(request.GET.get("table", ""))
        if table is None:
            raise Http404("No such table.")
        return csv_response(table, f"planning-{table.name}-{run.first_date}")
    query = {key: value for key, value in request.GET.items() if key not in ("format", "table")}
    context["csv_query"] = urlencode(query)
    return render(request, "planning/plan.html", context)
