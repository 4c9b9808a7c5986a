"""PostgreSQL restarted under a running app (issue 8, "Faults"): it costs at most the requests in
flight; then the same app process serves again, reads and writes, without a restart
(CONN_HEALTH_CHECKS drops the dead persistent connections).

Runs gunicorn (threads, persistent connections as in production) against a private PostgreSQL
cluster made with initdb in a temporary directory on a free port, and restarts that cluster;
the shared server on 5432 is never touched.
"""

import json
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.reliability.servers import (
    ROOT,
    PrivatePostgres,
    child_env,
    free_port,
    postgres_only_reason,
    python,
    stop_process,
    wait_for,
)

pytestmark = pytest.mark.skipif(postgres_only_reason() is not None, reason=postgres_only_reason() or "")

_MAKE_KEY = """
from django.contrib.auth.models import Group
from core.models import User
from core.services import api_token_create
user = User.objects.create(username="fault-adviser")
user.groups.add(Group.objects.get(name="adviser"))
print(api_token_create(user=user, name="fault test")[1])
"""


def _call(base: str, key: str, method: str = "GET", path: str = "/api/v1/services/", body=None) -> int:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method, headers={
        "Authorization": f"Token {key}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback only
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, TimeoutError, ConnectionError):
        return 0


@pytest.fixture
def cluster():
    reason = PrivatePostgres.unavailable_reason()
    if reason:
        pytest.skip(reason)
    directory = Path(tempfile.mkdtemp(prefix="nwd-pg-", dir="/tmp"))
    server = PrivatePostgres(directory)
    try:
        server.init()
        server.start()
        server.create_database("nwd_fault")
        yield server
    finally:
        server.destroy()


def test_a_postgres_restart_costs_only_the_requests_in_flight(cluster):
    env = child_env(DATABASE_URL=cluster.url("nwd_fault"), REDIS_URL="", CONN_MAX_AGE=600)
    subprocess.run([python(), "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env,
                   check=True, timeout=300, capture_output=True)
    key = subprocess.run([python(), "manage.py", "shell", "-c", _MAKE_KEY], cwd=ROOT, env=env,
                         check=True, timeout=120, capture_output=True, text=True).stdout.split()[-1]

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    app = subprocess.Popen(
        [python(), "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--threads", "4", "--timeout", "30", "--graceful-timeout", "5"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    statuses: list[tuple[float, float, int]] = []  # (started, finished, HTTP status)
    stop = threading.Event()

    def traffic():
        while not stop.is_set():
            started = time.monotonic()
            status = _call(base, key)
            statuses.append((started, time.monotonic(), status))
            time.sleep(0.02)

    try:
        wait_for(lambda: _call(base, key, path="/healthz") == 200, 60, "gunicorn")
        # Warm every thread's persistent connection, then keep traffic flowing.
        assert [_call(base, key) for _ in range(12)] == [200] * 12
        workers = [threading.Thread(target=traffic) for _ in range(3)]
        for worker in workers:
            worker.start()
        time.sleep(1)

        restart_began = time.monotonic()
        cluster.restart("fast")  # --- the fault: every server-side connection is cut ---
        restart_done = time.monotonic()
        wait_for(lambda: sum(1 for t, _, _ in list(statuses) if t > restart_done + 0.2) >= 30, 90,
                 "30 requests after the restart")
        stop.set()
        for worker in workers:
            worker.join(timeout=30)

        # In flight at the restart: any request not finished before it began nor started after it.
        before = [s for _, end, s in statuses if end < restart_began]
        after = [s for start, _, s in statuses if start > restart_done + 0.2]
        during = [s for start, end, s in statuses
                  if end >= restart_began and start <= restart_done + 0.2]
        assert before and set(before) == {200}
        assert after and set(after) == {200}, f"failed after the restart: {after}"
        lost = [s for s in during if s != 200]
        print(f"\npostgres restart: {len(statuses)} requests, {len(during)} met the restart "
              f"({len(lost)} failed: {sorted(set(lost))}), {len(after)} after it all answered 200")

        # The same process serves reads and writes again: no app restart.
        assert app.poll() is None
        assert _call(base, key, "POST", "/api/v1/customers/",
                     {"first_name": "After", "last_name": "Restart"}) == 201
        assert _call(base, key, path="/api/v1/customers/?search=Restart") == 200
        assert _call(base, key, path="/healthz") == 200
    finally:
        stop.set()
        stop_process(app)
        if app.stderr:
            app.stderr.close()
