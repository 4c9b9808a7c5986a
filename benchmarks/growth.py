"""How cost grows (issue 23): the `--growth` run's figures as a small Markdown table and a chart.

The chart is an SVG written here (no plotting library): each line is a cost at each size divided
by the same cost at the smallest size, on log-log axes, beside the two reference lines "flat"
(the cost does not grow) and "linear" (it grows as the contacts do). Written to bench-results/
as growth.md and growth.svg; the README shows a copy of the chart (docs/growth.svg).
"""

from __future__ import annotations

import math
from pathlib import Path

from benchmarks.harness import RESULTS_DIR, Figure

# (figure name, label in the table, how it is a cost: "time" or "rate" (inverted), label in the
# chart's legend)
LINES = [
    ("POST /api/v1/contacts/ rate", "API contact-create rate (its growth: of 1 / rate)", "rate",
     "API time per contact"),
    ("NI14 page, a year", "NI14 page, a year", "time", "NI14 page, a year"),
    ("both sweeps", "both sweeps, 1,000 due", "time", "sweeps, 1,000 due"),
    ("both sweeps, nothing due", "both sweeps, nothing due", "time", "sweeps, nothing due"),
]
COLOURS = ["#1d70b8", "#d4351c", "#00703c", "#f47738"]


def growth_table(figures: list[Figure]) -> tuple[list[int], dict[str, dict[int, Figure]]]:
    sizes = sorted({f.extra["size"] for f in figures if f.section == "growth" and "size" in f.extra})
    table: dict[str, dict[int, Figure]] = {}
    for f in figures:
        if f.section == "growth" and "size" in f.extra:
            table.setdefault(f.name, {})[f.extra["size"]] = f
    return sizes, table


def markdown(sizes: list[int], table: dict[str, dict[int, Figure]]) -> str:
    head = "| figure | " + " | ".join(f"{s / 1e6:g} million" for s in sizes) + " | growth |"
    lines = [head, "|---" * (len(sizes) + 2) + "|"]
    for name, label, _, _ in LINES:
        row = table.get(name, {})
        cells = [f"{row[s].value:,.1f} {row[s].unit}" if s in row else "-" for s in sizes]
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {_shape(sizes, row, name)} |")
    return "\n".join(lines)


def _cost(figure: Figure, kind: str) -> float:
    return 1 / figure.value if kind == "rate" else figure.value


def _shape(sizes, row, name) -> str:
    """The exponent k of cost ~ size^k between the smallest and largest sizes (0 flat, 1 linear)."""
    kind = next(k for n, _, k, _ in LINES if n == name)
    known = [s for s in sizes if s in row and row[s].value > 0]
    if len(known) < 2:
        return "-"
    first, last = known[0], known[-1]
    k = math.log(_cost(row[last], kind) / _cost(row[first], kind)) / math.log(last / first)
    word = "flat" if k < 0.15 else "sub-linear" if k < 0.75 else "linear" if k < 1.25 else "super-linear"
    return f"size^{k:.2f} ({word})"


def svg(sizes: list[int], table: dict[str, dict[int, Figure]]) -> str:
    width, height, left, right, top, bottom = 640, 370, 60, 190, 30, 50
    plot_w, plot_h = width - left - right, height - top - bottom
    x0, x1 = math.log10(sizes[0]), math.log10(sizes[-1]) if sizes[-1] > sizes[0] else math.log10(sizes[0]) + 1
    series = []
    for (name, _, kind, label), colour in zip(LINES, COLOURS, strict=True):
        row = table.get(name, {})
        known = [s for s in sizes if s in row and row[s].value > 0]
        if known:
            base = _cost(row[known[0]], kind)
            series.append((label, colour, [(s, _cost(row[s], kind) / base) for s in known]))
    ratios = [r for _, _, points in series for _, r in points] + [1, sizes[-1] / sizes[0]]
    y0 = math.log10(min(ratios + [0.5]))
    y1 = math.log10(max(ratios + [2]))

    def x(size):
        return left + (math.log10(size) - x0) / (x1 - x0) * plot_w

    def y(ratio):
        return top + plot_h - (math.log10(ratio) - y0) / (y1 - y0) * plot_h

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="Arial, sans-serif" font-size="12" role="img" '
           'aria-label="Cost at each number of contacts, relative to the smallest">',
           f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
           f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
           'stroke="#0b0c0c"/>',
           f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#0b0c0c"/>']
    for size in sizes:
        out.append(f'<text x="{x(size):.1f}" y="{top + plot_h + 16}" text-anchor="middle">'
                   f'{size / 1e6:g}M</text>')
    out.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 12}" text-anchor="middle">contacts</text>')
    out.append(f'<text x="{left - 6}" y="{top - 6}" text-anchor="start">cost against the cost at '
               f'{sizes[0] / 1e6:g}M (log scale)</text>')
    for power in range(math.floor(y0), math.ceil(y1) + 1):
        for mantissa in (1, 3):
            ratio = mantissa * 10 ** power
            if y0 <= math.log10(ratio) <= y1:
                out.append(f'<text x="{left - 6}" y="{y(ratio) + 4:.1f}" text-anchor="end">{ratio:g}x</text>')
                out.append(f'<line x1="{left}" y1="{y(ratio):.1f}" x2="{left + plot_w}" y2="{y(ratio):.1f}" '
                           'stroke="#b1b4b6" stroke-dasharray="2,3"/>')
    references = [("flat", "#505a5f", [(sizes[0], 1), (sizes[-1], 1)]),
                  ("linear", "#505a5f", [(sizes[0], 1), (sizes[-1], sizes[-1] / sizes[0])])]
    legend_y = top + 10
    for label, colour, points in series + references:
        dashed = {"flat": ' stroke-dasharray="6,4"', "linear": ' stroke-dasharray="2,3"'}.get(label, "")
        path = " ".join(f"{x(s):.1f},{y(r):.1f}" for s, r in points)
        out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dashed}/>')
        for s, r in points if not dashed else []:
            out.append(f'<circle cx="{x(s):.1f}" cy="{y(r):.1f}" r="3" fill="{colour}"/>')
        out.append(f'<line x1="{left + plot_w + 12}" y1="{legend_y}" x2="{left + plot_w + 36}" '
                   f'y2="{legend_y}" stroke="{colour}" stroke-width="2"{dashed}/>')
        out.append(f'<text x="{left + plot_w + 42}" y="{legend_y + 4}">{label}</text>')
        legend_y += 20
    out.append("</svg>")
    return "\n".join(out)


def write_growth(figures: list[Figure]) -> list[Path]:
    sizes, table = growth_table(figures)
    if not sizes:
        return []
    RESULTS_DIR.mkdir(exist_ok=True)
    md, chart = RESULTS_DIR / "growth.md", RESULTS_DIR / "growth.svg"
    md.write_text(markdown(sizes, table) + "\n")
    chart.write_text(svg(sizes, table) + "\n")
    return [md, chart]


def main(argv: list[str]) -> int:
    """python -m benchmarks.growth [RESULTS.json]: the table and chart again from a run's JSON
    (default bench-results/latest.json), e.g. after changing how they are drawn."""
    import json
    from dataclasses import fields

    path = Path(argv[0]) if argv else RESULTS_DIR / "latest.json"
    known = {f.name for f in fields(Figure)}
    figures = [Figure(**{k: v for k, v in f.items() if k in known})
               for f in json.loads(path.read_text())["figures"]]
    for written in write_growth(figures):
        print(f"written {written}")
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
