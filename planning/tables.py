"""The planning page's tables as plain data: shown as HTML (the staffing ones as heat maps), drawn as
a chart and exported as CSV (reporting.tables' Table, Cell and csv_response)."""

from dataclasses import dataclass, field
from datetime import date

from core.models import ChannelCode
from planning.staffing import ASSUMED_HANDLING_SECONDS, Plan, WhatIf, WhatIfResult
from reporting.tables import Cell, Table

CHANNEL_LABELS = dict(ChannelCode.choices)
BANDS = 5  # heat-map shades, lightest (fewest advisers) to darkest


def _number(value: float, places: int = 0) -> str:
    return f"{value:,.{places}f}"


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}%"


def _ratio(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def daily_table(rows: list[tuple[date, str, float]]) -> tuple[Table, dict]:
    """Contacts a day per channel (and all channels), and the line chart of the same figures."""
    channels = [code for code in ChannelCode.values if any(channel == code for _, channel, _ in rows)]
    by_day: dict[date, dict[str, int]] = {}
    for day, channel, contacts in rows:  # whole contacts, the same in the table and the chart
        by_day.setdefault(day, {})[channel] = round(contacts)
    table = Table("daily", "Contacts forecast by day",
                  ["Day", *[CHANNEL_LABELS[c] for c in channels], "All channels"])
    for day, values in sorted(by_day.items()):
        table.rows.append([Cell(f"{day:%a} {day.day} {day:%b %Y}"),
                           *[Cell(_number(values.get(c, 0)), numeric=True) for c in channels],
                           Cell(_number(sum(values.values())), numeric=True)])
    chart = {"id": "chart-daily", "type": "line", "table": "daily",
             "labels": [f"{day.day} {day:%b}" for day in sorted(by_day)],
             "datasets": [{"label": CHANNEL_LABELS[c], "data": [by_day[d].get(c, 0) for d in sorted(by_day)]}
                          for c in channels]}
    return table, chart


def backtest_table(rows: list[dict]) -> Table:
    table = Table("backtest", "Forecast error on the held-back weeks, against “same day last week”",
                  ["Channel", "Contacts in those weeks", "Forecast MAPE", "Same day last week MAPE",
                   "Forecast MASE", "Same day last week MASE", "Forecast beats same day last week"])
    for row in rows:
        table.rows.append([
            Cell(CHANNEL_LABELS.get(row["channel"], row["channel"])),
            Cell(_number(row["contacts"]), numeric=True),
            Cell(_percent(row["mape"]), numeric=True), Cell(_percent(row["naive_mape"]), numeric=True),
            Cell(_ratio(row["mase"]), numeric=True), Cell(_ratio(row["naive_mase"]), numeric=True),
            Cell(beats(row)),
        ])
    return table


def beats(row: dict) -> str:
    """Whether the forecast did better than "same day last week" on the held-back weeks (on MASE,
    which counts the days with no contacts too)."""
    if row["mase"] is None or row["naive_mase"] is None:
        return "Not enough history"
    return "Yes" if row["mase"] < row["naive_mase"] else "No"


@dataclass
class HeatCell:
    text: str
    band: int  # 0 (fewest) .. BANDS - 1 (most)


@dataclass
class HeatMap:
    """Advisers to roster per half hour (rows) and day (columns), each cell shaded by its band as
    well as showing its number, and each day's staff hours."""

    name: str
    caption: str
    days: list[str]
    rows: list[tuple[str, list[HeatCell]]] = field(default_factory=list)
    totals: list[str] = field(default_factory=list)
    highest: int = 0

    def table(self) -> Table:
        """The same figures as a plain table, for CSV."""
        table = Table(self.name, self.caption, ["Half hour", *self.days])
        for label, cells in self.rows:
            table.rows.append([Cell(label), *[Cell(cell.text, numeric=True) for cell in cells]])
        table.rows.append([Cell("Staff hours"), *[Cell(total, numeric=True) for total in self.totals]])
        return table

    @property
    def legend(self) -> list[tuple[int, str]]:
        """(band, the adviser numbers it shades) for the key under the table."""
        out, low = [], 0
        for band in range(BANDS):
            high = _band_top(band, self.highest)
            if high < low:
                continue  # no number of advisers falls in this band
            numbers = f"{low}" if high == low else f"{low} to {high}"
            out.append((band, f"{numbers} adviser{'' if numbers == '1' else 's'}"))
            low = high + 1
        return out


def _band(value: int, highest: int) -> int:
    if value <= 0 or highest <= 0:
        return 0
    return min(BANDS - 1, 1 + (value - 1) * (BANDS - 1) // highest)


def _band_top(band: int, highest: int) -> int:
    """The largest number of advisers shaded as `band`."""
    if band == 0:
        return 0
    return max((v for v in range(1, highest + 1) if _band(v, highest) == band), default=-1)


def _slot_label(slot: int) -> str:
    return f"{slot // 2:02d}:{30 * (slot % 2):02d}"


def heat_map(plan: Plan, name: str, caption: str, highest: int | None = None) -> HeatMap:
    """`highest`: shade against this many advisers (the forecast's, so that the what-if's map
    reads on the same scale)."""
    top = highest if highest is not None else max((c.rostered for c in plan.cells.values()), default=0)
    result = HeatMap(name=name, caption=caption, days=[f"{d:%a} {d.day} {d:%b}" for d in plan.days],
                     highest=top)
    for slot in plan.slots:
        cells = []
        for day in plan.days:
            rostered = plan.cells[day, slot].rostered
            cells.append(HeatCell(str(rostered), _band(rostered, top)))
        ends = _slot_label(slot + 1) if slot < 47 else "24:00"
        result.rows.append((f"{_slot_label(slot)} to {ends}", cells))
    result.totals = [_number(plan.staff_hours_on(day), 1) for day in plan.days]
    return result


def what_if_tables(result: WhatIfResult) -> tuple[Table, Table]:
    contacts = Table("what_if_contacts", "Contacts a week, forecast and what-if",
                     ["Channel", "Forecast", "What-if", "Change"])
    for row in result.contacts:
        contacts.rows.append([Cell(CHANNEL_LABELS[row.channel]), Cell(_number(row.before), numeric=True),
                              Cell(_number(row.after), numeric=True),
                              Cell(_signed(row.after - row.before), numeric=True)])
    before = sum(row.before for row in result.contacts)
    after = sum(row.after for row in result.contacts)
    contacts.rows.append([Cell("All channels"), Cell(_number(before), numeric=True),
                          Cell(_number(after), numeric=True), Cell(_signed(after - before), numeric=True)])
    hours = Table("what_if_staff", "Staff hours a week (advisers rostered), forecast and what-if",
                  ["Channel", "Forecast", "What-if", "Saved", "Cost saved"])
    for row in result.staff_hours:
        saved = row.before - row.after
        hours.rows.append([Cell(CHANNEL_LABELS[row.channel]), Cell(_number(row.before, 1), numeric=True),
                           Cell(_number(row.after, 1), numeric=True), Cell(_number(saved, 1), numeric=True),
                           Cell(f"£{saved * result.hour_cost:,.2f}", numeric=True)])
    hours.rows.append([Cell("Telephone and counters"),
                       Cell(_number(sum(r.before for r in result.staff_hours), 1), numeric=True),
                       Cell(_number(sum(r.after for r in result.staff_hours), 1), numeric=True),
                       Cell(_number(result.staff_hours_saved, 1), numeric=True),
                       Cell(f"£{result.cost_saved:,.2f}", numeric=True)])
    return contacts, hours


def _signed(value: float) -> str:
    """A change in words, not with a leading sign (a spreadsheet would read "-12" as a formula)."""
    if round(value) == 0:
        return "no change"
    return f"{_number(abs(value))} {'more' if value > 0 else 'fewer'}"


def staffing_summary(channel: str, plan: Plan, handling: float | None, recorded: int, since: date) -> str:
    """The targets and handling time a staffing heat map rests on, in words."""
    targets = plan.targets
    if channel == ChannelCode.TELEPHONE:
        aim = f"answer {targets.service_level:.0%} of calls within {targets.target_seconds:.0f} seconds"
    else:
        aim = f"see {targets.service_level:.0%} of visitors within {targets.target_seconds / 60:.0f} minutes"
    text = (f"Advisers to roster to {aim} (Erlang C), with each busy at most {targets.max_occupancy:.0%} "
            f"of the time and {targets.shrinkage:.0%} shrinkage: {plan.staff_hours:,.1f} staff hours in "
            f"the next 2 weeks. ")
    if handling is not None:
        minutes, seconds = divmod(round(handling), 60)
        return text + (f"The average handling time is {minutes} min {seconds:02d} s, from {recorded:,} "
                       f"contacts recorded since {since.day} {since:%B %Y}.")
    return text + ("No handling times have been recorded, so one of "
                   f"{round(ASSUMED_HANDLING_SECONDS.get(channel, 300) / 60)} minutes is assumed.")


def what_if_summary(what_if: WhatIf, reason_name: str, result: WhatIfResult) -> dict[str, str]:
    """What the what-if changes, in words to begin a sentence, and what it saves (rounded as in
    the staff-hours table)."""
    parts = []
    if what_if.shift_to_web:
        parts.append(f"moving {what_if.shift_to_web:.0%} of telephone and face-to-face contacts to the web")
    if what_if.reason and what_if.reason_reduction:
        parts.append(f"cutting the “{reason_name}” contacts by {what_if.reason_reduction:.0%}")
    text = " and ".join(parts)
    return {"change": text[:1].upper() + text[1:], "hours": _number(result.staff_hours_saved, 1),
            "cost": f"£{result.cost_saved:,.2f}", "hour_cost": f"£{result.hour_cost:,.2f}"}
