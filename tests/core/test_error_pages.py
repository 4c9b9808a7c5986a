"""Error pages (issue 16, "Error pages and API docs"): 400, 403, 404 and 500 are GOV.UK pages in
the page shell (header, council name) with a way back; under /api/ they are JSON (API.md). The
browser journey with DEBUG off is tests/e2e/test_errors_and_api_docs.py."""

import pytest
from django.test import Client

from core.roles import Role


def _is_shell_page(response, heading: str) -> str:
    html = response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert 'class="govuk-template__header"' in html
    assert "Metropolitan Borough Council" in html or "Council" in html
    assert f'<h1 class="govuk-heading-l">{heading}</h1>' in html
    assert "css/app.css" in html
    return html


@pytest.mark.django_db
def test_a_missing_page_is_a_styled_404_with_the_way_home(client_for):
    response = client_for(Role.ADVISER).get("/no-such-page/")
    assert response.status_code == 404
    html = _is_shell_page(response, "Page not found")
    assert '<a href="/" class="govuk-link">Go to the home page</a>' in html
    assert 'aria-label="Menu"' in html  # the signed-in member of staff keeps the menu


@pytest.mark.django_db
def test_a_resident_who_lands_on_a_missing_page_is_led_back_to_the_forms(client):
    response = client.get("/self-service/no-such-step/")
    assert response.status_code == 404
    html = _is_shell_page(response, "Page not found")
    assert '<a href="/self-service/" class="govuk-link">' in html


@pytest.mark.django_db
def test_a_page_outside_the_role_is_a_styled_403(client_for):
    response = client_for(Role.ADVISER).get("/reports/")
    assert response.status_code == 403
    html = _is_shell_page(response, "You do not have access to this page")
    assert "Go to the home page" in html


@pytest.mark.django_db
def test_a_form_sent_without_its_csrf_token_is_a_styled_403(make_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(Role.ADVISER))
    response = client.post("/contacts/log/", {"summary": "x"})
    assert response.status_code == 403
    html = _is_shell_page(response, "Your form could not be sent")
    assert "Nothing was saved." in html


@pytest.mark.django_db
def test_a_bad_request_is_a_styled_400(client):
    # An oversized form body is refused unread (DATA_UPLOAD_MAX_NUMBER_FIELDS): a 400.
    response = client.post("/login/", {f"f{n}": "x" for n in range(1100)})
    assert response.status_code == 400
    _is_shell_page(response, "Sorry, there is a problem with your request")


@pytest.mark.django_db
def test_api_errors_stay_json(client):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


@pytest.mark.urls("tests.core.error_urls")
@pytest.mark.django_db
def test_a_failure_is_a_styled_500_made_without_the_database(django_assert_num_queries):
    client = Client(raise_request_exception=False)
    with django_assert_num_queries(0):
        response = client.get("/broken/")
    assert response.status_code == 500
    html = _is_shell_page(response, "Sorry, there is a problem with the service")
    assert "Metropolitan Borough Council" in html
    assert '<a href="/" class="govuk-link">Go to the home page</a>' in html

    resident = client.get("/self-service/broken/")
    assert '<a href="/self-service/" class="govuk-link">' in resident.content.decode()
    api = client.get("/api/v1/broken/")
    assert (api.status_code, api.json()) == (500, {"detail": "Server error."})
