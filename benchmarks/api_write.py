"""API write path: POST /api/v1/contacts/ through gunicorn, 8 concurrent clients on loopback,
against raw single-row autocommit INSERTs of the same row over 4 psycopg connections; and the
same with a psycopg connection pool per worker (DATABASE_POOL); and a peer, django-helpdesk's
ticket-create API, served and loaded the same way (benchmarks/peer.py, issue 23)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request

import psycopg

from benchmarks.harness import ROOT, Figure, Timer, child_env, manage, peak_rss_mb, percentile

CLIENTS = 8
RAW_CONNECTIONS = 4
WORKERS = 2  # gunicorn sync workers, ours and the peer's alike (issue 23: 2 workers, 8 clients)
POOL = 4  # DATABASE_POOL for the pooled run


def _contact_body(i: int) -> bytes:
    return json.dumps({
        "channel": "telephone",
        "service": "waste",
        "enquiry_type": "collection-days",
        "summary": f"Asked for the collection calendar (bench {i})",
        "avoidable": i % 4 == 0,
        **({"avoidable_reason": "information_not_available"} if i % 4 == 0 else {}),
    }).encode()


async def _client(host, port, key, queue, latencies, errors, path, make_body):
    while True:
        try:
            i = queue.get_nowait()
        except asyncio.QueueEmpty:
            return
        body = make_body(i)
        request = (
            f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
            f"Authorization: Token {key}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        ).encode() + body
        start = time.perf_counter()
        try:
            reader, writer = await asyncio.open_connection(host, port)
            writer.write(request)
            await writer.drain()
            response = await reader.read()
            writer.close()
            status = int(response.split(b" ", 2)[1])
        except (OSError, ValueError, IndexError):
            status = 0
        latencies.append(time.perf_counter() - start)
        if status != 201:
            errors.append(status)


async def _load(host, port, key, total, path="/api/v1/contacts/", make_body=_contact_body):
    queue: asyncio.Queue = asyncio.Queue()
    for i in range(total):
        queue.put_nowait(i)
    latencies: list[float] = []
    errors: list[int] = []
    with Timer() as timer:
        await asyncio.gather(*[
            _client(host, port, key, queue, latencies, errors, path, make_body) for _ in range(CLIENTS)
        ])
    return timer.seconds, latencies, errors


def _wait_healthy(url: str, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # nosec B310 - loopback only
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not become healthy at {url}")


def _worker_pids(master_pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(master_pid)], capture_output=True,
                         text=True).stdout
    return [int(p) for p in out.split()]


def _raw_inserts(database_url: str, total: int) -> float:
    """Rows/s of single-row autocommit INSERTs of an API-made row, over 4 connections."""
    with psycopg.connect(database_url) as conn:
        cur = conn.execute("SELECT * FROM contacts_contact ORDER BY id DESC LIMIT 1")
        columns = [c.name for c in cur.description if c.name != "id"]
        row = dict(zip([c.name for c in cur.description], cur.fetchone(), strict=True))
    values = [row[c] for c in columns]
    sql = (f"INSERT INTO contacts_contact ({', '.join(columns)}) "
           f"VALUES ({', '.join(['%s'] * len(columns))})")
    per_connection = total // RAW_CONNECTIONS

    def work():
        with psycopg.connect(database_url, autocommit=True) as conn:
            for _ in range(per_connection):
                conn.execute(sql, values)

    threads = [threading.Thread(target=work) for _ in range(RAW_CONNECTIONS)]
    with Timer() as timer:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    return per_connection * RAW_CONNECTIONS / timer.seconds


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _measure(server: subprocess.Popen, port: int, key: str, requests: int, **load) -> dict:
    """Warm up, then `requests` POSTs; the rate, latencies, errors and the workers' peak RSS."""
    try:
        _wait_healthy(f"http://127.0.0.1:{port}/healthz")
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited (port {port} taken?)")
        asyncio.run(_load("127.0.0.1", port, key, min(200, requests), **load))  # warm-up
        seconds, latencies, errors = asyncio.run(_load("127.0.0.1", port, key, requests, **load))
        rss = [peak_rss_mb(pid) or 0 for pid in _worker_pids(server.pid)]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    return {"rate": requests / seconds, "p50": percentile(latencies, 50) * 1000,
            "p95": percentile(latencies, 95) * 1000, "errors": errors, "rss": max(rss or [0])}


