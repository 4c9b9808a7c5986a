"""Advisers per half hour and the what-if (issue 22, items 3 and 4): the queue pools every service,
handling times are weighted by arrivals, and the what-if's staff-hours saving equals a recount
from its inputs."""

from datetime import date, timedelta

import pytest
from django.db.models import Count, Q

from contacts.models import Contact
from core.models import ChannelCode, Service
from planning import erlang, selectors
from planning.models import ForecastRun, ForecastSeries, IntervalForecast
from planning.selectors import SeriesDay, SeriesInfo
from planning.services import forecasts_refresh
from planning.staffing import Targets, WhatIf, plan, what_if_result

TELEPHONE, COUNTER, WEB = ChannelCode.TELEPHONE, ChannelCode.FACE_TO_FACE, ChannelCode.WEB
TARGETS = Targets(service_level=0.8, target_seconds=20, max_occupancy=0.85, shrinkage=0.3)
MONDAY = date(2025, 12, 8)


def _day(service_id, channel, calls_at: dict[int, float], handling=None, shares=None, day=MONDAY):
    contacts = [0.0] * 48
    for slot, calls in calls_at.items():
        contacts[slot] = calls
    return SeriesDay(SeriesInfo(service_id, channel, handling, shares or {}), day, contacts)


def test_every_service_is_one_queue_with_handling_times_weighted_by_calls():
    waste = _day(1, TELEPHONE, {18: 60}, handling=120)
    benefits = _day(2, TELEPHONE, {18: 40}, handling=420)
    made = plan([waste, benefits, _day(3, WEB, {18: 500})], TELEPHONE, TARGETS)
    cell = made.cells[MONDAY, 18]
    assert cell.contacts == 100
    assert cell.handling_seconds == pytest.approx((60 * 120 + 40 * 420) / 100)  # 240 seconds
    assert cell.traffic == pytest.approx(100 * 240 / 1800)
    assert cell.advisers == erlang.agents_needed(100 * 240 / 1800, 240, service_level_target=0.8,
                                                 target_seconds=20, max_occupancy=0.85)
    assert cell.rostered == erlang.with_shrinkage(cell.advisers, 0.3)
    assert made.staff_hours == cell.rostered * 0.5
    assert made.slots == [18] and made.days == [MONDAY]  # the web is nobody's queue


def test_the_call_centre_helper_example_as_a_half_hour_plan():
    # 100 calls in the half hour at 180 seconds: 14 advisers, 20 rostered (tests/planning/test_erlang.py).
    made = plan([_day(1, TELEPHONE, {20: 100}, handling=180)], TELEPHONE, TARGETS)
    cell = made.cells[MONDAY, 20]
    assert (cell.advisers, cell.rostered) == (14, 20)
    assert round(100 * cell.service_level, 1) == 88.8 and round(100 * cell.occupancy, 1) == 71.4


def test_a_half_hour_without_calls_needs_nobody_and_unknown_handling_times_are_assumed():
    made = plan([_day(1, TELEPHONE, {18: 10}), _day(1, TELEPHONE, {19: 10}, day=MONDAY + timedelta(days=1))],
                TELEPHONE, TARGETS)
    assert made.handling_assumed and made.cells[MONDAY, 18].handling_seconds == 300
    empty = made.cells[MONDAY, 19]  # no calls forecast on Monday at 09:30
    assert (empty.contacts, empty.advisers, empty.rostered) == (0, 0, 0)


def test_the_what_if_moves_a_share_to_the_web_and_cuts_a_reason_by_its_own_share():
    shares = {"progress_chasing": 0.4}
    what_if = WhatIf(shift_to_web=0.25, reason="progress_chasing", reason_reduction=0.5)
    # 40% of the calls are progress chasing: halving them leaves 80%; a quarter of those go online.
    assert what_if.kept(TELEPHONE, shares) == pytest.approx(0.8 * 0.75)
    assert what_if.moved_to_web(TELEPHONE, shares) == pytest.approx(0.8 * 0.25)
    assert what_if.kept(WEB, shares) == pytest.approx(0.8) and what_if.moved_to_web(WEB, shares) == 0
    assert WhatIf(shift_to_web=1.0).kept(COUNTER, {}) == 0
    calls = [_day(1, TELEPHONE, {18: 100}, handling=300, shares=shares)]
    everyone_online = plan(calls, TELEPHONE, TARGETS, WhatIf(shift_to_web=1.0))
    assert everyone_online.staff_hours == 0


