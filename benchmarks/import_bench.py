"""Bulk import: `manage.py import_contacts` of N rows (every row validated, bad rows reported)
against a raw COPY of the same good rows; the import's peak RSS at N rows and at N/10 (flat).
Then `manage.py import_gazetteer` of an address extract of N rows against a raw COPY of the same
good rows into the gazetteer table (issue 20: "at COPY-like speed")."""

from __future__ import annotations

import random
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg

from benchmarks.harness import ROOT, Figure, Timer, child_env, peak_rss_mb

LONDON = ZoneInfo("Europe/London")
BAD_EVERY = 1000  # one row in a thousand names an unknown service: it must be rejected
# The columns intake.importer COPYs, in its order.
COPY_COLUMNS = (
    "channel", "direction", "service_id", "enquiry_type_id", "customer_id", "received_at",
    "received_date", "site_id", "handled_by_id", "summary", "resolved_at_first_contact", "avoidable",
    "avoidable_reason_id", "handoff_method", "handoff_override_reason", "source", "external_ref",
    "sampling_period_id", "repeat_of_id", "enquiry_closed_at", "created_at", "created_by_id",
)
CHANNELS = ["telephone"] * 45 + ["face_to_face"] * 20 + ["web"] * 15 + ["email"] * 10 + ["letter"] * 4


def _catalogue(database_url: str) -> dict:
    with psycopg.connect(database_url) as conn:
        types = conn.execute(
            "SELECT s.code, s.id, e.code, e.id, e.handoff_method FROM core_enquirytype e "
            "JOIN core_service s ON s.id = e.service_id WHERE e.is_active AND s.is_active "
            "AND e.handoff_method = 'one_and_done' ORDER BY s.code, e.code").fetchall()
        reasons = conn.execute("SELECT code, id FROM core_avoidablereason ORDER BY code").fetchall()
        sites = dict(conn.execute("SELECT code, id FROM core_site").fetchall())
    return {"types": types, "reasons": reasons, "sites": sites}


def write_files(database_url: str, rows: int, folder: Path, seed: int = 9) -> tuple[Path, Path, int]:
    """A CSV for import_contacts and the same good rows in COPY text format; returns the paths and
    the number of bad rows."""
    catalogue = _catalogue(database_url)
    rng = random.Random(seed)  # nosec B311 - benchmark data
    csv_path, copy_path = folder / f"import-{rows}.csv", folder / f"import-{rows}.copy"
    now = datetime.now(UTC)
    site_for = {"telephone": "call-centre", "web": "online", "face_to_face": "town-hall-csc"}
    bad = 0
    with csv_path.open("w", encoding="utf-8") as csv_file, copy_path.open("w", encoding="utf-8") as copy_file:
        csv_file.write("received_at,channel,service,enquiry_type,summary,avoidable,avoidable_reason,"
                       "site,external_ref\n")
        for i in range(rows):
            service_code, service_id, type_code, type_id, method = rng.choice(catalogue["types"])
            channel = rng.choice(CHANNELS)
            at = now - timedelta(days=rng.randint(1, 365), seconds=rng.randint(0, 36000))
            at = at.replace(microsecond=0)
            avoidable = rng.random() < 0.27
            reason_code, reason_id = rng.choice(catalogue["reasons"]) if avoidable else ("", None)
            site_code = site_for.get(channel, "")
            summary = f"Legacy CRM case {i}: asked about {type_code.replace('-', ' ')}"
            if i % BAD_EVERY == BAD_EVERY - 1:
                service_code = "no-such-service"
                bad += 1
            csv_file.write(f"{at.isoformat()},{channel},{service_code},{type_code},{summary},"
                           f"{'yes' if avoidable else 'no'},{reason_code},{site_code},LEGACY-{i}\n")
            if service_code == "no-such-service":
                continue
            fields = [channel, "inbound", service_id, type_id, None, at.isoformat(),
                      at.astimezone(LONDON).date().isoformat(), catalogue["sites"].get(site_code),
                      None, summary, "t", "t" if avoidable else "f", reason_id, method, "", "import",
                      f"LEGACY-{i}", None, None, at.isoformat(), now.isoformat(), None]
            copy_file.write("\t".join(r"\N" if v is None else str(v) for v in fields) + "\n")
    return csv_path, copy_path, bad


def _import(csv_path: Path, env: dict) -> tuple[float, float, str]:
    """Seconds, peak RSS (MB) and output of `manage.py import_contacts`."""
    peak = [0.0]
    with Timer() as timer:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "import_contacts", str(csv_path), "--no-progress"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

        def watch():
            while process.poll() is None:
                peak[0] = max(peak[0], peak_rss_mb(process.pid) or 0)
                time.sleep(0.1)

        watcher = threading.Thread(target=watch)
        watcher.start()
        out, err = process.communicate()
        watcher.join()
    if process.returncode:
        raise RuntimeError(f"import_contacts failed: {err[-2000:]}")
    return timer.seconds, peak[0], out + err


def _raw_copy(database_url: str, copy_path: Path) -> float:
    with psycopg.connect(database_url) as conn, Timer() as timer:
        with conn.cursor() as cur, cur.copy(
                f"COPY contacts_contact ({', '.join(COPY_COLUMNS)}) FROM STDIN") as copy, \
                copy_path.open("rb") as source:
            while chunk := source.read(1 << 20):
                copy.write(chunk)
        conn.commit()
    return timer.seconds


