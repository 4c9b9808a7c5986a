"""Who sees which complaint (issue 5, "Visibility"): statutory only for social care complaints
officers, managers and admins; corporate for complaints officers, Legal Services (Ombudsman
cases), managers, admins and the allocated officer. Everyone else gets 404."""

import pytest

from complaints.models import Process
from complaints.selectors import complaints_visible_to
from core.roles import Role
from tests.complaints.factories import complaint, user_with, walk

pytestmark = pytest.mark.django_db

KINDS = ["corporate", "corporate_ombudsman", "statutory"]
# role -> which kinds of complaint it sees
SEES = {
    Role.ADVISER: set(),
    Role.BACK_OFFICE: set(),
    Role.COMPLAINTS_OFFICER: {"corporate", "corporate_ombudsman"},
    Role.SOCIAL_CARE_COMPLAINTS: {"statutory"},
    Role.LEGAL: {"corporate_ombudsman"},
    Role.MANAGER: set(KINDS),
    Role.ADMIN: set(KINDS),
    Role.PARTNER: set(),
}


def _make(kind):
    if kind == "corporate":
        return complaint()
    if kind == "corporate_ombudsman":
        return complaint(via_ombudsman=True)
    return complaint(process=Process.STATUTORY)


def _user(role):
    user = user_with(role)
    if role == Role.ADMIN:
        user.is_superuser = True
        user.save(update_fields=["is_superuser"])
    return user


@pytest.mark.parametrize("role", list(SEES))
@pytest.mark.parametrize("kind", KINDS)
def test_selector_scope_per_role(role, kind):
    case = _make(kind)
    assert complaints_visible_to(_user(role)).filter(pk=case.pk).exists() == (kind in SEES[role])


@pytest.mark.parametrize("role", [r for r in SEES if r != Role.PARTNER])
@pytest.mark.parametrize("kind", KINDS)
def test_case_page_answers_404_outside_the_users_scope(client, role, kind):
    case = _make(kind)
    client.force_login(_user(role))
    response = client.get(f"/complaints/{case.pk}/")
    assert response.status_code == (200 if kind in SEES[role] else 404)


def test_the_allocated_officer_sees_and_answers_only_their_own_corporate_cases(client):
    officer = user_with(Role.BACK_OFFICE)
    own = walk(complaint(), ["allocate"], officer=officer)
    other = walk(complaint(), ["allocate"])
    assert list(complaints_visible_to(officer)) == [own]
    client.force_login(officer)
    page = client.get(f"/complaints/{own.pk}/")
    assert page.status_code == 200
    assert b"Record the stage response" in page.content
    assert b"Escalate to the next stage" not in page.content
    assert client.get(f"/complaints/{other.pk}/").status_code == 404
    assert client.post(f"/complaints/{own.pk}/escalate/", {"escalate-reason": "x"}).status_code == 403


def test_an_allocated_officer_loses_sight_of_a_case_made_statutory():
    officer = user_with(Role.BACK_OFFICE)
    user_with(Role.SOCIAL_CARE_COMPLAINTS)
    case = walk(complaint(), ["allocate", "make_statutory"], officer=officer)
    assert not complaints_visible_to(officer).filter(pk=case.pk).exists()


def test_customer_timeline_lists_only_complaints_the_user_may_see():
    from django.apps import apps

    corporate = complaint()
    statutory = complaint(process=Process.STATUTORY, customer=corporate.customer)
    hook = apps.get_app_config("complaints").timeline_entries
    officer_entries = hook(corporate.customer, user_with(Role.COMPLAINTS_OFFICER))
    manager_entries = hook(corporate.customer, user_with(Role.MANAGER))
    assert [e.id for e in officer_entries] == [corporate.pk]
    assert sorted(e.id for e in manager_entries) == sorted([corporate.pk, statutory.pk])
    assert all(e.url for e in officer_entries + manager_entries)
    # An adviser knows of the corporate complaint as a summary without a link (its page would
    # answer 404), and nothing of the statutory one; back office knows of neither.
    adviser_entries = hook(corporate.customer, user_with(Role.ADVISER))
    assert [(e.id, e.url) for e in adviser_entries] == [(corporate.pk, "")]
    assert "awaiting allocation" in adviser_entries[0].detail
    assert hook(corporate.customer, user_with(Role.BACK_OFFICE)) == []
