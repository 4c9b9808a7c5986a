"""People change (issue 18, item 4): a manager passes all of one officer's open work on in one
step; deactivated accounts are sent nothing; stage 2 and premature Ombudsman complaints go only to
senior officers, at every door."""

import html

import pytest
from django.core.exceptions import ValidationError

from complaints.models import Status
from complaints.services import complaint_allocate
from core.models import AuditEvent, OutboundMessage
from core.roles import Role
from handoffs import services as handoff_services
from handoffs.models import Handoff, HandoffUpdate
from people.selectors import officers_needing_new_owner_count, officers_with_open_work
from people.services import officer_work_reassign
from tests.complaints.factories import complaint, user_with, walk
from tests.handoffs.factories import CA, officer_in, open_handoff, team_with_lead


def _leaver_with_work():
    """An officer with two open complaints, one responded (left alone), one closed, and one
    hand-off in their team's queue, plus a colleague in the same team."""
    manager = user_with(Role.MANAGER)
    team = team_with_lead()
    leaver = officer_in(team, Role.COMPLAINTS_OFFICER, line_manager=manager)
    colleague = officer_in(team, Role.COMPLAINTS_OFFICER)
    open_cases = [walk(complaint(), ["allocate"], officer=leaver) for _ in range(2)]
    responded = walk(complaint(), ["allocate", "respond"], officer=leaver)
    closed = walk(complaint(), ["allocate", "respond", "close"], officer=leaver)
    handoff = handoff_services.handoff_accept(handoff=open_handoff(team=team), actor=leaver)
    return manager, leaver, colleague, open_cases, responded, closed, handoff


@pytest.mark.django_db
def test_all_open_complaints_and_handoffs_pass_to_the_new_owner_with_audit_and_one_notice():
    manager, leaver, colleague, open_cases, responded, closed, handoff = _leaver_with_work()
    OutboundMessage.objects.all().delete()

    moved = officer_work_reassign(actor=manager, officer=leaver, new_officer=colleague)

    assert sorted(c.pk for c in moved["complaints"]) == sorted(c.pk for c in open_cases)
    assert [h.pk for h in moved["handoffs"]] == [handoff.pk]
    for case in open_cases:
        case.refresh_from_db()
        assert case.assigned_to == colleague and case.status == Status.OPEN
        event = case.events.order_by("-at", "-pk").first()
        assert (event.action, event.actor, event.data["officer"]) == ("allocate", manager, colleague.username)
    responded.refresh_from_db()
    closed.refresh_from_db()
    assert responded.assigned_to == leaver and closed.assigned_to == leaver  # not open work
    handoff.refresh_from_db()
    assert handoff.assigned_to == colleague
    assert handoff.updates.filter(kind=HandoffUpdate.Kind.REASSIGNED, author=manager).count() == 1
    record = AuditEvent.objects.get(action="officer_work_reassigned")
    assert (record.actor, record.object_id) == (manager, str(leaver.pk))
    assert sorted(record.changes["complaints"]) == sorted(c.pk for c in open_cases)
    assert record.changes["handoffs"] == [handoff.pk]
    notice = OutboundMessage.objects.get(recipient_user=colleague)
    assert notice.subject == f"3 cases passed to you from {leaver}"
    for case in open_cases:
        assert case.reference in notice.body
    assert f"Hand-off {handoff.pk}" in notice.body
    assert not OutboundMessage.objects.exclude(recipient_user=colleague).exists()


@pytest.mark.django_db
def test_nothing_moves_when_one_case_cannot_go_to_the_new_owner():
    """A hand-off stays in its team: a new owner outside it refuses the lot, and says why."""
    manager, leaver, _, open_cases, _, _, handoff = _leaver_with_work()
    outsider = user_with(Role.COMPLAINTS_OFFICER)
    with pytest.raises(ValidationError) as refused:
        officer_work_reassign(actor=manager, officer=leaver, new_officer=outsider)
    assert any(f"Hand-off {handoff.pk}: Select a member of {handoff.team.name}." == message
               for message in refused.value.messages)
    for case in open_cases:
        case.refresh_from_db()
        assert case.assigned_to == leaver
    handoff.refresh_from_db()
    assert handoff.assigned_to == leaver
    assert not AuditEvent.objects.filter(action="officer_work_reassigned").exists()


