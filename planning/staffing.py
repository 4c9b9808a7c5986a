"""Advisers per half hour from the forecast, and the what-if (issue 22, items 3 and 4).

The telephone is one queue of calls and the counters one queue of visitors: every service's
forecast arrivals in a half hour are added up (or one service's, when the plan is for one),
with their average handling time weighted by those arrivals; Erlang C (planning.erlang) gives
the advisers that meet the service level without going over the maximum occupancy, and shrinkage
the advisers to roster. Staff hours are rostered advisers times half an hour.

The what-if changes the arrivals before any of that: a chosen NI14 reason's contacts cut by a
share (each series by its own share of that reason over the last year), then a share of what is
left of the telephone and face-to-face contacts moved to the web, where nobody queues.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.utils import timezone

from core.models import ChannelCode
from planning import erlang
from planning.selectors import SeriesDay, SeriesInfo

STAFFED_CHANNELS = (ChannelCode.TELEPHONE, ChannelCode.FACE_TO_FACE)
SHIFTABLE_CHANNELS = STAFFED_CHANNELS  # moved to the web in the what-if
# Used only when no handling time has been recorded for the channel at all.
ASSUMED_HANDLING_SECONDS = {ChannelCode.TELEPHONE: 300.0, ChannelCode.FACE_TO_FACE: 540.0}
HALF_HOUR_IN_HOURS = 0.5


@dataclass(frozen=True)
class Targets:
    """What the plan must achieve: `service_level` of arrivals answered (or seen) within
    `target_seconds`, advisers busy at most `max_occupancy` of the time; `shrinkage` the share of
    paid time not available. Shares from 0 to 1."""

    service_level: float
    target_seconds: float
    max_occupancy: float
    shrinkage: float


@dataclass(frozen=True)
class WhatIf:
    """A share `shift_to_web` of telephone and face-to-face demand moved to the web, and the
    contacts for NI14 reason `reason` cut by the share `reason_reduction` (shares from 0 to 1)."""

    shift_to_web: float = 0.0
    reason: str | None = None
    reason_reduction: float = 0.0

    @property
    def active(self) -> bool:
        return bool(self.shift_to_web or (self.reason and self.reason_reduction))

    def kept(self, channel: str, reason_shares: dict[str, float]) -> float:
        """The share of a series' contacts that remain on its channel."""
        share = 1.0
        if self.reason:
            share -= self.reason_reduction * reason_shares.get(self.reason, 0.0)
        if channel in SHIFTABLE_CHANNELS:
            share *= 1 - self.shift_to_web
        return share

    def moved_to_web(self, channel: str, reason_shares: dict[str, float]) -> float:
        """The share of a series' contacts the what-if moves to the web."""
        if channel not in SHIFTABLE_CHANNELS:
            return 0.0
        share = 1.0
        if self.reason:
            share -= self.reason_reduction * reason_shares.get(self.reason, 0.0)
        return share * self.shift_to_web


NO_CHANGE = WhatIf()


@dataclass(frozen=True)
class HalfHour:
    starts_at: datetime
    contacts: float
    handling_seconds: float
    traffic: float
    advisers: int  # on the telephones or at the counters
    rostered: int  # with shrinkage
    service_level: float | None
    occupancy: float | None
    average_wait_seconds: float | None


@dataclass
class Plan:
    """Advisers per half hour for one channel: cells[(day, slot)], slot 0 being 00:00."""

    channel: str
    targets: Targets
    days: list[date] = field(default_factory=list)
    slots: list[int] = field(default_factory=list)
    cells: dict[tuple[date, int], HalfHour] = field(default_factory=dict)
    handling_assumed: bool = False

    @property
    def staff_hours(self) -> float:
        return sum(cell.rostered for cell in self.cells.values()) * HALF_HOUR_IN_HOURS

    @property
    def contacts(self) -> float:
        return sum(cell.contacts for cell in self.cells.values())

    def staff_hours_on(self, day: date) -> float:
        return sum(self.cells[day, slot].rostered for slot in self.slots if (day, slot) in self.cells
                   ) * HALF_HOUR_IN_HOURS

    @property
    def weeks(self) -> float:
        return len(self.days) / 7 if self.days else 0.0


