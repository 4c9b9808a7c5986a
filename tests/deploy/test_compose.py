"""The production stack as written (issue 16, "The stack exercised without a Docker engine").

There is no Docker engine here, so this reads docker-compose.yml and the Dockerfile as Docker
would (tests/deploy/stack.py) and starts each service's own command with that service's own
environment, changed only where the services are: the `db` service is this machine's PostgreSQL
(a fresh database), the `redis` service is its own command on a free port, and the named volumes
are temporary folders. Then each is checked by what it is for:
- `migrate` applies the migrations to the empty database, and a second run changes nothing;
- `web` (the image's CMD) answers its own health check, as does the image's HEALTHCHECK;
- `proxy` (Caddy, deploy/Caddyfile) terminates TLS, and the app sees the client's address;
- `worker` runs a task sent through Redis and answers its health check;
- `beat` sends a scheduled task, which the worker runs; its schedule file is in its volume.
The code comes from the checkout; tests/deploy/test_wheel.py proves the installed package.
"""

import http.client
import re
import secrets
import shutil
import ssl
import urllib.parse
import uuid
from http.cookies import SimpleCookie

import psycopg
import pytest
from celery import Celery
from django.conf import settings

from tests.deploy.stack import ROOT, Stack, run, start
from tests.reliability.servers import PrivateRedis, free_port, port_open, stop_process, wait_for

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="the stack runs on PostgreSQL: set DATABASE_URL=postgres://... (SQLite here)")

APP_SERVICES = ("migrate", "web", "worker", "beat")
CLIENT = "127.0.0.5"  # a resident's machine: the test connects to the proxy from this address


def _admin_dsn(dbname: str) -> str:
    conf = settings.DATABASES["default"]
    auth = conf["USER"] + (f":{conf['PASSWORD']}" if conf.get("PASSWORD") else "")
    return f"postgresql://{auth}@{conf['HOST'] or '127.0.0.1'}:{conf['PORT'] or 5432}/{dbname}"


