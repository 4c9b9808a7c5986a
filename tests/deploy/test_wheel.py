"""The package is complete (issue 16): a wheel built from pyproject.toml, installed into a fresh
virtualenv, serves every page.

Cheap but real: the wheel is built with pip (--no-deps) and installed into a new virtualenv with
--no-deps; the third-party dependencies are the ones the project's own virtualenv installed from
the same pyproject.toml, added to the new one's path as a plain folder. A plain folder on the path
runs none of its .pth files, so the checkout's editable install is not active there, and gunicorn
runs from an empty folder: every app, template, migration and static file the server uses has to
come from the wheel. Then every GET of the permission matrix (tests/security), pages and API, is
asked of that server as an admin and must answer what the matrix says an admin gets.
"""

import http.client
import re
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client

from tests.deploy.stack import ROOT
from tests.reliability.servers import (
    database_url_for_children,
    free_port,
    port_open,
    postgres_only_reason,
    stop_process,
    wait_for,
)
from tests.security.test_permission_matrix import ROWS, _admin_rows, _fill
from tests.security.world import ACTORS, build_world

pytestmark = [
    pytest.mark.skipif(postgres_only_reason() is not None, reason=postgres_only_reason() or ""),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ADMIN = ACTORS.index("admin")


def _our_apps() -> set[str]:
    return {config.name for config in apps.get_app_configs() if Path(config.path).parent == ROOT}


def _files_under(folder: str) -> set[str]:
    """The files in each app's `folder` (templates, static), as paths inside the wheel."""
    found = set()
    for app in _our_apps():
        base = ROOT / app / folder
        found |= {str(path.relative_to(ROOT)) for path in base.rglob("*") if path.is_file()}
    return found


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The wheel, and a fresh virtualenv with it installed: (wheel path, venv python)."""
    tmp = tmp_path_factory.mktemp("wheel")
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet",
                            "--wheel-dir", str(tmp / "dist"), str(ROOT)],
                           capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr[-3000:]
    wheel = next((tmp / "dist").glob("no_wrong_door-*.whl"))
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp / "venv")], check=True,
                   timeout=120)
    python = tmp / "venv" / "bin" / "python"
    site = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               capture_output=True, text=True, check=True).stdout.strip())
    # pip of this interpreter installs into the new environment (no pip download for it).
    install = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet",
                              "--target", str(site), str(wheel)], capture_output=True, text=True, timeout=300)
    assert install.returncode == 0, install.stderr[-3000:]
    (site / "project_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return wheel, python, tmp


def test_the_wheel_holds_every_app_with_its_templates_and_static_files(installed):
    wheel, python, tmp = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    top = {name.split("/")[0] for name in names if not name.startswith("no_wrong_door-")}
    assert top == _our_apps() | {"config"}
    assert _files_under("templates") <= names
    assert _files_under("static") <= names
    assert "core/static/css/app.css" in names  # the compiled GOV.UK Frontend
    assert {f"{app}/migrations/__init__.py" for app in _our_apps()
            if (ROOT / app / "migrations").is_dir()} <= names
    where = subprocess.run([python, "-c", "import config, core, insight; print(core.__file__)"],
                           cwd=tmp, capture_output=True, text=True, timeout=60)
    assert where.returncode == 0, where.stderr
    assert where.stdout.strip().startswith(str(tmp / "venv")), where.stdout


def test_the_installed_package_serves_every_page(installed, tmp_path):
    _, python, tmp = installed
    world = build_world()
    admin = Client()
    admin.force_login(world.users["admin"])
    session = admin.cookies[settings.SESSION_COOKIE_NAME].value
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "DJANGO_SETTINGS_MODULE": "config.settings",
           "SECRET_KEY": settings.SECRET_KEY, "DATABASE_URL": database_url_for_children(),
           "REDIS_URL": "", "SECURE_HTTPS": "false", "DEBUG": "false", "LOG_LEVEL": "WARNING",
           "STATIC_ROOT": str(tmp_path / "static"), "AXES_ENABLED": "false",
           # The world's photos are stored where this process keeps them; the installed package
           # would otherwise look beside itself in site-packages.
           "PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT)}
    collected = subprocess.run([python, "-m", "django", "collectstatic", "--noinput", "-v", "0"],
                               cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert collected.returncode == 0, collected.stderr[-3000:]
    port = free_port()
    log = tmp_path / "gunicorn.log"
    with open(log, "wb") as output:  # a file, not a pipe nobody reads while the server logs
        server = subprocess.Popen([python, "-m", "gunicorn", "config.wsgi:application", "--bind",
                                   f"127.0.0.1:{port}", "--workers", "1", "--threads", "4"],
                                  cwd=tmp_path, env=env, stdout=output, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    try:
        wait_for(lambda: port_open(port), 60, "gunicorn from the wheel")

        def get(path: str) -> tuple[int, str]:
            headers = {"Host": "127.0.0.1"}
            if path.startswith(("/api/", "/open311/")):
                headers["Authorization"] = f"Token {world.keys['admin']}"
            else:
                headers["Cookie"] = f"{settings.SESSION_COOKIE_NAME}={session}"
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            return response.status, response.read().decode(errors="replace")

        wrong, pages = [], 0
        for method, template, expected in [*ROWS, *_admin_rows(world)]:
            if method != "GET":
                continue
            path = _fill(template, world.ids)
            status, _ = get(path)
            pages += 1
            if str(status) != expected.split()[ADMIN]:
                wrong.append(f"GET {template}: {status}, expected {expected.split()[ADMIN]}")
        assert pages > 100
        assert not wrong, "\n".join(wrong) + "\n" + log.read_text()[-5000:]

        # The page shell's assets come from the wheel too (collected from its core/static).
        status, home = get("/")
        assert status == 200 and "No Wrong Door" in home
        assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', home)
        assert any("app." in asset and asset.endswith(".css") for asset in assets)
        for asset in assets:
            assert get(asset)[0] == 200, asset
    finally:
        stop_process(server)
