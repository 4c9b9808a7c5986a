"""Reads of the notify app: the effect of proactive updates (issue 19, item 4).

Progress-chasing contacts per 1,000 hand-offs, by service and month, split by whether proactive
updates are on for the enquiry type, with the updates sent and their cost:
- hand-offs: opened in the month (`Handoff.opened_at`), by the contact's service and enquiry type;
- progress-chasing contacts: contacts received in the month with the NI14 reason
  `progress_chasing`, by their service and enquiry type;
- updates: messages to customers about hand-offs, sent in the month (`sent_at`), by the hand-off's
  service and enquiry type and by channel, costed at `MessageUnitCost`;
- "on": an update rule about hand-offs (accepted, about to be missed, resolved) is on for the
  enquiry type today (ProactiveRule); rules keep no history, so a type switched over recently
  counts on both sides of its past under its current setting.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import BigIntegerField, Count, F, OuterRef, Subquery
from django.db.models.functions import Cast, TruncMonth
from django.utils import timezone

from contacts.models import Contact, ProactiveRule
from contacts.services import proactive_rule_for
from core.models import EnquiryType, MessageType, OutboundMessage
from handoffs.models import Handoff
from notify.models import MessageUnitCost

HANDOFF_EVENTS = (MessageType.HANDOFF_ACCEPTED, MessageType.HANDOFF_AT_RISK,
                  MessageType.HANDOFF_RESOLVED, MessageType.REQUEST_STATUS_CHANGED)
CHANNELS = [choice for choice, _ in OutboundMessage.Channel.choices]


@dataclass
class EffectRow:
    service: str
    month: date
    updates_on: bool
    handoffs: int = 0
    chasing: int = 0
    messages: dict = field(default_factory=lambda: dict.fromkeys(CHANNELS, 0))
    cost: Decimal = Decimal("0")

    @property
    def chasing_per_thousand(self) -> float | None:
        return round(1000 * self.chasing / self.handoffs, 1) if self.handoffs else None

    @property
    def messages_sent(self) -> int:
        return sum(self.messages.values())


def enquiry_types_with_updates() -> set[int]:
    """The enquiry types for which some update about hand-offs is on today."""
    rules = defaultdict(dict)
    for rule in ProactiveRule.objects.filter(event__in=HANDOFF_EVENTS):
        rules[rule.event][rule.enquiry_type_id] = rule
    on = set()
    for type_id in EnquiryType.objects.values_list("pk", flat=True):
        if any((rule := proactive_rule_for(by_type, type_id)) is not None and rule.enabled
               for by_type in rules.values()):
            on.add(type_id)
    return on


def updates_effect(*, date_from: date, date_to: date, service_id: int | None = None) -> list[EffectRow]:
    """The report's rows, by service, month and updates on/off, in that order; `date_to`
    included."""
    start = timezone.make_aware(datetime.combine(date_from, time.min))
    end = timezone.make_aware(datetime.combine(date_to + timedelta(days=1), time.min))
    on = enquiry_types_with_updates()
    rows: dict[tuple, EffectRow] = {}

    def row(service: str, month, type_id) -> EffectRow:
        key = (service, month.date() if hasattr(month, "date") else month, type_id in on)
        if key not in rows:
            rows[key] = EffectRow(service=key[0], month=key[1], updates_on=key[2])
        return rows[key]

    handoffs = Handoff.objects.filter(opened_at__gte=start, opened_at__lt=end)
    chasing = Contact.objects.filter(received_at__gte=start, received_at__lt=end,
                                     avoidable_reason__code="progress_chasing")
    if service_id is not None:
        handoffs = handoffs.filter(contact__service_id=service_id)
        chasing = chasing.filter(service_id=service_id)
    for found in (handoffs.values(service_name=F("contact__service__name"),
                                  type_id=F("contact__enquiry_type_id"), month=TruncMonth("opened_at"))
                  .annotate(n=Count("pk")).order_by()):
        row(found["service_name"], found["month"], found["type_id"]).handoffs += found["n"]
    for found in (chasing.values(service_name=F("service__name"), type_id=F("enquiry_type_id"),
                                 month=TruncMonth("received_at")).annotate(n=Count("pk")).order_by()):
        row(found["service_name"], found["month"], found["type_id"]).chasing += found["n"]

    about = Handoff.objects.filter(pk=Cast(OuterRef("object_id"), BigIntegerField()))
    messages = (OutboundMessage.objects
                .filter(recipient_type="contacts.customer", object_type="handoffs.handoff",
                        sent_at__gte=start, sent_at__lt=end)
                .annotate(service_name=Subquery(about.values("contact__service__name")[:1]),
                          service_pk=Subquery(about.values("contact__service_id")[:1]),
                          type_id=Subquery(about.values("contact__enquiry_type_id")[:1])))
    if service_id is not None:
        messages = messages.filter(service_pk=service_id)
    costs = dict(MessageUnitCost.objects.values_list("channel", "unit_cost"))
    for found in (messages.values("service_name", "type_id", "channel", month=TruncMonth("sent_at"))
                  .annotate(n=Count("pk")).order_by()):
        target = row(found["service_name"], found["month"], found["type_id"])
        target.messages[found["channel"]] = target.messages.get(found["channel"], 0) + found["n"]
        target.cost += costs.get(found["channel"], Decimal("0")) * found["n"]
    return sorted(rows.values(), key=lambda r: (r.service, r.month, not r.updates_on))
