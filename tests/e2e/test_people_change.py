"""People change (issue 18): a manager finds a leaver's work, marked as needing a new owner, and
passes all of it to a colleague in one step; the new owner is told."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import create_user, sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def leaver_with_work(transactional_db):
    from complaints import services as complaint_services
    from core.roles import Role
    from handoffs import services as handoff_services
    from tests.complaints.factories import complaint
    from tests.factories import TeamFactory
    from tests.handoffs.factories import open_handoff

    manager = create_user(Role.MANAGER, "e2e_head", first_name="Martin", last_name="Hughes")
    team = TeamFactory(code="revenues", name="Revenues", lead=manager)
    leaver = create_user(Role.COMPLAINTS_OFFICER, "e2e_leaver", first_name="Lee", last_name="Leaver",
                         line_manager=manager)
    colleague = create_user(Role.COMPLAINTS_OFFICER, "e2e_colleague", first_name="Cara",
                            last_name="Colleague")
    team.members.add(leaver, colleague)
    case = complaint_services.complaint_allocate(complaint=complaint(), actor=manager, officer=leaver)
    handoff = handoff_services.handoff_accept(handoff=open_handoff(team=team), actor=leaver)
    leaver.is_active = False
    leaver.save(update_fields=["is_active"])
    return manager, leaver, colleague, case, handoff


def test_a_manager_reassigns_a_leavers_work_in_one_step(page, check_page, leaver_with_work):
    from core.models import OutboundMessage

    manager, leaver, colleague, case, handoff = leaver_with_work
    sign_in(page, manager.username)
    attention = page.get_by_role("link", name="Leavers' work needing a new owner")
    expect(attention).to_be_visible()
    page.get_by_role("link", name="Staff work", exact=True).first.click()
    check_page(page, "people-staff-work", title="Staff work")
    row = page.locator("tr", has_text="Lee Leaver")
    expect(row.locator(".govuk-tag")).to_have_text("Needs a new owner")
    row.get_by_role("link", name="Reassign work").click()
    check_page(page, "people-reassign", title="Reassign the work of Lee Leaver")
    expect(page.get_by_role("link", name=case.reference)).to_be_visible()
    expect(page.get_by_role("link", name=f"Hand-off {handoff.pk}")).to_be_visible()

    page.get_by_role("button", name="Reassign all open work").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select who takes the work over.")
    check_page(page, "people-reassign-error", title="Error: Reassign the work of Lee Leaver")

    page.get_by_label("Who takes the work over").select_option(label="Cara Colleague")
    page.get_by_role("button", name="Reassign all open work").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "1 complaint and 1 hand-off passed from Lee Leaver to Cara Colleague")
    check_page(page, "people-staff-work-after", title="Staff work")
    expect(page.locator("tr", has_text="Lee Leaver")).to_have_count(0)
    expect(page.locator("tr", has_text="Cara Colleague").locator(".govuk-tag")).to_have_text("Active")

    page.goto(f"/complaints/{case.pk}/")
    expect(page.locator(".govuk-summary-list__row", has_text="Officer")).to_contain_text("Cara Colleague")
    assert OutboundMessage.objects.filter(recipient_user=colleague,
                                          subject__startswith="2 cases passed to you").count() == 1
