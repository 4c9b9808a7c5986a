"""Shared pieces of the benchmarks: the bench database, timing, the result table."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench-results"


@dataclass
class Figure:
    section: str
    name: str
    value: float
    unit: str
    baseline: float | None = None
    baseline_name: str = ""
    target: str = ""
    met: bool | None = None
    notes: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.baseline in (None, 0):
            return None
        return self.value / self.baseline


def percentile(samples: list[float], pct: float) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def median(samples: list[float]) -> float:
    return statistics.median(samples) if samples else float("nan")


def bench_database_url(base_url: str, name: str) -> str:
    parts = urlsplit(base_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def psql_admin(base_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(bench_database_url(base_url, "postgres"), autocommit=True) as conn:
        conn.execute(sql)


def fresh_database(base_url: str, name: str) -> str:
    """Drop and create the bench database; returns its URL."""
    psql_admin(base_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql_admin(base_url, f'CREATE DATABASE "{name}"')
    return bench_database_url(base_url, name)


def manage(*args: str, env: dict, check: bool = True, capture: bool = True):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=check,
        capture_output=capture, text=True,
    )


def child_env(database_url: str, **extra: str) -> dict:
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": database_url,
        "SECURE_HTTPS": "false",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "AXES_ENABLED": "false",
        "API_RATE_PER_KEY": "1000000/min",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "EMAIL_URL": "dummymail://",
    })
    env.update(extra)
    return env


def peak_rss_mb(pid: int) -> float | None:
    """VmHWM of a live process (its peak resident set), in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class Timer:
    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start


def print_table(figures: list[Figure]) -> None:
    header = f"{'section':<12} {'figure':<44} {'value':>12} {'baseline':>12} {'ratio':>8}  target"
    print(header)
    print("-" * len(header))
    for f in figures:
        baseline = _number(f.baseline) if f.baseline is not None else "-"
        ratio = f"{f.ratio:.3f}" if f.ratio is not None else "-"
        status = "" if f.met is None else (" ok" if f.met else " NOT MET")
        print(f"{f.section:<12} {f.name + ' (' + f.unit + ')':<44} {_number(f.value):>12} {baseline:>12} "
              f"{ratio:>8}  {f.target}{status}")
        if f.baseline_name:
            print(f"{'':<12}   baseline: {f.baseline_name}")
        if f.notes:
            print(f"{'':<12}   {f.notes}")


def _number(value: float) -> str:
    """One decimal place, or three below 1 (an error ratio such as MASE)."""
    return f"{value:,.1f}" if abs(value) >= 1 or value == 0 else f"{value:.3f}"


def write_json(figures: list[Figure], meta: dict) -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"bench-{time.strftime('%Y%m%d-%H%M%S')}.json"
    payload = {"meta": meta, "figures": [asdict(f) | {"ratio": f.ratio} for f in figures]}
    path.write_text(json.dumps(payload, indent=2, default=str))
    (RESULTS_DIR / "latest.json").write_text(path.read_text())
    return path