GAZETTEER_COLUMNS = ("uprn", "address_line_1", "address_line_2", "town", "postcode", "latitude", "longitude")
STREETS = ["High Street", "Mill Lane", "Oak Street", "Church Road", "Station Road", "Park Avenue",
           "Market Place", "Victoria Road", "Stamford Street", "Old Street"]
TOWNS = ["Ashton-under-Lyne", "Denton", "Droylsden", "Dukinfield", "Hyde", "Mossley", "Stalybridge"]


def write_gazetteer_files(rows: int, folder: Path, seed: int = 11) -> tuple[Path, Path, int]:
    """An LLPG-style extract (AddressBase column names, one bad postcode in a thousand) and the
    same good rows, normalised as the load stores them, in COPY text format."""
    rng = random.Random(seed)  # nosec B311 - benchmark data
    csv_path, copy_path = folder / f"gazetteer-{rows}.csv", folder / f"gazetteer-{rows}.copy"
    bad = 0
    with csv_path.open("w", encoding="utf-8") as csv_file, copy_path.open("w", encoding="utf-8") as copy_file:
        csv_file.write("UPRN,ADDRESS_LINE_1,ADDRESS_LINE_2,POST_TOWN,POSTCODE_LOCATOR,LATITUDE,LONGITUDE\n")
        for i in range(rows):
            uprn = str(100_000_000_000 + i)
            line_1 = f"{1 + i % 300} {rng.choice(STREETS)}"
            town = rng.choice(TOWNS)
            postcode = f"OL{1 + i % 16} {i % 10}{chr(65 + i % 26)}{chr(65 + (i // 26) % 26)}"
            lat, long = f"{53.40 + rng.random() * 0.15:.6f}", f"{-2.20 + rng.random() * 0.2:.6f}"
            if i % BAD_EVERY == BAD_EVERY - 1:
                csv_file.write(f"{uprn},{line_1},,{town},NOT A POSTCODE,{lat},{long}\n")
                bad += 1
                continue
            csv_file.write(f"{uprn},{line_1},,{town},{postcode},{lat},{long}\n")
            copy_file.write("\t".join((uprn, line_1, "", town, postcode, lat, long)) + "\n")
    return csv_path, copy_path, bad


def _gazetteer(database_url: str, rows: int, env: dict) -> list[Figure]:
    table = "contacts_gazetteeraddress"
    with tempfile.TemporaryDirectory(prefix="nwd-bench-gazetteer-") as folder:
        csv_path, copy_path, bad = write_gazetteer_files(rows, Path(folder))
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute(f"TRUNCATE {table}")
        with Timer() as timer:
            done = subprocess.run(
                [sys.executable, "manage.py", "import_gazetteer", str(csv_path), "--no-progress"],
                cwd=ROOT, env=env, capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"import_gazetteer failed: {done.stderr[-2000:]}")
        with psycopg.connect(database_url) as conn:
            loaded = conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # nosec B608
            conn.execute(f"TRUNCATE {table}")
            with Timer() as raw, conn.cursor() as cur, cur.copy(
                    f"COPY {table} ({', '.join(GAZETTEER_COLUMNS)}) FROM STDIN") as copy, \
                    copy_path.open("rb") as source:
                while chunk := source.read(1 << 20):
                    copy.write(chunk)
            conn.commit()
    good = rows - bad
    rate, raw_rate = good / timer.seconds, good / raw.seconds
    output = done.stdout + done.stderr
    reported = loaded == good and f"rejected {bad} rows" in output
    return [
        Figure("import", f"import_gazetteer {rows:,} rows rate", rate, "rows/s", raw_rate,
               "raw COPY of the same good rows (rows/s)", ">= 50% of raw COPY", rate >= 0.5 * raw_rate,
               notes=f"{timer.seconds:.1f} s vs {raw.seconds:.1f} s; every row checked, a reload updates"),
        Figure("import", "gazetteer bad rows reported", bad if reported else 0, "rows", bad,
               "bad rows in the file", "all", reported,
               notes="" if reported else f"{loaded:,} loaded; output: {output[-300:]}"),
    ]


def run(database_url: str, rows: int) -> list[Figure]:
    env = child_env(database_url)
    with tempfile.TemporaryDirectory(prefix="nwd-bench-import-") as folder:
        small_csv, _, _ = write_files(database_url, max(rows // 10, 1000), Path(folder), seed=8)
        csv_path, copy_path, bad = write_files(database_url, rows, Path(folder))
        _, small_rss, _ = _import(small_csv, env)
        seconds, rss, output = _import(csv_path, env)
        raw_seconds = _raw_copy(database_url, copy_path)
    good = rows - bad
    imported = f"Imported {good} contacts" in output
    rejected = f"rejected {bad} rows" in output
    rate, raw_rate = good / seconds, good / raw_seconds
    return _gazetteer(database_url, rows, env) + [
        Figure("import", f"import_contacts {rows:,} rows rate", rate, "rows/s", raw_rate,
               "raw COPY of the same good rows (rows/s)", ">= 50% of raw COPY", rate >= 0.5 * raw_rate,
               notes=f"{seconds:.1f} s vs {raw_seconds:.1f} s; every row validated"),
        Figure("import", "bad rows reported", bad if rejected else 0, "rows", bad, "bad rows in the file",
               "all", imported and rejected,
               notes="" if imported and rejected else f"output: {output[-300:]}"),
        Figure("memory", f"import peak RSS at {rows:,} rows", rss, "MB", small_rss,
               f"peak RSS importing {max(rows // 10, 1000):,} rows (MB)", "flat (ratio <= 1.2)",
               rss <= 1.2 * small_rss),
    ]
