"""Personal data under UK GDPR (issue 8, "Personal data"): viewing a customer is audited, the
subject access export holds everything about the customer and is itself audited, and the
retention policy anonymises old customers and contacts while every report figure stays exact."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from complaints.models import Process
from contacts import privacy
from contacts.models import Contact, Customer, SubjectAccessExport
from core.models import AuditEvent, ChannelCode, HandoffMethod, OutboundMessage, RetentionRule
from core.personal_data import REDACTED
from core.retention import retention_apply
from core.roles import Role
from handoffs.services import handoff_add_update
from intake.services import contact_log
from reporting import selectors as reporting
from tests.complaints.factories import complaint
from tests.factories import (
    ContactFactory,
    CustomerFactory,
    EnquiryTypeFactory,
    ServiceFactory,
    TeamFactory,
    avoidable_reason,
)

pytestmark = pytest.mark.django_db


def _audits(customer, action):
    return AuditEvent.objects.filter(object_type="contacts.customer", object_id=str(customer.pk),
                                     action=action)


# --- Viewing is audited ------------------------------------------------------------------------


def test_viewing_a_customer_page_is_audited_with_who_and_where(client_for):
    customer = CustomerFactory()
    client = client_for(Role.BACK_OFFICE)
    assert client.get(f"/contacts/customers/{customer.pk}/", REMOTE_ADDR="10.1.2.3").status_code == 200
    [event] = _audits(customer, "viewed")
    assert event.actor == client.user and event.ip_address == "10.1.2.3"
    assert event.changes == {"via": "page"}


def test_reading_a_customer_through_the_api_is_audited(api_client_for):
    customer = CustomerFactory()
    api = api_client_for(Role.PARTNER)
    assert api.get(f"/api/v1/customers/{customer.pk}/").status_code == 200
    assert api.get(f"/api/v1/customers/{customer.pk}/timeline/").status_code == 200
    assert sorted(e.changes["via"] for e in _audits(customer, "viewed")) == ["api", "api timeline"]
    assert {e.actor for e in _audits(customer, "viewed")} == {api.user}


def test_a_refused_or_missing_customer_records_no_view(client_for):
    client = client_for(Role.MANAGER)
    assert client.get("/contacts/customers/987654/").status_code == 404
    assert not AuditEvent.objects.filter(action="viewed").exists()


# --- Subject access export ---------------------------------------------------------------------


@pytest.fixture
def customer_with_history(make_user):
    """A customer with a contact, a Fire and Forget hand-off with an update, a complaint and a
    message sent to them; plus another customer whose records must not appear."""
    customer = CustomerFactory(first_name="Ada", last_name="Lovelace", email="ada@example.com",
                               vulnerability_notes="Hard of hearing")
    other = CustomerFactory(first_name="Charles", last_name="Babbage")
    adviser = make_user(Role.ADVISER)
    team = TeamFactory()
    service = ServiceFactory(code="waste", name="Waste")
    faf = EnquiryTypeFactory(service=service, handoff_method=HandoffMethod.FIRE_AND_FORGET, team=team)
    taken = contact_log(actor=adviser, channel=ChannelCode.TELEPHONE, service=service,
                        enquiry_type=faf, customer=customer, summary="Bin missed on Elm Road.",
                        source=Contact.Source.ADVISER)
    contact = taken.contact
    handoff_add_update(handoff=taken.handoff, actor=adviser, note="Crew rang back.")
    contact_log(actor=adviser, channel=ChannelCode.EMAIL, service=service, enquiry_type=faf,
                customer=other, summary="Someone else's enquiry.", source=Contact.Source.ADVISER)
    case = complaint(customer=customer, service=service, summary="Crew were rude.",
                     process=Process.CORPORATE)
    OutboundMessage.objects.create(dedupe_key="t:1", created_at=timezone.now(),
                                   to_email="ada@example.com", subject="Your complaint",
                                   body="We have received it.")
    return customer, contact, case


def _section(export, model):
    return next(s for s in export["sections"] if s["model"] == model)


def test_export_holds_every_record_about_the_customer_and_nothing_of_others(customer_with_history):
    customer, contact, case = customer_with_history
    export = privacy.subject_access_export(customer)
    text = json.dumps(export, default=str)
    assert _section(export, "contacts.customer")["records"][0]["vulnerability_notes"] == "Hard of hearing"
    assert [r["id"] for r in _section(export, "contacts.contact")["records"]] == [contact.pk]
    assert [r["id"] for r in _section(export, "handoffs.handoff")["records"]] == [contact.handoffs.get().pk]
    assert "Crew rang back." in text
    assert [r["id"] for r in _section(export, "complaints.complaint")["records"]] == [case.pk]
    assert _section(export, "complaints.complaintstage")["count"] >= 1
    assert _section(export, "core.outboundmessage")["records"][0]["subject"] == "Your complaint"
    assert "dedupe_key" not in _section(export, "core.outboundmessage")["records"][0]
    trail = _section(export, "core.auditevent")["records"]
    assert {"contacts.contact", "handoffs.handoff", "complaints.complaint"} <= {
        r["object_type"] for r in trail}
    assert "Babbage" not in text and "Someone else's enquiry." not in text


def _zip_texts(archive: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        return {name: opened.read(name).decode() for name in opened.namelist()}


def test_a_manager_asks_the_task_builds_and_they_download_once(client_for, customer_with_history,
                                                               django_capture_on_commit_callbacks):
    customer, contact, _ = customer_with_history
    client = client_for(Role.MANAGER)
    page = client.get(f"/contacts/customers/{customer.pk}/export/")
    assert page.status_code == 200 and b"Prepare the export" in page.content
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(f"/contacts/customers/{customer.pk}/export/")
    assert response.status_code == 302 and len(callbacks) == 1
    export = SubjectAccessExport.objects.get(customer=customer)
    assert export.status == "preparing" and export.requested_by == client.user
    assert b"Being prepared" in client.get(f"/contacts/customers/{customer.pk}/export/").content
    assert client.get(f"/contacts/exports/{export.pk}/download/").status_code == 410

    # The Celery task, run here against the real database (twice: idempotent).
    from contacts.tasks import build_subject_access_export

    assert build_subject_access_export.apply(args=[export.pk]).result == "ready"
    assert build_subject_access_export.apply(args=[export.pk]).result == "ready"
    export.refresh_from_db()
    assert export.expires_at == export.requested_at + timedelta(days=7)
    assert b"Download ZIP" in client.get(f"/contacts/customers/{customer.pk}/export/").content

    download = client.get(f"/contacts/exports/{export.pk}/download/")
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    assert "attachment" in download["Content-Disposition"]
    files = _zip_texts(download.content)
    name = f"subject-access-customer-{customer.pk}"
    assert sorted(files) == [f"{name}/{name}.html", f"{name}/{name}.json"]
    data = json.loads(files[f"{name}/{name}.json"])
    assert data["customer_id"] == customer.pk
    assert _section(data, "contacts.contact")["records"][0]["summary"] == "Bin missed on Elm Road."
    html = files[f"{name}/{name}.html"]
    assert "Personal data held about Ada Lovelace" in html
    assert "Bin missed on Elm Road." in html and "Crew rang back." in html and "Crew were rude." in html
    assert "Babbage" not in html

    # Once only: the file is emptied and a second try says why.
    export.refresh_from_db()
    assert export.archive is None and export.status == "downloaded"
    again = client.get(f"/contacts/exports/{export.pk}/download/")
    assert again.status_code == 410 and b"already been downloaded" in again.content
    actions = list(_audits(customer, "subject_access_export_requested")) + list(
        _audits(customer, "subject_access_export_downloaded"))
    assert [e.actor for e in actions] == [client.user, client.user]
    assert _audits(customer, "subject_access_export_ready").count() == 1


def test_an_export_expires_and_only_its_requester_may_download_it(client_for, customer_with_history,
                                                                   make_user):
    customer, _, _ = customer_with_history
    manager = make_user(Role.MANAGER)
    export = privacy.subject_access_request(actor=manager, customer=customer)
    privacy.subject_access_build(export.pk)
    other = client_for(Role.ADMIN)
    assert other.get(f"/contacts/exports/{export.pk}/download/").status_code == 404
    other.force_login(manager)
    # Eight days on (the window is seven).
    SubjectAccessExport.objects.filter(pk=export.pk).update(
        requested_at=F("requested_at") - timedelta(days=8), expires_at=F("expires_at") - timedelta(days=8))
    expired = other.get(f"/contacts/exports/{export.pk}/download/")
    assert expired.status_code == 410 and b"expired" in expired.content
    # The retention run empties the file of an expired export.
    assert retention_apply().counts == {"contacts.subjectaccessexport": 1}
    export.refresh_from_db()
    assert export.archive is None and export.status == "expired"


@pytest.mark.parametrize("role", [Role.ADVISER, Role.BACK_OFFICE, Role.COMPLAINTS_OFFICER, Role.LEGAL,
                                  Role.SOCIAL_CARE_COMPLAINTS])
def test_other_roles_cannot_export_and_nothing_is_recorded(client_for, role):
    customer = CustomerFactory()
    client = client_for(role)
    assert client.get(f"/contacts/customers/{customer.pk}/export/").status_code == 403
    assert client.post(f"/contacts/customers/{customer.pk}/export/").status_code == 403
    assert not SubjectAccessExport.objects.exists()
    assert not _audits(customer, "subject_access_export_requested").exists()


def test_customer_page_offers_the_export_only_to_managers(client_for):
    customer = CustomerFactory()
    url = f"/contacts/customers/{customer.pk}/"
    assert b"Subject access export" in client_for(Role.MANAGER).get(url).content
    assert b"Subject access export" not in client_for(Role.ADVISER).get(url).content


# --- Retention (issue 17: core/retention.py, driven by the apps' declarations) ---------------


@pytest.fixture
def history():
    """Contacts over nine years, each enquiry closed when it was received: customers last seen 8
    years ago, one seen 8 years ago and last month, anonymous callers; varied dimensions so the
    summary rows have many keys."""
    now = timezone.now()
    reason = avoidable_reason()
    service = ServiceFactory()
    old_customer = CustomerFactory(created_at=now - timedelta(days=8 * 365),
                                   email="old@example.com", is_vulnerable=True,
                                   vulnerability_notes="Lives alone")
    kept_customer = CustomerFactory(created_at=now - timedelta(days=8 * 365))
    for index in range(36):
        received = now - timedelta(days=90 * index + 3)
        customer = (old_customer, kept_customer, None)[index % 3] if index > 26 else None
        ContactFactory(
            service=service, enquiry_type=None, customer=customer, received_at=received,
            enquiry_closed_at=received, external_ref=f"X{index}",
            channel=ChannelCode.values[index % len(ChannelCode.values)],
            avoidable=index % 4 == 0, avoidable_reason=reason if index % 4 == 0 else None,
            resolved_at_first_contact=index % 2 == 0, summary=f"Told us about 07700 900{index:03d}")
    ContactFactory(service=service, enquiry_type=None, customer=kept_customer,
                   received_at=now - timedelta(days=30), enquiry_closed_at=now - timedelta(days=30),
                   external_ref="R",
                   summary="Recent")
    return old_customer, kept_customer


def _six_years_ago(now):
    # The default contacts line: 6 years and the leap days in them (written out, not read from
    # the code under test).
    return now - timedelta(days=6 * 365 + 2)


def test_retention_anonymises_old_records_and_keeps_every_figure_exact(history):
    old_customer, kept_customer = history
    before = reporting.summary_counts()
    assert before == reporting.raw_counts()
    cutoff = _six_years_ago(timezone.now())
    old_contacts = set(Contact.objects.filter(enquiry_closed_at__lt=cutoff).values_list("pk", flat=True))
    assert len(old_contacts) > 5

    run = retention_apply()

    assert run.counts == {"contacts.contact": len(old_contacts), "contacts.customer": 1}
    assert reporting.summary_counts() == before == reporting.raw_counts()
    assert reporting.summary_mismatches() == []
    for contact in Contact.objects.all():
        if contact.pk in old_contacts:
            assert contact.summary == REDACTED and contact.external_ref == ""
        else:
            assert contact.summary != REDACTED and contact.external_ref != ""
    old_customer.refresh_from_db()
    assert old_customer.anonymised_at is not None
    assert (old_customer.first_name, old_customer.last_name, old_customer.email, old_customer.phone,
            old_customer.postcode, old_customer.vulnerability_notes, old_customer.is_vulnerable) == (
        "Anonymised", "", "", "", "", "", False)
    kept_customer.refresh_from_db()
    assert kept_customer.anonymised_at is None and kept_customer.email
    # The anonymised customer is gone from search and pages; its contacts still count.
    assert not Customer.objects.active().filter(pk=old_customer.pk).exists()
    # One audit row for the run, with counts only.
    [event] = AuditEvent.objects.filter(action="retention_run")
    assert event.changes["counts"] == run.counts and event.actor is None
    # Idempotent: a second run finds nothing left.
    assert retention_apply().counts == {}
    assert AuditEvent.objects.filter(action="retention_run").count() == 2


def test_an_open_enquiry_is_kept_however_old(history):
    old = ContactFactory(received_at=timezone.now() - timedelta(days=9 * 365), enquiry_closed_at=None,
                         summary="Still open")
    retention_apply()
    old.refresh_from_db()
    assert old.summary == "Still open"
    assert Customer.objects.get(pk=old.customer_id).anonymised_at is None


def test_an_admin_sets_the_length_of_a_schedule_line(history, client_for):
    admin = client_for(Role.ADMIN)
    response = admin.post("/admin/core/retentionrule/add/", {"schedule": "contacts", "days": 20 * 365})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert RetentionRule.objects.get().changed_by == admin.user
    assert retention_apply().counts == {}
    RetentionRule.objects.update(days=365)
    counts = retention_apply().counts
    assert counts["contacts.contact"] > 0
    assert retention_apply().counts == {}
    assert reporting.summary_mismatches() == []


def test_a_schedule_line_cannot_be_zero_days(client_for):
    response = client_for(Role.ADMIN).post("/admin/core/retentionrule/add/",
                                           {"schedule": "contacts", "days": 0})
    assert response.status_code == 200 and not RetentionRule.objects.exists()


def test_customer_with_a_recent_complaint_is_kept(history):
    old_customer, _ = history
    complaint(customer=old_customer)
    assert "contacts.customer" not in retention_apply().counts
    old_customer.refresh_from_db()
    assert old_customer.anonymised_at is None


def test_command_and_beat_schedule(history, capsys):
    call_command("apply_retention")
    out = capsys.readouterr().out
    assert "Contacts: 6 years after the enquiry is closed" in out
    assert "1 contacts.customer" in out
    entry = settings.CELERY_BEAT_SCHEDULE["core-apply-retention"]
    assert entry["task"] == "core.apply_retention"
    from config.celery import app

    app.loader.import_default_modules()
    assert "core.apply_retention" in app.tasks
    assert app.tasks["core.apply_retention"].apply().result == {}