def plan(series_days: list[SeriesDay], channel: str, targets: Targets, what_if: WhatIf = NO_CHANGE,
         days: list[date] | None = None) -> Plan:
    """The advisers `channel` needs in each half hour of `days` (every day of the forecast when
    None), from one or more services' forecasts."""
    arrivals: dict[tuple[date, int], float] = defaultdict(float)
    handled: dict[tuple[date, int], float] = defaultdict(float)
    unknown = ASSUMED_HANDLING_SECONDS.get(channel, 300.0)
    assumed = False
    seen_days = set()
    for item in series_days:
        if item.channel != channel:
            continue
        seen_days.add(item.forecast_date)
        kept = what_if.kept(channel, item.series.reason_shares)
        seconds = item.series.handling_time_seconds
        if seconds is None:
            seconds, assumed = unknown, True
        for slot, contacts in enumerate(item.contacts):
            if contacts:
                arrivals[item.forecast_date, slot] += contacts * kept
                handled[item.forecast_date, slot] += contacts * kept * seconds
    result = Plan(channel=channel, targets=targets, handling_assumed=assumed,
                  days=sorted(days if days is not None else seen_days))
    result.slots = sorted({slot for _, slot in arrivals}) if arrivals else []
    for day in result.days:
        for slot in result.slots:
            contacts = arrivals.get((day, slot), 0.0)
            seconds = handled[day, slot] / contacts if contacts else unknown
            result.cells[day, slot] = half_hour(day, slot, contacts, seconds, targets)
    return result


def half_hour(day: date, slot: int, contacts: float, handling_seconds: float, targets: Targets) -> HalfHour:
    starts_at = timezone.make_aware(datetime.combine(day, time(slot // 2, 30 * (slot % 2))))
    offered = erlang.traffic(contacts, handling_seconds)
    advisers = erlang.agents_needed(
        offered, handling_seconds, service_level_target=targets.service_level,
        target_seconds=targets.target_seconds, max_occupancy=targets.max_occupancy)
    if not advisers:
        return HalfHour(starts_at, contacts, handling_seconds, offered, 0, 0, None, None, None)
    return HalfHour(
        starts_at, contacts, handling_seconds, offered, advisers,
        erlang.with_shrinkage(advisers, targets.shrinkage),
        erlang.service_level(advisers, offered, handling_seconds, targets.target_seconds),
        offered / advisers, erlang.average_wait_seconds(advisers, offered, handling_seconds))


@dataclass(frozen=True)
class ChannelWeek:
    channel: str
    before: float
    after: float


@dataclass(frozen=True)
class WhatIfResult:
    """The what-if against the forecast, per week (the half-hour horizon's weeks)."""

    contacts: list[ChannelWeek]  # contacts a week per channel
    staff_hours: list[ChannelWeek]  # rostered hours a week, telephone and counters
    hour_cost: float

    @property
    def staff_hours_saved(self) -> float:
        return sum(row.before - row.after for row in self.staff_hours)

    @property
    def cost_saved(self) -> float:
        return self.staff_hours_saved * self.hour_cost


def what_if_result(totals: list[tuple[SeriesInfo, float]], plans: dict[str, tuple[Plan, Plan]],
                   what_if: WhatIf, hour_cost: float, weeks: float) -> WhatIfResult:
    """`plans`: {channel: (the forecast's plan, the what-if's plan)} for the staffed channels;
    `totals`: every series' contacts forecast over the same days."""
    before: dict[str, float] = defaultdict(float)
    after: dict[str, float] = defaultdict(float)
    for series, total in totals:
        before[series.channel] += total
        after[series.channel] += total * what_if.kept(series.channel, series.reason_shares)
        after[ChannelCode.WEB] += total * what_if.moved_to_web(series.channel, series.reason_shares)
    channels = [code for code in ChannelCode.values if code in before or code in after]
    contacts = [ChannelWeek(code, before[code] / weeks, after[code] / weeks) for code in channels]
    hours = [ChannelWeek(channel, now.staff_hours / weeks, then.staff_hours / weeks)
             for channel, (now, then) in plans.items()]
    return WhatIfResult(contacts=contacts, staff_hours=hours, hour_cost=hour_cost)
