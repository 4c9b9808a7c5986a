"""`manage.py generate_data` makes the volumes asked for, consistent with the demo catalogue, with
the summary rows exact and exactly `--due` items for the deadline sweeps."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F, Max
from django.utils import timezone

from complaints.models import Complaint, ComplaintStage
from contacts.models import Contact, Customer
from core.models import EnquiryType, HandoffMethod, Service
from core.working_days import calendar
from handoffs.models import Handoff, HandoffUpdate
from handoffs.services import handoffs_alert_triage
from reporting.selectors import handoff_summary_mismatches, summary_mismatches

pytestmark = pytest.mark.django_db(transaction=False)


def _highest(model) -> int:
    return model.objects.aggregate(top=Max("pk"))["top"] or 0


def test_generate_data_counts_summary_and_due_items():
    call_command("seed_demo", "--days", "0", stdout=StringIO())
    marks = {model: _highest(model) for model in (Customer, Contact, Handoff, Complaint)}
    out = StringIO()
    call_command("generate_data", "--contacts", "3000", "--customers", "300", "--handoffs", "200",
                 "--complaints", "50", "--due", "25", "--days", "120", "--seed", "3", stdout=out)

    customers = Customer.objects.filter(pk__gt=marks[Customer])
    contacts = Contact.objects.filter(pk__gt=marks[Contact])
    handoffs = Handoff.objects.filter(pk__gt=marks[Handoff])
    complaints = Complaint.objects.filter(pk__gt=marks[Complaint])
    assert (customers.count(), contacts.count(), handoffs.count(), complaints.count()) == (300, 3000, 200, 50)

    # The contact and hand-off summary rows equal a raw recount, and the consistency check agrees.
    assert summary_mismatches() == []
    assert handoff_summary_mismatches() == []
    call_command("reporting_check", stdout=StringIO())

    # Consistent with the catalogue: every contact's type belongs to its service, avoidable ones
    # have a reason, the period is respected, and the proportions are the demo's.
    today = timezone.localdate()
    assert not contacts.exclude(enquiry_type__service=F("service")).exists()
    assert not contacts.filter(avoidable=True, avoidable_reason__isnull=True).exists()
    assert contacts.filter(received_date__lt=today).count() == 3000
    assert contacts.filter(received_date__gte=today - timedelta(days=120)).count() == 3000
    assert 0.15 < contacts.filter(avoidable=True).count() / 3000 < 0.40
    assert 0.35 < contacts.filter(channel="telephone").count() / 3000 < 0.55
    assert customers.values("phone").distinct().count() == 300

    # Hand-offs: on the newest contacts that call for one, whose enquiries stay open; no other
    # generated enquiry is open.
    assert not handoffs.filter(status=Handoff.Status.RESOLVED).exists()
    assert not handoffs.filter(contact__handoff_method=HandoffMethod.ONE_AND_DONE).exists()
    assert contacts.filter(enquiry_closed_at__isnull=True).count() == 200
    assert not contacts.filter(enquiry_closed_at__isnull=True, handoffs__isnull=True).exists()
    assert HandoffUpdate.objects.filter(handoff__in=handoffs, kind="opened").count() == 200
    # Each carries its contact's customer (the work lists' search reads it), a customer or none.
    assert not handoffs.exclude(contact_customer_id=F("contact__customer_id")).exclude(
        contact_customer_id__isnull=True, contact__customer_id__isnull=True).exists()
    assert handoffs.filter(contact_customer_id__isnull=False).exists()
    for handoff in handoffs.select_related("contact__enquiry_type")[:20]:
        assert handoff.team_id == EnquiryType.objects.get(pk=handoff.contact.enquiry_type_id).team_id
    assert ComplaintStage.objects.filter(complaint__in=complaints).count() == 50
    assert not complaints.filter(assigned_to__isnull=True).exists()

    # Exactly --due items are due for the sweeps (split by volume: 20 hand-offs, 5 complaints).
    cal = calendar()
    due_handoffs = (handoffs.due_for_reminder(cal.add_working_days(today, 1)).count()
                    + handoffs.due_for_overdue(today).count())
    due_complaints = complaints.filter(due_date__lte=cal.add_working_days(today, 5)).count()
    assert (due_handoffs, due_complaints) == (20, 5)
    # And none is due for a triage alert: the older unaccepted ones were alerted on already.
    assert handoffs_alert_triage(today) == 0
    assert handoffs.filter(triage_alerted_at__isnull=False).exists()


def test_generate_data_needs_the_catalogue():
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("generate_data", "--contacts", "10", stdout=StringIO())


def test_generate_data_arrives_like_a_council_contact_centre():
    """Issue 22: realistic arrival patterns and handling times; --services tops the catalogue up."""
    call_command("seed_demo", "--days", "0", stdout=StringIO())
    mark = _highest(Contact)
    call_command("generate_data", "--contacts", "6000", "--days", "120", "--services", "30",
                 "--seed", "5", stdout=StringIO())
    assert Service.objects.filter(is_active=True).count() == 30
    assert not EnquiryType.objects.filter(service__code="libraries").exclude(
        handoff_method=HandoffMethod.ONE_AND_DONE).exists()
    contacts = Contact.objects.filter(pk__gt=mark)
    assert contacts.count() == 6000 and summary_mismatches() == []
    cal = calendar()
    rows = list(contacts.values_list("channel", "received_at", "received_date", "handling_time_seconds"))
    # The received day is the London day of the time received, whatever the channel.
    assert all(timezone.localtime(at).date() == day for _, at, day, _ in rows)
    # The telephone and counters only on working days; the web at weekends too.
    staffed = [day for channel, _, day, _ in rows if channel in ("telephone", "face_to_face")]
    assert all(cal.is_working_day(day) for day in staffed)
    assert any(day.weekday() >= 5 for channel, _, day, _ in rows if channel == "web")
    # Handling times for the telephone and counters only.
    assert all((seconds is not None) == (channel in ("telephone", "face_to_face"))
               for channel, _, _, seconds in rows)
    # Mondays are busier than Fridays on the telephone, and most of all in the morning.
    monday = [at for channel, at, day, _ in rows if channel == "telephone" and day.weekday() == 0]
    friday = [at for channel, at, day, _ in rows if channel == "telephone" and day.weekday() == 4]
    assert len(monday) > 1.3 * len(friday)
    nine_to_eleven = sum(9 <= timezone.localtime(at).hour < 11 for at in monday) / len(monday)
    assert nine_to_eleven > 0.3
