"""python -m benchmarks [--quick] [--only SECTION ...]: see benchmarks/__init__.py."""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

import psycopg

from benchmarks.harness import ROOT, Figure, Timer, child_env, fresh_database, manage, print_table, write_json

SECTIONS = ["api-write", "import", "retention", "dashboards", "adviser", "sweeps", "planning", "worklists",
            "updates"]
# (contacts in all, customers, open hand-offs, open complaints, of which due, days of history,
# services: the catalogue is topped up to 30 for the planning forecast, issue 22)
FULL = {"contacts": 10_000_000, "customers": 1_000_000, "handoffs": 1_000_000, "complaints": 200_000,
        "due": 1000, "days": 1826, "import": 1_000_000, "requests": 4000, "services": 30,
        "retention": 1_000_000}
# The default run (a few minutes); FULL with --full (BENCH_ARGS=--full), as issue 9 measured it.
DEFAULT = {"contacts": 1_000_000, "customers": 100_000, "handoffs": 100_000, "complaints": 20_000,
           "due": 1000, "days": 1826, "import": 100_000, "requests": 2000, "services": 30,
           "retention": 100_000}
QUICK = {"contacts": 200_000, "customers": 20_000, "handoffs": 20_000, "complaints": 4_000,
         "due": 100, "days": 1100, "import": 20_000, "requests": 400, "services": 30,
         "retention": 20_000}


def _generate(database_url: str, env: dict, volumes: dict) -> list[Figure]:
    """Top the contacts up to volumes["contacts"] with generate_data (and the rest)."""
    with psycopg.connect(database_url) as conn:
        existing = conn.execute("SELECT COUNT(*) FROM contacts_contact").fetchone()[0]
    contacts = max(volumes["contacts"] - existing, volumes["handoffs"])
    with Timer() as timer:
        out = manage("generate_data", "--contacts", str(contacts), "--customers", str(volumes["customers"]),
                     "--handoffs", str(volumes["handoffs"]), "--complaints", str(volumes["complaints"]),
                     "--due", str(volumes["due"]), "--days", str(volumes["days"]), "--seed", "1",
                     "--services", str(volumes["services"]), env=env).stdout
    print(out.strip())
    return [Figure("data", "generate_data", timer.seconds, "s",
                   notes=f"{contacts:,} contacts on top of {existing:,}, {volumes['customers']:,} "
                         f"customers, {volumes['handoffs']:,} open hand-offs, {volumes['complaints']:,} "
                         f"open complaints, {volumes['due']:,} due")]


def _django_side(section: str, env: dict) -> list[Figure]:
    with tempfile.NamedTemporaryFile(suffix=".json") as result:
        subprocess.run([sys.executable, "-m", "benchmarks.django_side", section, result.name],
                       cwd=ROOT, env=env, check=True)
        with open(result.name) as source:
            return [Figure(**figure) for figure in json.load(source)]


def _growth(database_url: str, env: dict, size: int, volumes: dict) -> list[Figure]:
    """One size of the growth table: the API write rate (ours alone), the NI14 page, the sweeps."""
    from benchmarks import api_write

    figures = [f for f in api_write.run(database_url, requests=volumes["requests"], peer=False, pooled=False)
               if f.name in ("POST /api/v1/contacts/ rate", "POST /api/v1/contacts/ p95")]
    figures += _django_side("growth", env)
    for figure in figures:
        figure.section = "growth"
        figure.extra = {**figure.extra, "size": size}
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--quick", action="store_true", help="small volumes, for a smoke run")
    parser.add_argument("--full", action="store_true",
                        help="10 million contacts, 1 million customers and open hand-offs (issue 9)")
    parser.add_argument("--growth", nargs="*", type=int, metavar="CONTACTS",
                        help="how cost grows: API rate, NI14 page and sweeps at each of these numbers "
                             "of contacts (e.g. 1000000 3000000 10000000), one database topped up")
    parser.add_argument("--only", nargs="*", choices=SECTIONS, default=SECTIONS)
    parser.add_argument("--database", default="nwd_bench")
    parser.add_argument("--set", nargs="*", default=[], metavar="NAME=N",
                        help=f"override a volume ({', '.join(FULL)})")
    args = parser.parse_args()

    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url.startswith(("postgres://", "postgresql://")):
        print("make bench needs DATABASE_URL=postgres://... (and REDIS_URL): figures on SQLite "
              "would not mean anything.", file=sys.stderr)
        return 2
    volumes = dict(QUICK if args.quick else FULL if args.full else DEFAULT)
    for item in args.set:
        name, _, value = item.partition("=")
        if name not in volumes or not value.isdigit():
            parser.error(f"--set {item}: expected NAME=N with NAME one of {', '.join(volumes)}")
        volumes[name] = int(value)
    started = time.time()
    database_url = fresh_database(base_url, args.database)
    env = child_env(database_url)
    manage("migrate", "--noinput", env=env)
    manage("seed_demo", "--days", "0", env=env)

    figures: list[Figure] = []

    def section(name: str, step) -> None:
        began = time.time()
        print(f"[{time.strftime('%H:%M:%S')}] {name} ...", flush=True)
        try:
            figures.extend(step())
        except (subprocess.CalledProcessError, RuntimeError, psycopg.Error) as error:
            figures.append(Figure(name, "section failed", 0, "-", met=False, notes=str(error)[:300]))
        print(f"[{time.strftime('%H:%M:%S')}] {name} done in {time.time() - began:.0f} s", flush=True)

    if args.growth:
        for size in sorted(args.growth):
            scaled = {**volumes, "contacts": size, "customers": max(size // 10, 1000),
                      "handoffs": max(size // 10, 1000), "complaints": max(size // 50, 200)}
            section(f"generate_data {size:,}", lambda scaled=scaled: _generate(database_url, env, scaled))
            section(f"growth {size:,}", lambda size=size: _growth(database_url, env, size, volumes))
        args.only = []
    if "api-write" in args.only:
        from benchmarks import api_write

        section("api-write", lambda: api_write.run(database_url, requests=volumes["requests"]))
    if "import" in args.only:
        from benchmarks import import_bench

        section("import", lambda: import_bench.run(database_url, rows=volumes["import"]))
    if "retention" in args.only:
        from benchmarks import retention_bench

        # Its own aged contacts, in a database with no other contacts yet (before generate_data).
        section("retention", lambda: retention_bench.run(database_url, contacts=volumes["retention"]))
    later = [name for name in ("dashboards", "adviser", "sweeps", "planning", "worklists", "updates")
             if name in args.only]
    if later:
        section("generate_data", lambda: _generate(database_url, env, volumes))
        for name in later:
            section(name, lambda name=name: _django_side(name, env))

    meta = {
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
        "seconds": round(time.time() - started, 1),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "quick": args.quick,
        "volumes": volumes,
    }
    print()
    print_table(figures)
    path = write_json(figures, meta)
    print(f"\nwritten {path} in {meta['seconds']} s")
    if args.growth:
        from benchmarks.growth import write_growth

        for written in write_growth(figures):
            print(f"written {written}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