def _settings_read() -> set[str]:
    """Every environment variable config/settings.py reads."""
    source = (ROOT / "config" / "settings.py").read_text()
    return set(re.findall(r'env\.\w+\(\s*"([A-Z][A-Z0-9_]*)"', source))


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """The services of docker-compose.yml running here, each with its command and environment."""
    tmp = tmp_path_factory.mktemp("stack")
    database = f"nwd_compose_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_admin_dsn("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database}"')
    redis = PrivateRedis(tmp)
    processes = []
    variables = {"SECRET_KEY": secrets.token_urlsafe(50), "POSTGRES_PASSWORD": "not-used-here",
                 "SITE_ADDRESS": "localhost", "TLS": "internal", "WEB_CONCURRENCY": "1",
                 "WORKER_CONCURRENCY": "1"}
    stack = Stack(variables)
    stack.tmp, stack.database, stack.redis, stack.processes = tmp, database, redis, processes
    try:
        # The `redis` service: its own command, on a free port in a folder of ours.
        command = stack.command("redis")
        redis.process = start([shutil.which(command[0]), *command[1:], "--port", str(redis.port),
                               "--bind", "127.0.0.1", "--dir", str(tmp)], {}, tmp / "redis.log")
        processes.append(redis.process)
        wait_for(lambda: port_open(redis.port), 15, "redis")
        stack.local = {
            "DATABASE_URL": _admin_dsn(database).replace("postgresql://", "postgres://"),
            "REDIS_URL": redis.url,
            "STATIC_ROOT": tmp / "staticfiles",
            # Here the proxy connects to the app from loopback, not from the edge network.
            "TRUSTED_PROXY_IPS": "127.0.0.1/32",
        }
        yield stack
    finally:
        for process in reversed(processes):
            stop_process(process)
        with psycopg.connect(_admin_dsn("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def _env(stack, name, **extra):
    return stack.service_env(name, **stack.local, **extra)


@pytest.fixture(scope="module")
def migrated(stack):
    """The `migrate` service, run twice on the empty database: the second run changes nothing."""
    first = run(stack.command("migrate"), _env(stack, "migrate"), timeout=300)
    assert first.returncode == 0, first.stderr[-3000:]
    assert "Applying core.0001_initial... OK" in first.stdout
    again = run(stack.command("migrate"), _env(stack, "migrate"), timeout=300)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "No migrations to apply." in again.stdout
    return first, again


@pytest.fixture(scope="module")
def web(stack, migrated):
    """The image's build step (collectstatic) and its CMD, gunicorn, as the `web` service."""
    env = _env(stack, "web", PORT=free_port())
    build_step = re.search(r"(SECRET_KEY=\S+) (django-admin collectstatic[^\n&]*)",
                           stack.image_instruction("RUN"))
    collected = run(build_step.group(2).split(), {**env, "SECRET_KEY": "collectstatic-only"})
    assert collected.returncode == 0, collected.stderr[-3000:]
    process = start(stack.command("web"), env, stack.tmp / "web.log")
    stack.processes.append(process)
    wait_for(lambda: port_open(int(env["PORT"])), 60, "gunicorn")
    return env


@pytest.fixture(scope="module")
def worker(stack, migrated):
    env = _env(stack, "worker")
    process = start(stack.command("worker"), env, stack.tmp / "worker.log")
    stack.processes.append(process)
    return env


def _app_celery(stack) -> Celery:
    return Celery("compose-test", broker=stack.redis.url, backend=stack.redis.url)


def _sql(stack, query: str, *params):
    with psycopg.connect(_admin_dsn(stack.database), autocommit=True) as connection:
        return connection.execute(query, params).fetchall()


def _django(stack, service: str, code: str) -> str:
    result = run(["django-admin", "shell", "-c", code], _env(stack, service))
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_the_image_and_the_stack_are_as_production_needs(stack):
    image = stack.dockerfile
    stages = [i for i in image.structure if i["instruction"] == "FROM"]
    assert len(stages) >= 3  # assets, wheel, runtime
    assert stack.image_instruction("USER") not in ("root", "0")
    assert stack.image_cmd()[0] == "gunicorn"
    # The dependencies are installed from pyproject.toml alone, before the code arrives.
    runtime = image.content[image.content.rindex("\nFROM "):]
    assert runtime.index("pip install --no-cache-dir -r") < runtime.index("COPY --from=wheel")
    assert "COPY . ." not in runtime
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".env", ".venv/", "*.sqlite3", "backups/", "node_modules/"} <= set(ignored)

    services = stack.services
    assert set(services) == {"migrate", "web", "worker", "beat", "proxy", "db", "redis"}
    assert "ports" not in services["web"]  # only the proxy reaches it
    assert "443:443" in services["proxy"]["ports"]
    for name, service in services.items():
        assert "healthcheck" in service or name == "migrate", name
    assert any(v.startswith("beat-schedule:") for v in services["beat"]["volumes"])
    # Every setting the app reads is passed through, and none it ignores.
    read = _settings_read()
    for name in APP_SERVICES:
        passed = set(stack.raw["services"][name]["environment"]) - {"WEB_CONCURRENCY"}
        assert passed - read == set(), f"{name} passes settings the app never reads"
        assert read - passed - set(stack.image_env()) == set(), f"{name} does not pass these"
    assert "TIME_ZONE" not in stack.raw["x-app"]["environment"]


def test_migrate_applies_everything_once_and_again_nothing(stack, migrated):
    check = run(["django-admin", "migrate", "--check"], _env(stack, "migrate"))
    assert check.returncode == 0, check.stdout + check.stderr
    assert _sql(stack, "SELECT count(*) FROM django_migrations")[0][0] > 30


def test_web_answers_its_own_health_check(stack, web):
    for check in (stack.healthcheck("web"), stack.image_healthcheck()):
        result = run(check, web, timeout=30)
        assert result.returncode == 0, result.stderr
    # The health check needs no host name; every page still insists on HTTPS and the host.
    connection = http.client.HTTPConnection("127.0.0.1", int(web["PORT"]), timeout=10)
    connection.request("GET", "/login/", headers={"Host": "localhost"})
    response = connection.getresponse()
    assert (response.status, response.getheader("Location")) == (301, "https://localhost/login/")


def test_the_proxy_terminates_tls_and_the_app_sees_the_client_address(stack, web):
    caddy = shutil.which("caddy")
    if caddy is None:
        pytest.skip("caddy is not installed (.ci/run installs Debian's caddy)")
    https_port, http_port, admin_port = free_port(), free_port(), free_port()
    env = {**stack.services["proxy"]["environment"], "HTTPS_PORT": https_port, "HTTP_PORT": http_port,
           "CADDY_ADMIN": f"127.0.0.1:{admin_port}", "UPSTREAM_HOST": "127.0.0.1",
           "UPSTREAM_PORT": web["PORT"],
           "XDG_DATA_HOME": stack.tmp / "caddy-data", "XDG_CONFIG_HOME": stack.tmp / "caddy-config",
           "HOME": stack.tmp, "PATH": "/usr/bin:/bin"}
    command = stack.command("proxy")
    command[command.index("--config") + 1] = str(ROOT / "deploy" / "Caddyfile")  # its volume
    process = start([caddy, *command[1:]], {k: str(v) for k, v in env.items()}, stack.tmp / "caddy.log")
    stack.processes.append(process)
    wait_for(lambda: port_open(https_port), 30, "caddy")
    # Its health check asks the admin API, on the address the test gave it.
    health = stack.healthcheck("proxy")[-1].replace("127.0.0.1:2019", f"127.0.0.1:{admin_port}")
    wait_for(lambda: _get_status(health) == 200, 30, "caddy's admin API")

    insecure = ssl.create_default_context()
    insecure.check_hostname = False
    insecure.verify_mode = ssl.CERT_NONE  # Caddy's internal authority: testing only

    def https(method, path, body=None, headers=None):
        connection = http.client.HTTPSConnection("localhost", https_port, timeout=20, context=insecure,
                                                 source_address=(CLIENT, 0))
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response, response.read().decode(errors="replace")

    # Plain HTTP is sent to HTTPS by the proxy; over HTTPS the app serves (no redirect loop).
    assert _get_status(f"http://127.0.0.1:{http_port}/login/", host="localhost") in (301, 308)
    sign_in, html = https("GET", "/login/")
    assert sign_in.status == 200, html[:500]
    assert "Strict-Transport-Security" in dict(sign_in.getheaders())

    # A failed sign-in that claims another address: the lockout records the real one.
    cookie = SimpleCookie(sign_in.getheader("Set-Cookie"))["csrftoken"].value
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": "nobody",
                                   "password": "not-the-password"})
    failed, html = https("POST", "/login/", body, {
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={cookie}",
        "Referer": f"https://localhost:{https_port}/login/", "X-Forwarded-For": "203.0.113.9"})
    assert failed.status == 200 and "govuk-error-summary" in html
    assert _sql(stack, "SELECT host(ip_address) FROM axes_accessattempt") == [(CLIENT,)]