def test_what_if_contacts_a_week_add_the_moved_contacts_to_the_web():
    telephone = SeriesInfo(1, TELEPHONE, 300, {"progress_chasing": 0.5})
    web = SeriesInfo(1, WEB, None, {})
    what_if = WhatIf(shift_to_web=0.1, reason="progress_chasing", reason_reduction=1.0)
    result = what_if_result([(telephone, 1000.0), (web, 400.0)], {}, what_if, 18.0, weeks=2)
    by_channel = {row.channel: (row.before, row.after) for row in result.contacts}
    assert by_channel[TELEPHONE] == (500, pytest.approx(500 * 0.5 * 0.9))
    assert by_channel[WEB] == (200, pytest.approx(200 + 500 * 0.5 * 0.1))


@pytest.mark.django_db
def test_the_what_if_staff_hours_saving_equals_the_recount_from_its_inputs(generated, api_client_for,
                                                                           client_for):
    forecasts_refresh()
    run = ForecastRun.objects.get()
    manager = api_client_for("manager")
    query = {"shift_to_web": 25, "reason": "progress_chasing", "reason_reduction": 50,
             "staff_hour_cost": "20.00", "service_level": 80, "target_seconds": 20, "max_occupancy": 85,
             "shrinkage": 30}
    answer = manager.get("/api/v1/reports/staffing/", query).json()

    # The recount, from the stored forecast and the contacts themselves. Each series' share of
    # progress chasing over the last year, counted from the contacts table.
    year = Contact.objects.filter(received_date__gte=run.first_date - timedelta(days=365),
                                  received_date__lte=run.history_to_date)
    counted = {(row["service_id"], row["channel"]): row["chasing"] / row["all"] for row in year.values(
        "service_id", "channel").annotate(all=Count("pk"), chasing=Count(
            "pk", filter=Q(avoidable_reason__code="progress_chasing")))}
    series = {s.pk: s for s in ForecastSeries.objects.filter(run=run, channel=TELEPHONE)}
    for item in series.values():
        assert item.reason_shares.get("progress_chasing", 0) == pytest.approx(
            counted[item.service_id, TELEPHONE])
    arrivals, handled, changed, changed_handled = {}, {}, {}, {}
    for interval in IntervalForecast.objects.filter(series__in=series):
        item = series[interval.series_id]
        kept = (1 - 0.5 * counted[item.service_id, TELEPHONE]) * (1 - 0.25)
        for slot, calls in enumerate(interval.contacts):
            key = (interval.forecast_date, slot)
            arrivals[key] = arrivals.get(key, 0) + calls
            handled[key] = handled.get(key, 0) + calls * item.handling_time_seconds
            changed[key] = changed.get(key, 0) + calls * kept
            changed_handled[key] = changed_handled.get(key, 0) + calls * kept * item.handling_time_seconds

    def rostered(calls, seconds):
        if not calls:
            return 0
        needed = erlang.agents_needed(calls * seconds / 1800, seconds, service_level_target=0.8,
                                      target_seconds=20, max_occupancy=0.85)
        return erlang.with_shrinkage(needed, 0.3)

    before = sum(rostered(calls, handled[key] / calls) for key, calls in arrivals.items() if calls) * 0.5
    after = sum(rostered(calls, changed_handled[key] / calls)
                for key, calls in changed.items() if calls) * 0.5
    assert answer["staff_hours"] == pytest.approx(before)
    assert answer["what_if_staff_hours"] == pytest.approx(after)
    assert answer["staff_hours_saved"] == pytest.approx(before - after)
    assert answer["cost_saved"] == pytest.approx(round((before - after) * 20, 2))
    assert before - after > 0

    # The planning page shows the same saving a week (the 2 weeks' hours, halved).
    page = client_for("manager").get("/planning/", {"shift_to_web": 25, "reason": "progress_chasing",
                                      "reason_reduction": 50, "hour_cost": "20.00"})
    telephone_row = next(row for row in page.context["what_if_hours"].rows if row[0].text == "Telephone")
    assert telephone_row[3].text == f"{(before - after) / 2:,.1f}"


@pytest.mark.django_db
def test_one_service_is_planned_alone(generated):
    forecasts_refresh()
    run = selectors.latest_run()
    waste = Service.objects.get(code="waste")
    alone = plan(selectors.interval_forecast(run, channels=[TELEPHONE], service=waste), TELEPHONE, TARGETS)
    everyone = plan(selectors.interval_forecast(run, channels=[TELEPHONE]), TELEPHONE, TARGETS)
    assert 0 < alone.contacts < everyone.contacts
    assert alone.staff_hours < everyone.staff_hours


@pytest.mark.parametrize("highest", [1, 2, 5, 12, 37])
def test_the_heat_map_key_names_every_number_of_advisers_once(highest):
    from planning.tables import BANDS, HeatMap

    key = HeatMap(name="t", caption="t", days=[], highest=highest).legend
    named = []
    for _, numbers in key:
        low, _, high = numbers.split(" adviser")[0].partition(" to ")
        named += range(int(low), int(high or low) + 1)
    assert named == list(range(highest + 1))
    assert [band for band, _ in key] == sorted({band for band, _ in key}) and len(key) <= BANDS