@pytest.mark.django_db
def test_stage_two_work_goes_only_to_a_senior_officer():
    manager = user_with(Role.MANAGER)
    senior_leaver = user_with(Role.COMPLAINTS_OFFICER, is_senior_officer=True)
    stage_two = walk(complaint(), ["allocate", "respond", "escalate"])
    stage_two = complaint_allocate(complaint=stage_two, actor=manager, officer=senior_leaver)
    plain = user_with(Role.COMPLAINTS_OFFICER)
    with pytest.raises(ValidationError) as refused:
        officer_work_reassign(actor=manager, officer=senior_leaver, new_officer=plain)
    assert refused.value.messages == [
        f"Complaint {stage_two.reference} is at stage 2 and must be allocated to a senior officer; "
        f"{plain} is not marked as one."]
    senior = user_with(Role.COMPLAINTS_OFFICER, is_senior_officer=True)
    officer_work_reassign(actor=manager, officer=senior_leaver, new_officer=senior)
    stage_two.refresh_from_db()
    assert stage_two.assigned_to == senior


@pytest.mark.django_db
@pytest.mark.parametrize("new_owner, message", [
    ("inactive", "Select an active member of staff to take the work over."),
    ("partner", "Select an active member of staff to take the work over."),
    ("none", "Select an active member of staff to take the work over."),
    ("same", "Select someone other than the officer whose work it is."),
])
def test_bad_new_owners_are_refused(new_owner, message):
    manager, leaver, colleague, *_ = _leaver_with_work()
    chosen = {"inactive": user_with(Role.COMPLAINTS_OFFICER, is_active=False),
              "partner": user_with(Role.PARTNER), "none": None, "same": leaver}[new_owner]
    with pytest.raises(ValidationError) as refused:
        officer_work_reassign(actor=manager, officer=leaver, new_officer=chosen)
    assert refused.value.messages == [message]


@pytest.mark.django_db
def test_an_officer_with_no_open_work_is_refused():
    manager, colleague = user_with(Role.MANAGER), user_with(Role.COMPLAINTS_OFFICER)
    idle = user_with(Role.COMPLAINTS_OFFICER)
    with pytest.raises(ValidationError) as refused:
        officer_work_reassign(actor=manager, officer=idle, new_officer=colleague)
    assert refused.value.messages == [f"{idle} has no open complaints or hand-offs to pass on."]


@pytest.mark.django_db
def test_a_deactivated_officers_work_shows_as_needing_a_new_owner():
    manager, leaver, colleague, *_ = _leaver_with_work()
    assert officers_needing_new_owner_count() == 0
    leaver.is_active = False
    leaver.save(update_fields=["is_active"])
    rows = officers_with_open_work()
    assert [(row.officer, row.needs_new_owner, row.complaints, row.handoffs) for row in rows] == [
        (leaver, True, 2, 1)]
    assert officers_needing_new_owner_count() == 1
    officer_work_reassign(actor=manager, officer=leaver, new_officer=colleague)
    assert officers_needing_new_owner_count() == 0
    assert [(row.officer, row.needs_new_owner) for row in officers_with_open_work()] == [(colleague, False)]
    assert Handoff.objects.get().assigned_to == colleague


