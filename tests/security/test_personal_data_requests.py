"""Erasure and rectification requests (issue 17, item 4): an admin records the request, sees what
would be erased or corrected and where, and confirms; complaint records under a retention duty
are restricted, not erased, and the page says why. Rectification corrects every copy."""

from datetime import timedelta

import pytest
from django.utils import timezone

from complaints.models import Complaint
from contacts import privacy, services
from contacts.models import Contact, Customer, PersonalDataRequest
from core.models import AuditEvent
from core.personal_data import HASH_PREFIX, REDACTED
from core.roles import Role
from open311.models import Open311Request
from selfservice.models import SelfServiceSubmission
from tests.complaints.factories import complaint
from tests.factories import ContactFactory, CustomerFactory
from tests.security.personal_world import build_world

pytestmark = pytest.mark.django_db


def _record(client, customer, kind, data=None):
    response = client.post(f"/contacts/customers/{customer.pk}/{kind}/", data or {})
    assert response.status_code == 302, response.content.decode()[:3000]
    return PersonalDataRequest.objects.get(customer=customer, kind=kind)


def test_erasure_erases_what_may_go_and_restricts_a_complaint_within_retention(client_for):
    customer = CustomerFactory(first_name="Edith", last_name="Erase", email="edith@example.com")
    other = CustomerFactory(first_name="Olive")
    contact = ContactFactory(customer=customer, summary="Told us her new address",
                             enquiry_closed_at=timezone.now())
    theirs = ContactFactory(customer=other, summary="Not hers")
    case = complaint(customer=customer, summary="Rude crew")
    admin = client_for(Role.ADMIN)

    data_request = _record(admin, customer, "erasure")
    # Recording changes nothing.
    contact.refresh_from_db()
    assert contact.summary == "Told us her new address"
    page = admin.get(f"/contacts/requests/{data_request.pk}/").content.decode()
    assert "Check what would be erased" in page
    assert "Contacts" in page and "Restricted, not erased" in page
    assert "Limitation Act 1980" in page  # the page says why

    response = admin.post(f"/contacts/requests/{data_request.pk}/", {"action": "confirm"})
    assert response.status_code == 302
    contact.refresh_from_db()
    theirs.refresh_from_db()
    case.refresh_from_db()
    customer.refresh_from_db()
    assert contact.summary == REDACTED and theirs.summary == "Not hers"
    assert case.summary == "Rude crew"  # restricted, not erased
    # The customer's details stay with the restricted complaint, restricted.
    assert customer.restricted_at is not None and customer.anonymised_at is None
    assert customer.first_name == "Edith"
    data_request.refresh_from_db()
    assert data_request.status == "done" and data_request.completed_by == admin.user
    assert data_request.outcome["erased"]["contacts.contact"] == 1
    assert data_request.outcome["restricted"]["complaints.complaint"] == 1
    event = AuditEvent.objects.get(action="erasure_request_confirmed", object_id=str(customer.pk))
    assert "Edith" not in str(event.changes) and "Told us" not in str(event.changes)
    done = admin.get(f"/contacts/requests/{data_request.pk}/").content.decode()
    assert "Request done" in done and "restricted" in done
    assert "Restricted since" in admin.get(f"/contacts/customers/{customer.pk}/").content.decode()

    # Confirming twice does nothing more.
    again = admin.post(f"/contacts/requests/{data_request.pk}/", {"action": "confirm"}, follow=True)
    assert "already been dealt with" in again.content.decode()
    assert AuditEvent.objects.filter(action="erasure_request_confirmed").count() == 1


def test_erasure_of_everything_past_a_duty_anonymises_the_customer(client_for):
    world = build_world("Wholly")
    # The complaints were closed more than 6 years ago.
    Complaint.objects.filter(customer=world.customer).update(status="closed")
    from complaints.models import ComplaintEvent

    ComplaintEvent.objects.filter(complaint__customer=world.customer).update(
        at=timezone.now() - timedelta(days=7 * 365))
    admin = client_for(Role.ADMIN)
    Customer.objects.filter(pk=world.customer.pk).update(
        consent_sms=True, consent_letter=True, language="cy", email_failed_at=timezone.now())
    data_request = _record(admin, world.customer, "erasure")
    preview = admin.get(f"/contacts/requests/{data_request.pk}/").content.decode()
    assert "Restricted, not erased" not in preview
    admin.post(f"/contacts/requests/{data_request.pk}/", {"action": "confirm"})
    customer = Customer.objects.get(pk=world.customer.pk)
    assert customer.anonymised_at is not None and customer.first_name == "Anonymised"
    assert customer.restricted_at is None
    # They wanted updates by e-mail, text and letter, in Welsh, and their e-mail bounced: an
    # anonymised record consents to nothing and keeps no trace of how to reach them.
    assert (customer.message_channel, customer.consent_email, customer.consent_sms,
            customer.consent_letter, customer.language) == ("", False, False, False, "en")
    assert (customer.email_failed_at, customer.phone_failed_at, customer.address_failed_at) == (
        None, None, None)
    submission = SelfServiceSubmission.objects.get(contact__customer=customer)
    assert submission.email.startswith(HASH_PREFIX)
    assert set(Contact.objects.filter(customer=customer).values_list("summary", flat=True)) == {REDACTED}


