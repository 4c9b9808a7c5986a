"""The effect of proactive updates (issue 19, item 4): every figure of the report equals a recount
from the raw rows, by service, month and updates on or off."""

from collections import Counter
from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from contacts.models import ProactiveRule
from core.models import ChannelCode, MessageType
from core.roles import Role
from core.services import outbox_drain
from handoffs import services as handoffs
from intake.services import contact_log
from notify.models import MessageUnitCost
from notify.selectors import updates_effect
from tests.factories import CustomerFactory, EnquiryTypeFactory
from tests.handoffs.factories import officer_in, team_with_lead


def _moment(day: str, hour: int = 11):
    return timezone.make_aware(datetime.fromisoformat(f"{day}T{hour:02d}:00"))


@pytest.fixture
def data(settings):
    """Two enquiry types of one service (updates on for `told`, off for `silent`) and one of
    another service; hand-offs in January and February 2026, chasing contacts, and updates sent
    by email and text message."""
    team = team_with_lead()
    officer = officer_in(team)
    told = EnquiryTypeFactory(team=team, handoff_method="fire_and_forget", target_working_days=5)
    silent = EnquiryTypeFactory(team=team, service=told.service, handoff_method="fire_and_forget",
                                target_working_days=5)
    other = EnquiryTypeFactory(team=team, handoff_method="fire_and_forget", target_working_days=5)
    for event in (MessageType.HANDOFF_ACCEPTED, MessageType.HANDOFF_AT_RISK, MessageType.HANDOFF_RESOLVED,
                  MessageType.REQUEST_STATUS_CHANGED):
        ProactiveRule.objects.create(event=event, enquiry_type=silent, enabled=False)
    MessageUnitCost.objects.update_or_create(channel="sms", defaults={"unit_cost": Decimal("0.0240")})
    MessageUnitCost.objects.update_or_create(channel="email", defaults={"unit_cost": Decimal("0")})
    plan = [(told, "2026-01-12", "email"), (told, "2026-01-13", "sms"), (told, "2026-02-03", "sms"),
            (silent, "2026-01-14", "email"), (silent, "2026-02-10", "email"), (other, "2026-02-11", "sms"),
            (told, "2026-03-02", "email")]  # March: outside the report
    handed = []
    for n, (enquiry_type, day, channel) in enumerate(plan):
        customer = CustomerFactory(email=f"c{n}@example.com", phone=f"0770090{1000 + n}",
                                   message_channel=channel, **{f"consent_{channel}": True})
        taken = contact_log(actor=officer, source="adviser", channel=ChannelCode.TELEPHONE,
                            service=enquiry_type.service, enquiry_type=enquiry_type, customer=customer,
                            summary="Bin not collected", received_at=_moment(day))
        handed.append(taken.handoff)
        with time_machine.travel(_moment(day, 12), tick=False):
            handoffs.handoff_accept(handoff=taken.handoff, actor=officer)
            outbox_drain()
    # Chasing contacts: two about the first January hand-off, one in February about a silent one,
    # one progress-chasing contact with no hand-off named.
    for handoff, day in ((handed[0], "2026-01-20"), (handed[0], "2026-01-21"), (handed[4], "2026-02-20")):
        contact_log(actor=officer, source="adviser", channel=ChannelCode.TELEPHONE,
                    service=handoff.contact.service, enquiry_type=handoff.contact.enquiry_type,
                    customer=handoff.contact.customer, summary="Where is it?", chasing=handoff.pk,
                    received_at=_moment(day))
    from tests.factories import avoidable_reason
    contact_log(actor=officer, source="adviser", channel=ChannelCode.TELEPHONE, service=other.service,
                enquiry_type=other, summary="Any news?", avoidable=True,
                avoidable_reason=avoidable_reason("progress_chasing"), received_at=_moment("2026-02-24"))
    return {"told": told, "silent": silent, "other": other}


