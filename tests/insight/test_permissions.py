"""Who sees what in customer insight (issue 11): reports for managers and admins, counter
feedback and Tell Us Once for the front office, the survey page for anyone holding its link.
The full answer per actor and URL is in tests/security/test_permission_matrix.py."""

import pytest

from core.navigation import nav_items
from core.roles import Role
from tests.factories import CustomerFactory

REPORTS = ["/insight/", "/insight/journeys/", "/insight/services-together/"]
FRONT_OFFICE = ["/insight/surveys/counter/", "/insight/life-events/", "/insight/life-events/new/"]

ROLES = [Role.ADVISER, Role.BACK_OFFICE, Role.COMPLAINTS_OFFICER, Role.SOCIAL_CARE_COMPLAINTS,
         Role.LEGAL, Role.MANAGER, Role.ADMIN]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_reports_are_for_managers_and_admins_front_office_pages_for_advisers_too(client_for, role):
    client = client_for(role)
    customer = CustomerFactory()
    for url in [*REPORTS, f"/insight/journeys/customers/{customer.pk}/"]:
        want = 200 if role in (Role.MANAGER, Role.ADMIN) else 403
        assert client.get(url).status_code == want, url
    for url in FRONT_OFFICE:
        want = 200 if role in (Role.ADVISER, Role.MANAGER, Role.ADMIN) else 403
        assert client.get(url).status_code == want, url


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in_except_on_the_survey_page(client):
    for url in [*REPORTS, *FRONT_OFFICE]:
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]
    assert client.get("/insight/survey/unknown-token/").status_code == 404


@pytest.mark.django_db
def test_navigation_offers_each_role_its_insight_pages(make_user):
    def labels(role):
        return {item.label for item in nav_items(make_user(role))}

    assert {"Tell Us Once", "Counter feedback"} <= labels(Role.ADVISER)
    assert "Customer insight" not in labels(Role.ADVISER)
    assert {"Tell Us Once", "Customer insight"} <= labels(Role.MANAGER)
    assert not {"Tell Us Once", "Customer insight", "Counter feedback"} & labels(Role.BACK_OFFICE)