def _serve_ours(env: dict, port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind",
         f"127.0.0.1:{port}", "--workers", str(WORKERS), "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True,
    )


def run(database_url: str, requests: int, port: int | None = None, peer: bool = True,
        pooled: bool = True) -> list[Figure]:
    env = child_env(database_url)
    key = manage("create_partner_token", "bench-writer", env=env).stdout.strip().splitlines()[-1]
    port = port or _free_port()
    ours = _measure(_serve_ours(env, port), port, key, requests)
    raw_rate = _raw_inserts(database_url, requests)
    setup = f"{requests} requests, {CLIENTS} clients, gunicorn {WORKERS} sync workers"
    figures = [
        Figure("api-write", "POST /api/v1/contacts/ rate", ours["rate"], "req/s", raw_rate,
               f"raw autocommit INSERT, {RAW_CONNECTIONS} connections (rows/s)",
               ">= 25% of raw", ours["rate"] >= 0.25 * raw_rate,
               notes=f"{setup}; persistent connections (CONN_MAX_AGE)"),
        Figure("api-write", "POST /api/v1/contacts/ p50", ours["p50"], "ms"),
        Figure("api-write", "POST /api/v1/contacts/ p95", ours["p95"], "ms", target="< 40 ms",
               met=ours["p95"] < 40),
    ]
    errors, rss = ours["errors"], ours["rss"]
    if pooled:
        pool_port = _free_port()
        with_pool = _measure(_serve_ours(child_env(database_url, DATABASE_POOL=str(POOL)), pool_port),
                             pool_port, key, requests)
        errors, rss = errors + with_pool["errors"], max(rss, with_pool["rss"])
        figures += [
            Figure("api-write", "same, DATABASE_POOL rate", with_pool["rate"], "req/s", ours["rate"],
                   "persistent connections, same run (req/s)",
                   notes=f"{setup}; a psycopg pool of up to {POOL} per worker"),
            Figure("api-write", "same, DATABASE_POOL p95", with_pool["p95"], "ms", ours["p95"],
                   "persistent connections, same run (ms)"),
        ]
    figures += [
        Figure("api-write", "errors", len(errors), "count", target="0", met=not errors,
               notes=f"statuses: {sorted(set(errors))[:5]}" if errors else ""),
        Figure("memory", "web worker peak RSS under write load", rss, "MB",
               target="< 200 MB", met=rss < 200),
    ]
    if peer:
        try:
            figures += _peer(database_url, requests, ours)
        except (subprocess.CalledProcessError, RuntimeError, OSError, ValueError) as error:
            figures.append(Figure("peer", "section failed", 0, "-", met=False,
                                  notes=f"{error} {getattr(error, 'stderr', '') or ''}"[-300:]))
    return figures


def _peer(database_url: str, requests: int, ours: dict) -> list[Figure]:
    """django-helpdesk's ticket-create API beside ours (benchmarks/peer.py)."""
    from benchmarks import peer as helpdesk

    env, key, queue = helpdesk.prepare(database_url)
    port = _free_port()
    try:
        theirs = _measure(helpdesk.serve(env, port, WORKERS), port, key, requests,
                          path=helpdesk.PEER_PATH, make_body=helpdesk.ticket_body(queue))
    finally:
        helpdesk.drop(database_url)
    setup = (f"{helpdesk.PEER_PACKAGE}, {requests} requests, {CLIENTS} clients, "
             f"gunicorn {WORKERS} sync workers")
    return [
        Figure("peer", "django-helpdesk POST /api/tickets/ rate", theirs["rate"], "req/s",
               notes=setup + (f"; {len(theirs['errors'])} errors, statuses "
                              f"{sorted(set(theirs['errors']))[:5]}" if theirs["errors"] else "")),
        Figure("peer", "django-helpdesk POST /api/tickets/ p95", theirs["p95"], "ms"),
        Figure("peer", "our contact-create rate against the peer's", ours["rate"], "req/s",
               theirs["rate"], "django-helpdesk ticket-create, same run (req/s)", ">= 3x",
               ours["rate"] >= 3 * theirs["rate"]),
        Figure("peer", "our contact-create p95 against the peer's", ours["p95"], "ms",
               theirs["p95"], "django-helpdesk ticket-create p95, same run (ms)", "< 40 ms",
               ours["p95"] < 40),
    ]