def _get_status(url: str, host: str | None = None) -> int:
    parsed = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
    connection.request("GET", parsed.path, headers={"Host": host or parsed.netloc})
    return connection.getresponse().status


def test_the_worker_runs_a_task_sent_through_redis(stack, worker):
    _django(stack, "worker", "from core.services import Message, outbox_send; outbox_send(dedupe_key="
                             "'compose:worker', message=Message('Hi', 'Body'), to_email='w@x.example')")
    probe = _app_celery(stack)
    result = probe.send_task("core.outbox_drain").get(timeout=120)
    assert result["sent"] + result["retry"] + result["failed"] <= 1
    wait_for(lambda: _sql(stack, "SELECT sent_at FROM core_outboundmessage WHERE dedupe_key = %s",
                          "compose:worker")[0][0] is not None, 60, "the message sent by the worker")
    check = run(stack.healthcheck("worker"), worker, timeout=60)
    assert check.returncode == 0, check.stdout + check.stderr


def test_beat_sends_a_scheduled_task_and_keeps_its_schedule_in_its_volume(stack, worker):
    volume = stack.tmp / "beat-schedule"
    volume.mkdir(exist_ok=True)
    target = stack.volume_target("beat", "beat-schedule")
    command = [part.replace(target, str(volume)) for part in stack.command("beat")]
    # The drain's schedule is a setting (OUTBOX_RETRY_SECONDS): one second, so beat sends it now.
    env = _env(stack, "beat", OUTBOX_RETRY_SECONDS=1)
    # Stored without the wake-up a commit sends, so only beat's schedule can get it sent.
    _django(stack, "beat", "from django.utils import timezone; from core.models import OutboundMessage; "
                           "now = timezone.now(); OutboundMessage.objects.create(dedupe_key='compose:beat', "
                           "created_at=now, next_attempt_at=now, to_email='b@x.example', subject='s', "
                           "body='b')")
    process = start(command, env, stack.tmp / "beat.log")
    stack.processes.append(process)
    wait_for(lambda: _sql(stack, "SELECT sent_at FROM core_outboundmessage WHERE dedupe_key = %s",
                          "compose:beat")[0][0] is not None, 90, "beat's scheduled drain to send")
    check = [part.replace(target, str(volume)) for part in stack.healthcheck("beat")]
    result = run(check, env, timeout=30)
    assert result.returncode == 0, result.stderr
    assert list(volume.glob("celerybeat-schedule*"))
