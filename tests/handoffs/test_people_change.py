"""Issue 18, "People change", for hand-offs: a deactivated officer is sent nothing (the team lead
is reminded instead), and a hand-off nobody accepts past the triage limit alerts the team lead."""

from datetime import date

import pytest
import time_machine

from core.models import OutboundMessage
from core.roles import Role
from handoffs import services
from handoffs.services import handoffs_alert_triage, handoffs_enforce_deadlines
from tests.handoffs.factories import at, officer_in, open_handoff, team_with_lead, user_with

pytestmark = pytest.mark.django_db


def test_a_deactivated_officers_reminder_goes_to_the_team_lead():
    """Received Monday 9 January 2023, 5 working days: due Monday 16; reminder on Friday 13."""
    team = team_with_lead()
    leaver = officer_in(team)
    with time_machine.travel(at("2023-01-09", 12), tick=False):
        handoff = services.handoff_accept(handoff=open_handoff(team=team, received_at=at("2023-01-09", 9)),
                                          actor=leaver)
    leaver.is_active = False
    leaver.save(update_fields=["is_active"])
    handoffs_enforce_deadlines(today=date(2023, 1, 13))
    reminder = OutboundMessage.objects.get(dedupe_key__startswith=f"handoff:{handoff.pk}:reminder:")
    assert reminder.recipient_user == team.lead
    assert not OutboundMessage.objects.filter(recipient_user=leaver).exists()


def _unaccepted(team):
    """Opened Thursday 4 May 2023 (20 working days to resolve). The triage limit of 2 working
    days skips Monday 8 May (the coronation bank holiday): it passes on Wednesday 10 May."""
    with time_machine.travel(at("2023-05-04", 12), tick=False):
        return open_handoff(team=team, days=20, received_at=at("2023-05-04", 9))


def test_an_unaccepted_handoff_alerts_the_team_lead_once_after_the_limit():
    team = team_with_lead()
    handoff = _unaccepted(team)
    assert handoffs_alert_triage(today=date(2023, 5, 9)) == 0
    assert handoffs_enforce_deadlines(today=date(2023, 5, 10))["triage_alerts"] == 1
    assert handoffs_alert_triage(today=date(2023, 5, 11)) == 0
    alert = OutboundMessage.objects.get(dedupe_key__contains=":triage:")
    assert alert.recipient_user == team.lead
    assert alert.subject == f"Not accepted: hand-off {handoff.pk} ({team.name})"


def test_an_accepted_handoff_raises_no_alert():
    team = team_with_lead()
    handoff = _unaccepted(team)
    with time_machine.travel(at("2023-05-05", 12), tick=False):
        services.handoff_accept(handoff=handoff, actor=officer_in(team))
    assert handoffs_alert_triage(today=date(2023, 5, 12)) == 0


def test_with_no_active_lead_every_active_manager_is_alerted(settings):
    settings.TRIAGE_WORKING_DAYS = 3
    team = team_with_lead()
    team.lead.is_active = False
    team.lead.save(update_fields=["is_active"])
    managers = [user_with(Role.MANAGER), user_with(Role.MANAGER)]
    _unaccepted(team)
    assert handoffs_alert_triage(today=date(2023, 5, 10)) == 0  # the limit is now 3 working days
    assert handoffs_alert_triage(today=date(2023, 5, 11)) == 2
    alerted = sorted(message.recipient_user_id for message in OutboundMessage.objects.all())
    assert alerted == sorted(manager.pk for manager in managers)


def test_an_alerted_handoff_is_flagged_and_not_read_again():
    """The sweep reads only late hand-offs not yet alerted on (its own flag): with the outbox
    row gone, a later sweep still tells nobody again."""
    team = team_with_lead()
    handoff = _unaccepted(team)
    assert handoffs_alert_triage(today=date(2023, 5, 10)) == 1
    handoff.refresh_from_db()
    assert handoff.triage_alerted_at is not None
    OutboundMessage.objects.all().delete()
    assert handoffs_alert_triage(today=date(2023, 5, 12)) == 0
    assert not OutboundMessage.objects.exists()


def test_a_late_handoff_with_nobody_to_tell_is_tried_again(settings):
    team = team_with_lead()
    team.lead.is_active = False
    team.lead.save(update_fields=["is_active"])
    handoff = _unaccepted(team)
    assert handoffs_alert_triage(today=date(2023, 5, 10)) == 0  # no lead, no managers
    handoff.refresh_from_db()
    assert handoff.triage_alerted_at is None
    manager = user_with(Role.MANAGER)
    assert handoffs_alert_triage(today=date(2023, 5, 11)) == 1
    assert OutboundMessage.objects.get().recipient_user == manager


def test_the_alert_counts_working_days_since_the_handoff_was_opened():
    """Opened Thursday 4 May 2023; alerted on Friday 12 May: 5, 9, 10, 11 and 12 May (Monday
    8 May was the coronation bank holiday)."""
    _unaccepted(team_with_lead())
    assert handoffs_alert_triage(today=date(2023, 5, 12)) == 1
    assert "has waited 5 working days since 4 May 2023" in OutboundMessage.objects.get().body
