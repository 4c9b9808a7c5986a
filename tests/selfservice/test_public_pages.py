"""The accessibility statement and the privacy notice (issue 20, item 7): public, their details
from settings, linked from the footer of every page, staff and public alike."""

import pytest

from core.roles import Role


@pytest.mark.django_db
def test_accessibility_statement_takes_the_councils_details_from_settings(client, settings):
    settings.COUNCIL_CONTACT_EMAIL = "access@tameside.example"
    settings.ACCESSIBILITY_TESTED_DATE = "1 December 2026"
    settings.ACCESSIBILITY_KNOWN_ISSUES = ["The map on the location page has no text alternative."]
    page = client.get("/self-service/accessibility/").content.decode()
    assert "Accessibility statement for Report, request or complain" in page
    assert 'href="mailto:access@tameside.example"' in page
    assert "last tested on 1 December 2026" in page
    assert "The map on the location page has no text alternative." in page
    assert "partially compliant" in page


@pytest.mark.django_db
def test_accessibility_statement_without_known_issues_says_fully_compliant(client, settings):
    settings.ACCESSIBILITY_KNOWN_ISSUES = []
    assert "fully compliant" in client.get("/self-service/accessibility/").content.decode()


@pytest.mark.django_db
def test_privacy_notice_says_the_retention_schedule_and_who_to_ask(client, settings):
    from django.utils import timezone

    from core.models import RetentionRule

    # The schedule as an admin set it (Admin -> Retention rules), not a fixed number.
    RetentionRule.objects.update_or_create(schedule="contacts",
                                           defaults={"days": 7 * 365, "changed_at": timezone.now()})
    settings.DATA_PROTECTION_OFFICER_EMAIL = "dpo@tameside.example"
    page = client.get("/self-service/privacy/").content.decode()
    assert "<li>Contacts: 7 years after the enquiry is closed</li>" in page
    assert "<li>Satisfaction surveys: 2 years" in page
    assert 'href="mailto:dpo@tameside.example"' in page
    # Photos sent with a report (issue 20) are personal data: the notice says what happens to them.
    assert "any photos you send with a report: we remove the location" in page


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/self-service/", "/self-service/progress/", "/login/"])
def test_public_footers_link_both(client, path):
    page = client.get(path).content.decode()
    assert 'href="/self-service/accessibility/">Accessibility statement</a>' in page
    assert 'href="/self-service/privacy/">Privacy notice</a>' in page


def test_staff_footers_link_both(client_for):
    page = client_for(Role.ADVISER).get("/contacts/customers/").content.decode()
    assert 'href="/self-service/accessibility/">Accessibility statement</a>' in page
    assert 'href="/self-service/privacy/">Privacy notice</a>' in page