def _recount(on_types: set[int]):
    """The figures straight from the tables, grouped as the report groups them."""
    grouped = Counter()
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT s.name, date_trunc('month', h.opened_at AT TIME ZONE 'Europe/London')::date,
                   c.enquiry_type_id
            FROM handoffs_handoff h JOIN contacts_contact c ON c.id = h.contact_id
            JOIN core_service s ON s.id = c.service_id
            WHERE h.opened_at >= '2026-01-01' AND h.opened_at < '2026-03-01'""")
        for service, month, type_id in cursor.fetchall():
            grouped[(service, month, type_id in on_types, "handoffs")] += 1
        cursor.execute("""
            SELECT s.name, date_trunc('month', c.received_at AT TIME ZONE 'Europe/London')::date,
                   c.enquiry_type_id
            FROM contacts_contact c JOIN core_service s ON s.id = c.service_id
            JOIN core_avoidablereason r ON r.id = c.avoidable_reason_id
            WHERE r.code = 'progress_chasing'
              AND c.received_at >= '2026-01-01' AND c.received_at < '2026-03-01'""")
        for service, month, type_id in cursor.fetchall():
            grouped[(service, month, type_id in on_types, "chasing")] += 1
        cursor.execute("""
            SELECT s.name, date_trunc('month', m.sent_at AT TIME ZONE 'Europe/London')::date,
                   c.enquiry_type_id, m.channel
            FROM core_outboundmessage m JOIN handoffs_handoff h ON h.id::text = m.object_id
            JOIN contacts_contact c ON c.id = h.contact_id JOIN core_service s ON s.id = c.service_id
            WHERE m.object_type = 'handoffs.handoff' AND m.recipient_type = 'contacts.customer'
              AND m.sent_at >= '2026-01-01' AND m.sent_at < '2026-03-01'""")
        for service, month, type_id, channel in cursor.fetchall():
            grouped[(service, month, type_id in on_types, channel)] += 1
    return grouped


@pytest.mark.django_db
def test_every_figure_equals_a_recount_from_raw_rows(data):
    if connection.vendor != "postgresql":
        pytest.skip("the recount is PostgreSQL SQL")
    rows = updates_effect(date_from=date(2026, 1, 1), date_to=date(2026, 2, 28))
    on_types = {data["told"].pk, data["other"].pk}
    expected = _recount(on_types)
    got = Counter()
    for row in rows:
        key = (row.service, row.month, row.updates_on)
        for name, value in (("handoffs", row.handoffs), ("chasing", row.chasing), *row.messages.items()):
            if value:
                got[(*key, name)] += value
        assert row.cost == Decimal("0.0240") * row.messages["sms"]
        if row.handoffs:
            assert row.chasing_per_thousand == round(1000 * row.chasing / row.handoffs, 1)
    assert got == expected
    # And the figures a person would count by hand from the fixture's story:
    told = next(r for r in rows if r.month == date(2026, 1, 1) and r.updates_on
                and r.service == data["told"].service.name)
    assert (told.handoffs, told.chasing, told.messages["email"], told.messages["sms"]) == (2, 2, 1, 1)
    assert told.chasing_per_thousand == 1000.0
    silent_feb = next(r for r in rows if r.month == date(2026, 2, 1) and not r.updates_on)
    assert (silent_feb.handoffs, silent_feb.chasing, silent_feb.messages_sent) == (1, 1, 0)
    assert not [r for r in rows if r.month == date(2026, 3, 1)]


@pytest.mark.django_db
def test_a_service_filter_keeps_only_its_rows(data):
    rows = updates_effect(date_from=date(2026, 1, 1), date_to=date(2026, 2, 28),
                          service_id=data["other"].service_id)
    assert {row.service for row in rows} == {data["other"].service.name}
    [row] = rows
    # February: its hand-off, and the one the chasing contact that named none opened itself.
    assert (row.handoffs, row.chasing, row.messages["sms"]) == (2, 1, 1)


@pytest.mark.django_db
def test_the_page_shows_the_report_to_managers_only(data, client_for):
    query = "?date_from=2026-01-01&date_to=2026-02-01"
    with time_machine.travel(_moment("2026-03-10")):
        page = client_for(Role.MANAGER).get(f"/notify/effect/{query}")
        refused = [client_for(role).get(f"/notify/effect/{query}").status_code
                   for role in (Role.ADVISER, Role.BACK_OFFICE, Role.COMPLAINTS_OFFICER)]
        bad = client_for(Role.MANAGER).get("/notify/effect/?date_from=2026-02-01&date_to=2026-01-01")
        unknown = client_for(Role.MANAGER).get("/notify/effect/?date_from=1999-01-01&date_to=x")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Chasing per 1,000 hand-offs" in html and "January 2026" in html and "1000.0" in html
    assert refused == [403, 403, 403]
    assert bad.status_code == 400
    assert "The last month must be the same as or after the first month." in bad.content.decode()
    assert unknown.status_code == 400
    assert "Select a month from the list." in unknown.content.decode()