@pytest.mark.django_db
def test_a_leaving_advisers_customer_advocate_handoffs_pass_to_the_new_owner():
    """Customer Advocate: the adviser who took the enquiry owns it for the front office while a
    back-office team works it. When they leave, the new owner becomes the advocate and hears
    of the team's updates; the team's own assignment is left alone."""
    manager = user_with(Role.MANAGER)
    leaver, successor = user_with(Role.ADVISER), user_with(Role.ADVISER)
    team = team_with_lead()
    worker = officer_in(team)
    advocated = handoff_services.handoff_accept(handoff=open_handoff(method=CA, team=team, adviser=leaver),
                                                actor=worker)
    resolved = open_handoff(method=CA, team=team, adviser=leaver)
    handoff_services.handoff_resolve(handoff=resolved, actor=worker, outcome="Done")
    leaver.is_active = False
    leaver.save(update_fields=["is_active"])
    assert [(row.officer, row.needs_new_owner, row.complaints, row.handoffs, row.advocated)
            for row in officers_with_open_work()] == [(leaver, True, 0, 0, 1), (worker, False, 0, 1, 0)]
    assert officers_needing_new_owner_count() == 1
    OutboundMessage.objects.all().delete()

    moved = officer_work_reassign(actor=manager, officer=leaver, new_officer=successor)

    assert ([h.pk for h in moved["advocated"]], moved["complaints"], moved["handoffs"]) == (
        [advocated.pk], [], [])
    advocated.refresh_from_db()
    resolved.refresh_from_db()
    assert (advocated.advocate, advocated.assigned_to) == (successor, worker)
    assert resolved.advocate == leaver  # a resolved enquiry is history
    entry = advocated.updates.get(kind=HandoffUpdate.Kind.REASSIGNED)
    assert (entry.author, entry.note) == (manager, f"Customer advocate changed from {leaver} to {successor}.")
    assert AuditEvent.objects.get(action="handoff_advocate_changed").changes == {
        "advocate": [leaver.username, successor.username]}
    assert AuditEvent.objects.get(action="officer_work_reassigned").changes["advocated"] == [advocated.pk]
    notice = OutboundMessage.objects.get()
    assert (notice.recipient_user, notice.subject) == (successor, f"1 case passed to you from {leaver}")
    assert f"Hand-off {advocated.pk} ({team.name}): you are now the customer's advocate" in notice.body
    assert officers_needing_new_owner_count() == 0
    # The new advocate is told of the team's next update, as the first one would have been.
    handoff_services.handoff_add_update(handoff=advocated, actor=worker, note="Crew booked")
    assert OutboundMessage.objects.filter(recipient_user=successor).count() == 2


@pytest.mark.django_db
def test_the_reassign_page_lists_advocated_handoffs_and_says_what_moved(client):
    manager = user_with(Role.MANAGER)
    leaver, successor = user_with(Role.ADVISER), user_with(Role.ADVISER)
    handoff = open_handoff(method=CA, adviser=leaver)
    client.force_login(manager)
    page = client.get(f"/people/{leaver.pk}/reassign/").content.decode()
    assert "Customer advocate on (1)" in page and f"Hand-off {handoff.pk}</a>" in page
    staff = client.get("/people/").content.decode()
    assert "Customer advocate on" in staff and str(leaver) in staff
    response = client.post(f"/people/{leaver.pk}/reassign/", {"new_officer": successor.pk}, follow=True)
    assert (f"{successor} is now the customer's advocate on 1 hand-off instead of {leaver}. "
            f"{successor} has been told.") in html.unescape(response.content.decode())
    handoff.refresh_from_db()
    assert handoff.advocate == successor


@pytest.mark.django_db
def test_each_count_is_the_officers_own_whatever_else_they_hold(django_assert_num_queries):
    """One officer holding 2 open complaints (plus a responded one), 3 unresolved hand-offs (plus a
    resolved one) and 2 Customer Advocate hand-offs, beside a colleague with one of each: every
    count is exact (counted per officer, not over a join of the three), in one query."""
    team = team_with_lead()
    busy, other = officer_in(team, Role.COMPLAINTS_OFFICER), officer_in(team, Role.COMPLAINTS_OFFICER)
    for _ in range(2):
        walk(complaint(), ["allocate"], officer=busy)
    walk(complaint(), ["allocate", "respond"], officer=busy)
    walk(complaint(), ["allocate"], officer=other)
    held = [handoff_services.handoff_accept(handoff=open_handoff(team=team), actor=busy) for _ in range(4)]
    handoff_services.handoff_resolve(handoff=held[0], actor=busy, outcome="Done")
    handoff_services.handoff_accept(handoff=open_handoff(team=team), actor=other)
    for _ in range(2):
        open_handoff(method=CA, team=team, adviser=busy)
    open_handoff(method=CA, team=team, adviser=other)
    with django_assert_num_queries(1):
        rows = {row.officer: (row.complaints, row.handoffs, row.advocated)
                for row in officers_with_open_work()}
    assert rows[busy] == (2, 3, 2)
    assert rows[other] == (1, 1, 1)
