"""python -m benchmarks [--quick] [--only SECTION ...]: see benchmarks/__init__.py."""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time

from benchmarks.harness import child_env, fresh_database, manage, print_table, write_json

SECTIONS = ["api-write"]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--quick", action="store_true", help="small volumes, for a smoke run")
    parser.add_argument("--only", nargs="*", choices=SECTIONS, default=SECTIONS)
    parser.add_argument("--database", default="nwd_bench")
    args = parser.parse_args()

    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url.startswith(("postgres://", "postgresql://")):
        print("make bench needs DATABASE_URL=postgres://... (and REDIS_URL): figures on SQLite "
              "would not mean anything.", file=sys.stderr)
        return 2
    started = time.time()
    database_url = fresh_database(base_url, args.database)
    env = child_env(database_url)
    manage("migrate", "--noinput", env=env)
    manage("seed_demo", "--days", "0", env=env)

    figures = []
    if "api-write" in args.only:
        from benchmarks import api_write

        figures += api_write.run(database_url, requests=400 if args.quick else 4000)

    meta = {
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
        "seconds": round(time.time() - started, 1),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "quick": args.quick,
    }
    print_table(figures)
    path = write_json(figures, meta)
    print(f"\nwritten {path} in {meta['seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