def test_rectification_corrects_the_customer_and_every_copy_of_the_old_value(client_for):
    world = build_world("Rita")
    Customer.objects.filter(pk=world.customer.pk).update(address_line_1="1 High Street", phone="07700900222")
    customer = Customer.objects.get(pk=world.customer.pk)
    old_email = customer.email
    Open311Request.objects.filter(contact__customer=customer).update(email=old_email, first_name="Rita")
    # Someone else's report with the same name is not theirs to change.
    stranger = build_world("Rita")
    Open311Request.objects.filter(contact__customer=stranger.customer).update(email="x@example.com",
                                                                             first_name="Rita")
    admin = client_for(Role.ADMIN)
    data_request = _record(admin, customer, "rectification", {
        "first_name": "Margarita", "last_name": customer.last_name, "email": "RITA.NEW@example.com",
        "phone": customer.phone, "address_line_1": customer.address_line_1, "postcode": customer.postcode})
    assert data_request.corrections == {"first_name": "Margarita", "email": "rita.new@example.com"}
    page = admin.get(f"/contacts/requests/{data_request.pk}/").content.decode()
    assert "Check what would change" in page
    assert "Open311 requests" in page and "Self-service submissions" in page
    assert "rita.new@example.com" in page

    admin.post(f"/contacts/requests/{data_request.pk}/", {"action": "confirm"})
    customer.refresh_from_db()
    assert (customer.first_name, customer.email) == ("Margarita", "rita.new@example.com")
    mine = Open311Request.objects.filter(contact__customer=customer)
    assert list(mine.values_list("email", "first_name")) == [("rita.new@example.com", "Margarita")]
    assert SelfServiceSubmission.objects.get(contact__customer=customer).email == "rita.new@example.com"
    assert list(Open311Request.objects.filter(contact__customer=stranger.customer).values_list(
        "email", "first_name")) == [("x@example.com", "Rita")]
    data_request.refresh_from_db()
    assert data_request.outcome["corrected"] == {"contacts.customer": 1, "open311.open311request": 2,
                                                 "selfservice.selfservicesubmission": 1}


def test_a_rectification_that_changes_nothing_or_is_invalid_says_so(client_for):
    customer = services.customer_create(actor=None, first_name="Same", last_name="Person",
                                        postcode="OL6 6AB", email="same@example.com", phone="07700900111",
                                        address_line_1="1 High Street")
    admin = client_for(Role.ADMIN)
    same = admin.post(f"/contacts/customers/{customer.pk}/rectification/", {
        "first_name": "Same", "last_name": "Person", "postcode": "OL6 6AB", "email": customer.email,
        "phone": customer.phone, "address_line_1": customer.address_line_1})
    assert same.status_code == 400 and "Change at least one detail to correct." in same.content.decode()
    bad = admin.post(f"/contacts/customers/{customer.pk}/rectification/", {
        "first_name": "", "last_name": "Person", "postcode": "nonsense"})
    html = bad.content.decode()
    assert bad.status_code == 400 and "There is a problem" in html
    assert "Enter the customer&#x27;s first name." in html
    assert not PersonalDataRequest.objects.exists()


def test_cancelling_changes_nothing(client_for):
    customer = CustomerFactory()
    contact = ContactFactory(customer=customer, summary="Keep me", enquiry_closed_at=timezone.now())
    admin = client_for(Role.ADMIN)
    data_request = _record(admin, customer, "erasure")
    admin.post(f"/contacts/requests/{data_request.pk}/", {"action": "cancel"})
    contact.refresh_from_db()
    data_request.refresh_from_db()
    assert contact.summary == "Keep me" and data_request.status == "cancelled"
    assert "Request cancelled" in admin.get(f"/contacts/requests/{data_request.pk}/").content.decode()


@pytest.mark.parametrize("role", [Role.ADVISER, Role.BACK_OFFICE, Role.COMPLAINTS_OFFICER, Role.LEGAL,
                                  Role.SOCIAL_CARE_COMPLAINTS, Role.MANAGER])
def test_only_admins_record_or_confirm_requests(client_for, make_user, role):
    customer = CustomerFactory()
    data_request = privacy.personal_data_request_record(actor=make_user(Role.ADMIN), customer=customer,
                                                        kind="erasure")
    client = client_for(role)
    for path in (f"/contacts/customers/{customer.pk}/erasure/",
                 f"/contacts/customers/{customer.pk}/rectification/",
                 f"/contacts/requests/{data_request.pk}/"):
        assert client.get(path).status_code == 403
        assert client.post(path, {"action": "confirm"}).status_code == 403
    data_request.refresh_from_db()
    assert data_request.status == "awaiting_confirmation"
    assert b"Data protection requests" not in client.get(f"/contacts/customers/{customer.pk}/").content
