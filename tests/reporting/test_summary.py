"""The summary rows equal a raw recount after every kind of write to contacts."""

from datetime import datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from contacts.models import Contact
from core.models import AvoidableReason
from reporting.models import ContactDailySummary
from reporting.selectors import monthly_mismatches, raw_counts, summary_counts, summary_mismatches
from tests.factories import ContactFactory, ServiceFactory
from tests.reporting.factories import LONDON, varied_contacts

pytestmark = pytest.mark.django_db(transaction=False)


def assert_exact():
    assert summary_mismatches() == []
    assert sum(summary_counts().values()) == Contact.objects.count()
    # The monthly rows equal a recount of the raw contacts by month, too.
    from collections import Counter

    from reporting.models import ContactMonthlySummary
    by_month = Counter()
    for key, n in raw_counts().items():
        by_month[(key[0].replace(day=1), *key[1:])] += n
    monthly = {(r[0], *r[1:-1]): r[-1] for r in ContactMonthlySummary.objects.exclude(count=0)
               .values_list("day", "service_id", "enquiry_type_id", "channel", "site_id", "avoidable",
                            "avoidable_reason_id", "resolved_at_first_contact", "count")}
    assert monthly == dict(by_month)
    assert monthly_mismatches() == []


def test_inserts_are_counted():
    varied_contacts(80)
    assert_exact()
    assert raw_counts()  # varied data really spread over many keys
    assert len(summary_counts()) > 20


def test_back_dated_contact_lands_on_its_own_day():
    varied_contacts(20)
    old = datetime(2024, 3, 31, 23, 30, tzinfo=LONDON)  # BST: still 31 March in London
    ContactFactory(received_at=old, customer=None)
    assert_exact()
    assert ContactDailySummary.objects.filter(day="2024-03-31").exists()


def test_queryset_updates_move_counts():
    contacts = varied_contacts(60)
    other = ServiceFactory()
    reason = AvoidableReason.objects.order_by("code").first()
    ids = [c.pk for c in contacts[:20]]
    Contact.objects.filter(pk__in=ids).update(service=other, enquiry_type=None)
    Contact.objects.filter(pk__in=ids[:10]).update(avoidable=True, avoidable_reason=reason)
    Contact.objects.filter(pk__in=ids[10:]).update(avoidable=False, avoidable_reason=None)
    new_at = timezone.now() - timedelta(days=400)
    Contact.objects.filter(pk__in=ids[5:15]).update(
        received_at=new_at, received_date=timezone.localtime(new_at).date())
    Contact.objects.filter(pk__in=ids).update(summary="unrelated change")
    assert_exact()
    assert sum(n for k, n in summary_counts().items() if k[1] == other.pk) == 20


def test_save_edits_move_counts():
    contacts = varied_contacts(30)
    contact = contacts[0]
    contact.service = ServiceFactory()
    contact.enquiry_type = None
    contact.channel = "web"
    contact.received_at = contact.received_at - timedelta(days=40)
    contact.received_date = timezone.localtime(contact.received_at).date()
    contact.save()
    assert_exact()


def test_deletes_and_bulk_insert():
    contacts = varied_contacts(40)
    Contact.objects.filter(pk__in=[c.pk for c in contacts[:15]]).delete()
    contacts[20].delete()
    assert_exact()
    template = contacts[30]
    Contact.objects.bulk_create([
        Contact(channel=template.channel, service=template.service, received_at=template.received_at,
                received_date=template.received_date, summary="bulk", created_at=timezone.now())
        for _ in range(250)
    ])
    assert_exact()


def test_rebuild_and_check_commands():
    varied_contacts(30)
    call_command("reporting_check", stdout=StringIO())
    ContactDailySummary.objects.filter(pk=ContactDailySummary.objects.order_by("pk").first().pk) \
        .update(count=999)
    with pytest.raises(CommandError):
        call_command("reporting_check", stdout=StringIO(), stderr=StringIO())
    call_command("reporting_rebuild", stdout=StringIO())
    call_command("reporting_check", stdout=StringIO())
    assert_exact()
    from reporting.models import ContactMonthlySummary
    ContactMonthlySummary.objects.filter(pk=ContactMonthlySummary.objects.order_by("pk").first().pk) \
        .update(count=555)
    with pytest.raises(CommandError, match="monthly"):
        call_command("reporting_check", stdout=StringIO(), stderr=StringIO())
    call_command("reporting_rebuild", stdout=StringIO())
    assert_exact()
