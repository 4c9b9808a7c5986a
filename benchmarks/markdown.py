"""python -m benchmarks.markdown [bench-results/FILE.json]: a run's table in Markdown (README, notes)."""

from __future__ import annotations

import json
import sys

from benchmarks.harness import RESULTS_DIR


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.1f}" if abs(value) >= 1 or value == 0 else f"{value:.3f}"


def markdown(payload: dict) -> str:
    lines = ["| section | figure | value | baseline (same run) | ratio | target |",
             "| --- | --- | ---: | --- | ---: | --- |"]
    for f in payload["figures"]:
        baseline = "-" if f["baseline"] is None else f"{_number(f['baseline'])} ({f['baseline_name']})"
        ratio = "-" if f["ratio"] is None else f"{f['ratio']:.3f}"
        met = "" if f["met"] is None else (" ok" if f["met"] else " **not met**")
        notes = f"<br>{f['notes']}" if f["notes"] else ""
        value = f"{_number(f['value'])} {f['unit']}"
        cells = [f["section"], f["name"] + notes, value, baseline, ratio, f["target"] + met]
        lines.append("| " + " | ".join(cells) + " |")
    meta = payload["meta"]
    lines.append("")
    lines.append(f"Run of {meta['started_at']}, {meta['seconds']:.0f} s, {meta['cpus']} CPUs, Python "
                 f"{meta['python']}{', quick' if meta.get('quick') else ''}.")
    return "\n".join(lines)


def main() -> int:
    path = sys.argv[1] if len(sys.argv) > 1 else RESULTS_DIR / "latest.json"
    with open(path) as source:
        print(markdown(json.load(source)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
