"""Error pages and the API docs in a real browser with DEBUG off (issue 16): a signed-in adviser
who follows a dead link or opens a page outside the role sees a GOV.UK page in the shell with the
way back; the Swagger UI at /api/docs/ renders the operations under the content security policy."""

import re

import pytest
from django.conf import settings

from core.roles import Role

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _csp_reports(page) -> list[str]:
    reports: list[str] = []
    page.on("console", lambda message: reports.append(message.text)
            if "Content Security Policy" in message.text else None)
    return reports


def test_a_404_and_a_403_are_styled_pages_with_the_way_back(page, check_page, sign_in_as):
    assert settings.DEBUG is False  # the live server answers as production does
    blocked = _csp_reports(page)
    sign_in_as(Role.ADVISER)

    response = page.goto("/contacts/no-such-page/")
    assert response.status == 404
    check_page(page, "error-404", title="Page not found")
    assert page.locator("header .govuk-generic-header__homepage-link").is_visible()
    assert page.get_by_role("navigation", name="Menu").is_visible()
    # Styled: the compiled GOV.UK stylesheet applies (the heading is in the GOV.UK bold size).
    weight = page.locator("h1").evaluate("h => getComputedStyle(h).fontWeight")
    assert weight == "700"
    page.get_by_role("link", name="Go to the home page").click()
    page.get_by_role("heading", level=1, name="Your work").wait_for()

    response = page.goto("/reports/")
    assert response.status == 403
    check_page(page, "error-403", title="You do not have access to this page")
    assert page.locator("header .govuk-generic-header__homepage-link").is_visible()
    page.get_by_role("link", name="Go to the home page").click()
    page.get_by_role("heading", level=1, name="Your work").wait_for()
    assert blocked == []


def test_a_resident_on_a_dead_link_is_led_back_to_the_online_forms(page, check_page):
    response = page.goto("/self-service/no-such-step/")
    assert response.status == 404
    check_page(page, "error-404-resident", title="Page not found")
    page.get_by_role("link", name=re.compile("Go to the start")).click()
    page.wait_for_url(re.compile(r"/self-service/$"))


def test_the_api_docs_list_the_operations_for_a_signed_in_member_of_staff(page, sign_in_as):
    from tests.e2e.conftest import SCREENSHOTS

    blocked = _csp_reports(page)
    sign_in_as(Role.MANAGER)
    page.goto("/api/docs/")
    operations = page.locator(".opblock-summary-path")
    operations.first.wait_for()
    paths = set(operations.all_inner_texts())
    assert {"/api/v1/contacts/", "/api/v1/handoffs/{handoff_id}/", "/api/v1/reports/ni14/"} <= {
        path.replace("\u200b", "") for path in paths}
    assert page.locator(".opblock-tag").count() >= 5
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "api-docs.png"), full_page=False)
    assert blocked == [], blocked
    assert page.js_errors == []
