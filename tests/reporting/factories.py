"""Varied contacts for the reporting tests."""

import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.models import AvoidableReason, ChannelCode
from tests.factories import ContactFactory, EnquiryTypeFactory, ServiceFactory, SiteFactory

LONDON = ZoneInfo("Europe/London")


def varied_contacts(n: int = 60, seed: int = 1, start=None, days: int = 120):
    """n contacts over `days` days across 3 services, 2 enquiry types each, channels, 2 sites
    (or none), avoidable with varied reasons, first-contact resolution or not."""
    rng = random.Random(seed)
    services = [ServiceFactory() for _ in range(3)]
    types = {s.pk: [EnquiryTypeFactory(service=s) for _ in range(2)] + [None] for s in services}
    sites = [SiteFactory(), SiteFactory(), None]
    reasons = list(AvoidableReason.objects.order_by("code")[:3])
    start = start or (datetime.now(LONDON).date() - timedelta(days=days))
    contacts = []
    for _ in range(n):
        service = rng.choice(services)
        day = start + timedelta(days=rng.randrange(days))
        at = datetime.combine(day, time(rng.randrange(0, 24), rng.randrange(60)), tzinfo=LONDON)
        avoidable = rng.random() < 0.35
        contacts.append(ContactFactory(
            service=service, enquiry_type=rng.choice(types[service.pk]),
            channel=rng.choice(ChannelCode.values), site=rng.choice(sites), received_at=at,
            avoidable=avoidable, avoidable_reason=rng.choice(reasons) if avoidable else None,
            resolved_at_first_contact=rng.random() < 0.7, customer=None,
        ))
    return contacts
