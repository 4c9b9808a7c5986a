"""Signing in and out, by mouse and by keyboard alone, and the home page of every role."""

import re
from urllib.parse import urlparse

import pytest

from core.roles import Role
from tests.e2e.conftest import PASSWORD, create_user, sign_in

# The live server needs committed data; serialized_rollback restores the migrations' reference
# data (roles, NI14 reasons, channels, complaint rules) that the flush after each test removes.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_wrong_password_shows_the_error_summary_with_focus_then_right_password_lands_on_your_work(
    page, check_page
):
    create_user(Role.ADVISER, "aisha")
    page.goto("/")
    assert "/login/" in page.url, "signed-out visitors are sent to sign in"
    check_page(page, "sign-in", title="Sign in")

    page.get_by_label("Username").fill("aisha")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()

    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert summary.get_by_role("heading", name="There is a problem").is_visible()
    # GOV.UK Frontend moves focus to the error summary so screen readers announce it.
    page.wait_for_function("document.activeElement.classList.contains('govuk-error-summary')")
    assert page.title().startswith("Error: Sign in")
    check_page(page, "sign-in-error", title="Error: Sign in")

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", level=1, name="Your work").wait_for()
    assert urlparse(page.url).path == "/"


@pytest.mark.parametrize("role", [r.value for r in Role if r not in (Role.PARTNER,)])
def test_home_page_of_every_role_passes_axe(page, check_page, demo_data, role):
    create_user(role)
    sign_in(page, f"e2e_{role}")
    main = page.locator("main")
    assert main.get_by_text("Signed in as").first.is_visible()
    check_page(page, f"home-{role}", title="Your work")
    # Every service navigation link leads to a page that passes the same checks.
    links = page.locator("nav[aria-label='Menu'] a.govuk-service-navigation__link")
    targets = [(links.nth(i).inner_text().strip(), links.nth(i).get_attribute("href"))
               for i in range(links.count())]
    for label, href in targets:
        page.goto(href)
        slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
        check_page(page, f"nav-{role}-{slug}")


def test_keyboard_only_sign_in_with_visible_focus(page, check_page):
    create_user(Role.MANAGER, "martin")
    page.goto("/login/")

    # The first Tab lands on the skip link, which becomes visible and jumps to the content.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    assert skip.is_visible()
    check_page(page, "sign-in-skip-link-focused", title="Sign in")

    def tab_to(selector: str, limit: int = 15):
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate("(s) => document.activeElement.matches(s)", selector):
                return
        raise AssertionError(f"Tab never reached {selector}")

    def focus_is_visible():
        # GOV.UK's focus state: a yellow (#ffdd00) outline or background on the focused control.
        style = page.evaluate(
            "() => { const s = getComputedStyle(document.activeElement);"
            " return [s.outlineStyle, s.outlineColor, s.backgroundColor, s.boxShadow]; }"
        )
        outline_style, outline_color, background, box_shadow = style
        yellow = "rgb(255, 221, 0)"
        assert (outline_style != "none" and outline_color == yellow) or background == yellow \
            or yellow in box_shadow, f"no visible focus indicator: {style}"

    tab_to("#id_username")
    focus_is_visible()
    page.keyboard.type("martin")
    tab_to("#id_password")
    focus_is_visible()
    page.keyboard.type("wrong")
    page.keyboard.press("Enter")
    page.locator(".govuk-error-summary").wait_for()
    page.wait_for_function("document.activeElement.classList.contains('govuk-error-summary')")

    tab_to("#id_password", limit=20)
    page.keyboard.type(PASSWORD)
    tab_to("button[type=submit]")
    focus_is_visible()
    page.keyboard.press("Enter")
    page.get_by_role("heading", level=1, name="Your work").wait_for()
    check_page(page, "home-after-keyboard-sign-in", title="Your work")


def test_sign_out_returns_to_sign_in_and_protects_pages(page, check_page, sign_in_as):
    sign_in_as(Role.ADVISER)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()
    assert "/login/" in page.url, "signing out lands on the sign-in page"
    check_page(page, "signed-out", title="Sign in")
    page.goto("/")
    assert "/login/" in page.url


def test_sign_out_by_keyboard(page, sign_in_as):
    sign_in_as(Role.BACK_OFFICE)
    sign_out = page.get_by_role("button", name="Sign out")
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Sign out":
            break
    else:
        raise AssertionError("Sign out is not reachable by Tab")
    assert sign_out.is_visible()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/login/" in page.url
    page.goto("/")
    assert "/login/" in page.url
