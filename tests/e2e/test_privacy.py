"""A manager answers a subject access request in the browser: from the customer's page, the export
is prepared by the Celery task and downloaded once as a ZIP (JSON and a readable page); each step
recorded in the audit trail."""

import json
import re
import zipfile

import pytest
from django.utils import timezone

from contacts.models import Contact, SubjectAccessExport
from contacts.tasks import build_subject_access_export
from core.models import AuditEvent, ChannelCode
from core.roles import Role
from intake.services import contact_log
from tests.e2e.conftest import SCREENSHOTS
from tests.factories import CustomerFactory, EnquiryTypeFactory, ServiceFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_manager_exports_everything_held_about_a_customer(page, check_page, sign_in_as):
    manager = sign_in_as(Role.MANAGER)
    customer = CustomerFactory(first_name="Grace", last_name="Okafor", email="grace@example.com")
    service = ServiceFactory(name="Waste and recycling")
    contact_log(actor=manager, channel=ChannelCode.TELEPHONE, service=service,
                enquiry_type=EnquiryTypeFactory(service=service, name="Missed bin"), customer=customer,
                summary="Green bin missed on Elm Road.", source=Contact.Source.ADVISER)

    page.goto(f"/contacts/customers/{customer.pk}/")
    page.get_by_role("link", name="Subject access export").click()
    page.get_by_role("heading", level=1, name="Everything held about Grace Okafor").wait_for()
    page.get_by_role("button", name="Prepare the export").click()
    page.get_by_text("Export asked for").wait_for()
    check_page(page, "subject-access-export-asked", title="Subject access export")

    # The Celery task (no worker in the test run unless tasks run eagerly): run it here against
    # the same database; it leaves a built export as it is.
    export = SubjectAccessExport.objects.get(customer=customer)
    build_subject_access_export.apply(args=[export.pk])
    page.reload()
    check_page(page, "subject-access-export-ready", title="Subject access export")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Download ZIP")).click()
    with zipfile.ZipFile(download.value.path()) as archive:
        names = archive.namelist()
        data = json.loads(archive.read(next(n for n in names if n.endswith(".json"))))
        html = archive.read(next(n for n in names if n.endswith(".html"))).decode()
    assert data["customer_id"] == customer.pk
    assert "Green bin missed on Elm Road." in html

    # The readable page in the ZIP, as the customer will see it.
    summary = page.context.new_page()
    summary.set_content(html)
    summary.screenshot(path=str(SCREENSHOTS / "subject-access-archive.png"), full_page=True)
    summary.close()

    page.reload()
    page.get_by_text("Downloaded").first.wait_for()
    page.goto(f"/contacts/exports/{export.pk}/download/")
    page.get_by_role("heading", level=1, name="Export not available").wait_for()
    assert page.get_by_text("already been downloaded").is_visible()
    check_page(page, "subject-access-export-gone", title="Export not available")
    actions = sorted(AuditEvent.objects.filter(object_id=str(customer.pk),
                                               action__startswith="subject_access")
                     .values_list("action", flat=True))
    assert actions == ["subject_access_export_downloaded", "subject_access_export_ready",
                       "subject_access_export_requested"]


def test_admin_erases_a_customer_whose_complaint_the_law_keeps(page, check_page, sign_in_as):
    from tests.complaints.factories import complaint
    from tests.factories import ContactFactory

    sign_in_as(Role.ADMIN)
    customer = CustomerFactory(first_name="Edith", last_name="Erase", email="edith@example.com")
    contact = ContactFactory(customer=customer, summary="Moved to Elm Road.",
                             enquiry_closed_at=timezone.now())
    complaint(customer=customer, summary="The crew were rude.")

    page.goto(f"/contacts/customers/{customer.pk}/")
    page.get_by_role("link", name="erase (erasure)").click()
    check_page(page, "erasure-new", title="Erasure request")
    page.get_by_role("button", name="Record the request and show what would be erased").click()
    page.get_by_role("heading", level=1, name="Check what would be erased").wait_for()
    assert page.get_by_role("heading", name="Restricted, not erased").is_visible()
    assert page.get_by_text("Limitation Act 1980").is_visible()
    check_page(page, "erasure-preview", title="Erasure request")
    page.get_by_role("button", name="Confirm and erase").click()
    page.get_by_role("heading", level=1, name="Request done").wait_for()
    check_page(page, "erasure-done", title="Erasure request")
    contact.refresh_from_db()
    assert contact.summary != "Moved to Elm Road."

    page.goto(f"/contacts/customers/{customer.pk}/")
    assert page.get_by_text("Restricted since").is_visible()
    check_page(page, "customer-restricted")


def test_admin_corrects_a_customers_details_everywhere(page, check_page, sign_in_as):
    sign_in_as(Role.ADMIN)
    customer = CustomerFactory(first_name="Rita", last_name="Wrong", email="rita@example.com")

    page.goto(f"/contacts/customers/{customer.pk}/")
    page.get_by_role("link", name="correct details everywhere (rectification)").click()
    page.get_by_label("First name").fill("")
    page.get_by_role("button", name="Record the request and show what would change").click()
    page.get_by_role("heading", name="There is a problem").wait_for()
    check_page(page, "rectification-error", title=re.compile("^Error: Rectification request"))
    page.get_by_label("First name").fill("Margarita")
    page.get_by_label("Last name").fill("Right")
    page.get_by_role("button", name="Record the request and show what would change").click()
    page.get_by_role("heading", level=1, name="Check what would change").wait_for()
    check_page(page, "rectification-preview", title="Rectification request")
    page.get_by_role("button", name="Confirm and correct").click()
    page.get_by_role("heading", level=1, name="Request done").wait_for()
    customer.refresh_from_db()
    assert (customer.first_name, customer.last_name) == ("Margarita", "Right")
