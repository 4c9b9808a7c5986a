"""A manager answers a subject access request in the browser: from the customer's page to the
readable export and its JSON download, both recorded in the audit trail."""

import json

import pytest

from contacts.models import Contact
from core.models import AuditEvent, ChannelCode
from core.roles import Role
from intake.services import contact_log
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
    assert page.get_by_text("Green bin missed on Elm Road.").is_visible()
    check_page(page, "subject-access-export", title="Subject access export")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download as JSON").click()
    data = json.loads(open(download.value.path(), encoding="utf-8").read())
    assert data["customer_id"] == customer.pk
    exports = AuditEvent.objects.filter(action="subject_access_export", object_id=str(customer.pk))
    assert sorted(e.changes["format"] for e in exports) == ["html", "json"]
