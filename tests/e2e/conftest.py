"""Real-browser journeys: Debian's Chromium driven by Playwright against pytest-django's live server.

Every page a journey visits goes through ``check_page``: a full-page screenshot under
test-artifacts/screenshots/ for review, the GOV.UK page basics (a title, exactly one h1) and
axe-core's WCAG 2.2 A/AA rules with zero violations allowed.
"""

import os
import re
from pathlib import Path

import pytest

# Django's live server runs in a thread while Playwright's sync API holds an event loop in this one.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "e2e-Journey-2026"  # nosec B105 - test users only
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    skip = pytest.mark.skip(reason=f"Chromium is not installed at {CHROMIUM}")
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)
            if not os.path.exists(CHROMIUM):
                item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture(scope="session")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="en-GB",
        timezone_id="Europe/London", accept_downloads=True,
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    yield page
    context.close()


def new_page(browser, live_server):
    """A second, independent browser session (another user at another desk)."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900},
                                  locale="en-GB", timezone_id="Europe/London", accept_downloads=True)
    context.set_default_timeout(10_000)
    return context.new_page()


@pytest.fixture
def other_page(browser, live_server):
    page = new_page(browser, live_server)
    yield page
    page.context.close()


def format_violations(name: str, violations: list[dict]) -> str:
    lines = [f"axe found {len(violations)} WCAG 2.2 A/AA violation(s) on {name}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation.get('impact')}): {violation['help']}")
        lines.append(f"  {violation.get('helpUrl', '')}")
        for node in violation["nodes"][:8]:
            target = " ".join(str(t) for t in node["target"])
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    at {target}: {summary[:300]}")
        if len(violation["nodes"]) > 8:
            lines.append(f"    ... and {len(violation['nodes']) - 8} more nodes")
    return "\n".join(lines)


@pytest.fixture
def check_page(axe):
    """check_page(page, "adviser-home"): screenshot, title, one h1, axe with zero violations."""

    def _check(page, name: str, *, title: str | re.Pattern | None = None, service: str = "No Wrong Door"):
        page.wait_for_load_state("load")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
        page_title = page.title()
        # GOV.UK: "Page – [Section –] Service – Organisation", "Error: " first when a form has errors.
        # `service`: the residents' pages (surveys) carry the public service's name instead.
        assert re.fullmatch(rf"(Error: )?[^–]+( – [^–]+)? – {re.escape(service)} – .+", page_title), (
            f"{name}: title {page_title!r} does not follow 'Page – [Section –] {service} – Council'"
        )
        if title is not None:
            if isinstance(title, re.Pattern):
                assert title.search(page_title), f"{name}: title {page_title!r} !~ {title.pattern}"
            else:
                assert page_title.startswith(title), f"{name}: title {page_title!r} should start {title!r}"
        # GOV.UK error messages say what to do about this field, not Django's generic default.
        generic = page.locator(".govuk-error-message", has_text="This field is required.")
        assert generic.count() == 0, f"{name}: {generic.count()} generic 'This field is required.' messages"
        # Each error summary link leads to a field on the page (GOV.UK: it moves the focus there).
        for href in page.locator(".govuk-error-summary a").evaluate_all(
                "links => links.map(a => a.getAttribute('href'))"):
            assert href.startswith("#") and page.locator(f"[id='{href[1:]}']").count() == 1, (
                f"{name}: error summary link {href!r} leads to no field")
        h1_count = page.locator("h1").count()
        assert h1_count == 1, f"{name}: {h1_count} h1 elements, expected exactly one"
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
        violations = results.response["violations"]
        assert not violations, format_violations(name, violations)
        errors = getattr(page, "js_errors", [])
        assert not errors, f"{name}: JavaScript errors: {errors}"
        return results

    return _check


def create_user(role: str, username: str | None = None, **fields):
    """A user with the role and the known test password (or the seeded one, reset)."""
    from django.contrib.auth.models import Group

    from core.models import User
    from core.roles import Role

    username = username or f"e2e_{role}"
    user, _ = User.objects.get_or_create(
        username=username,
        defaults={"first_name": fields.pop("first_name", role.replace("_", " ").title()),
                  "last_name": fields.pop("last_name", "Tester"), **fields},
    )
    user.set_password(PASSWORD)
    if role == Role.ADMIN:
        user.is_superuser = user.is_staff = True
    user.save()
    if role != Role.ADMIN:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


def sign_in(page, username: str, password: str = PASSWORD, *, expect_home: bool = True):
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    if expect_home:
        page.get_by_role("heading", level=1, name="Your work").wait_for()


def tab_until(page, predicate: str, limit: int = 80):
    """Press Tab until ``predicate`` (JavaScript, about ``el``, the focused element) holds."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => {{ const el = document.activeElement; return !!({predicate}); }}"):
            return
    raise AssertionError(f"Tab never reached: {predicate}")


def fill_date(page, legend: str, day) -> None:
    """Types a date into the GOV.UK date input whose legend is `legend` (day, month, year)."""
    group = page.get_by_role("group", name=legend, exact=True)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def focused(page, predicate: str) -> bool:
    return page.evaluate(f"() => {{ const el = document.activeElement; return !!({predicate}); }}")


def sign_in_by_keyboard(page, username: str, password: str = PASSWORD):
    page.goto("/login/")
    tab_until(page, "el.id === 'id_username'")
    page.keyboard.type(username)
    tab_until(page, "el.id === 'id_password'")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    page.get_by_role("heading", level=1, name="Your work").wait_for()


@pytest.fixture
def sign_in_as(page):
    """sign_in_as("adviser") -> the user, signed in on ``page`` through the login form."""

    def _sign_in(role: str, *, on=None, username: str | None = None):
        user = create_user(role, username)
        sign_in(on or page, user.username)
        return user

    return _sign_in


@pytest.fixture
def demo_data(transactional_db):
    """The demo catalogue, users named after the role codes and a few days of records."""
    from io import StringIO

    from django.apps import apps
    from django.core.management import call_command

    # The flush after a live-server test deletes the tables in no fixed order on SQLite; when a
    # summary table goes before the contacts or hand-offs, their delete triggers leave negative
    # summary rows behind. Clear that debris; the seeding below then fills the rows by trigger.
    for model in apps.get_app_config("reporting").get_models():
        if model.__name__.endswith("Summary"):
            model.objects.all().delete()
    call_command("seed_demo", password=PASSWORD, days=3, stdout=StringIO())
