"""Customer pages, the contact page, the day's repeat contacts and who may use them. The
contact-taking pages are the intake's (tests/intake/test_pages.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from contacts.models import Customer
from core.roles import Role
from intake.services import contact_log
from tests.factories import ContactFactory, CustomerFactory

LOG = "/contacts/log/"


@pytest.fixture
def adviser(client_for):
    return client_for(Role.ADVISER)


@pytest.mark.django_db
def test_new_customer_warns_of_duplicates_and_may_go_on(adviser, catalogue):
    existing = CustomerFactory(first_name="Jane", last_name="Smith", postcode="OL6 6AB")
    page = adviser.get("/contacts/customers/new/", {"q": "jane smith", "next": LOG}).content.decode()
    assert 'value="Jane"' in page and 'value="Smith"' in page
    data = {"first_name": "Jane", "last_name": "Smith", "postcode": "ol6 6ab", "next": LOG,
            "dob_day": "", "dob_month": "", "dob_year": ""}
    response = adviser.post("/contacts/customers/new/", data)
    page = response.content.decode()
    assert "This may be a customer we already know" in page
    assert f"{LOG}?customer={existing.pk}" in page and "Add as a new customer anyway" in page
    assert Customer.objects.count() == 1
    response = adviser.post("/contacts/customers/new/", {**data, "confirm_new": "1"})
    created = Customer.objects.exclude(pk=existing.pk).get()
    assert response.status_code == 302 and response["Location"] == f"{LOG}?customer={created.pk}"
    assert created.postcode == "OL6 6AB"


@pytest.mark.django_db
def test_new_customer_errors_keep_the_input(adviser):
    response = adviser.post("/contacts/customers/new/", {
        "first_name": "", "last_name": "Smith", "email": "jane@", "dob_day": "31", "dob_month": "2",
        "dob_year": "1980", "postcode": "OL6"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Enter the customer&#x27;s first name." in page
    assert "Date of birth must be a real date" in page
    assert 'value="jane@"' in page and 'value="31"' in page


@pytest.mark.django_db
def test_new_customer_refuses_an_offsite_next(adviser):
    response = adviser.post("/contacts/customers/new/", {
        "first_name": "Jo", "last_name": "Lee", "next": "https://evil.example/"})
    assert response["Location"] == f"/contacts/customers/{Customer.objects.get().pk}/"


@pytest.mark.django_db
def test_customer_360_shows_details_and_timeline_newest_first_escaped(client_for, catalogue):
    manager = client_for(Role.MANAGER)
    customer = CustomerFactory(first_name="<script>alert(1)</script>", last_name="O'Brien",
                               is_vulnerable=True, vulnerability_notes="Recently bereaved.",
                               accessibility_needs="Needs a Polish interpreter.")
    now = timezone.now()
    old = ContactFactory(customer=customer, service=catalogue["waste"],
                         enquiry_type=catalogue["collection_days"], received_at=now - timedelta(days=9),
                         enquiry_closed_at=now - timedelta(days=9), summary="<img src=x onerror=1>")
    new = contact_log(actor=None, channel="telephone", service=catalogue["waste"],
                      enquiry_type=catalogue["missed_bin"], customer=customer,
                      summary="Bin missed.", source="adviser", received_at=now - timedelta(days=1)).contact
    page = manager.get(f"/contacts/customers/{customer.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=1&gt;" in page
    assert "Vulnerable customer: Recently bereaved." in page
    assert "Needs a Polish interpreter." in page
    assert page.index(f"/contacts/{new.pk}/") < page.index(f"/contacts/{old.pk}/")
    assert 'nwd-timeline__item nwd-timeline__item--open' in page
    assert "Hand-off to Waste Operations" in page


@pytest.mark.django_db
def test_customer_360_empty_state(client_for):
    customer = CustomerFactory(accessibility_needs="", consent_notes="")
    page = client_for(Role.LEGAL).get(f"/contacts/customers/{customer.pk}/").content.decode()
    assert "No contacts, hand-offs or complaints yet." in page
    assert "None recorded" in page
    assert "Log a contact</a>" not in page and "Change details" not in page


@pytest.mark.django_db
def test_rectification_saves_and_audits(client_for):
    adviser = client_for(Role.ADVISER)
    customer = CustomerFactory(first_name="Jane", last_name="Smith")
    form = adviser.get(f"/contacts/customers/{customer.pk}/edit/").content.decode()
    assert 'value="Jane"' in form
    response = adviser.post(f"/contacts/customers/{customer.pk}/edit/", {
        "first_name": "Jane", "last_name": "Smyth", "postcode": "sk14 1aa", "phone": "0161 342 8355",
        "email": "", "dob_day": "", "dob_month": "", "dob_year": ""})
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.last_name, customer.postcode, customer.phone) == ("Smyth", "SK14 1AA",
                                                                      "01613428355")


@pytest.mark.django_db
def test_customer_list_search_and_pages(client_for):
    CustomerFactory(first_name="Amir", last_name="Khan")
    page = client_for(Role.LEGAL).get("/contacts/customers/", {"q": "khan"}).content.decode()
    assert "Amir Khan" in page and "Showing 1 to 1 of 1 customer matching" in page
    assert client_for(Role.LEGAL).get("/contacts/customers/").status_code == 200


def _many_smiths(n):
    now = timezone.now()
    Customer.objects.bulk_create(
        Customer(first_name=f"Person{i:04}", last_name="Smith", created_at=now, updated_at=now)
        for i in range(n))


@pytest.mark.django_db
def test_customer_list_caps_the_count_and_asks_for_more_of_the_name(client_for):
    """Issue 9: the list counts no further than 1,000 matches; past that it says so and asks for
    more of the name or the postcode, and pages stop at the 1,000th."""
    _many_smiths(1001)
    CustomerFactory(first_name="Adam", last_name="Smithson")
    client = client_for(Role.ADVISER)
    page = client.get("/contacts/customers/", {"q": "smith"}).content.decode()
    assert "More than 1,000 customers match <strong>smith</strong>" in page
    assert "Add more of the name, or the postcode" in page and "1000 customers match" not in page
    assert "Person0000 Smith" in page and "Smithson" not in page  # exact surname first
    last = client.get("/contacts/customers/", {"q": "smith", "page": "20"}).content.decode()
    assert "Person0999 Smith" in last and 'rel="next"' not in last
    assert "Person1000" not in last
    beyond = client.get("/contacts/customers/", {"q": "smith", "page": "99"}).content.decode()
    assert "Person0999 Smith" in beyond and 'rel="next"' not in beyond


@pytest.mark.django_db
def test_customer_list_counts_exactly_below_the_cap(client_for):
    _many_smiths(60)
    CustomerFactory(first_name="Adam", last_name="Smithson")
    client = client_for(Role.ADVISER)
    page = client.get("/contacts/customers/", {"q": "smith"}).content.decode()
    assert "61 customers match" in page and "More than" not in page and 'rel="next"' in page
    second = client.get("/contacts/customers/", {"q": "smith", "page": "2"}).content.decode()
    assert "Person0059 Smith" in second and "Adam Smithson" in second  # the looser match last


@pytest.mark.django_db
def test_unknown_records_answer_404(adviser):
    assert adviser.get("/contacts/customers/999999/").status_code == 404
    assert adviser.get("/contacts/999999/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("role, repeats, view, edit", [
    (Role.ADVISER, 200, 200, 200), (Role.MANAGER, 200, 200, 200), (Role.ADMIN, 200, 200, 200),
    (Role.BACK_OFFICE, 200, 200, 403), (Role.COMPLAINTS_OFFICER, 403, 200, 200),
    (Role.SOCIAL_CARE_COMPLAINTS, 403, 200, 200), (Role.LEGAL, 403, 200, 403),
])
def test_each_role_reaches_the_pages_it_should(client_for, role, repeats, view, edit):
    client = client_for(role)
    customer = CustomerFactory()
    contact = ContactFactory(customer=customer)
    # Whoever logs contacts (back-office officers too) sees their own repeat contacts.
    assert client.get("/contacts/repeats/").status_code == repeats
    assert client.get("/contacts/customers/").status_code == view
    assert client.get(f"/contacts/customers/{customer.pk}/").status_code == view
    assert client.get(f"/contacts/{contact.pk}/").status_code == view
    assert client.get("/contacts/customers/new/").status_code == edit
    assert client.get(f"/contacts/customers/{customer.pk}/edit/").status_code == edit


@pytest.mark.django_db
def test_partners_and_anonymous_visitors_reach_no_page(client_for, client):
    assert client.get(LOG).status_code == 302  # to sign in
    partner = client_for(Role.PARTNER)
    assert partner.get(LOG).status_code == 403
    assert partner.get("/contacts/customers/").status_code == 403


@pytest.mark.django_db
def test_navigation_and_attention_for_advisers(client_for, catalogue):
    adviser = client_for(Role.ADVISER)
    page = adviser.get("/").content.decode()
    assert 'href="/contacts/log/"' in page and 'href="/contacts/customers/"' in page
    assert "Your repeat contacts today" in page
    back_office = client_for(Role.BACK_OFFICE).get("/").content.decode()
    assert 'href="/contacts/log/"' not in back_office and 'href="/contacts/customers/"' in back_office
    assert 'href="/contacts/log/team/"' in back_office  # their own page for direct contact


@pytest.mark.django_db
def test_repeat_contacts_today_lists_the_advisers_own(adviser, catalogue):
    customer = CustomerFactory(first_name="Jane", last_name="Smith")
    earlier = ContactFactory(customer=customer, service=catalogue["waste"], enquiry_closed_at=None)
    ContactFactory(customer=customer, service=catalogue["waste"], repeat_of=earlier,
                   handled_by=adviser.user)
    ContactFactory(customer=CustomerFactory(first_name="Someone", last_name="Else"),
                   service=catalogue["waste"], repeat_of=earlier)
    page = adviser.get("/contacts/repeats/").content.decode()
    assert "Jane Smith" in page and "Someone Else" not in page


@pytest.mark.django_db
def test_repeat_contacts_today_lists_suspected_repeats_too(adviser, catalogue):
    customer = CustomerFactory(first_name="Jane", last_name="Smith")
    earlier = ContactFactory(customer=customer, service=catalogue["waste"], enquiry_closed_at=None)
    ContactFactory(customer=customer, service=catalogue["waste"], possible_repeat_of=earlier,
                   handled_by=adviser.user)
    page = adviser.get("/contacts/repeats/").content.decode()
    assert "Jane Smith" in page and "Possible repeat of" in page
    assert f'href="/contacts/{earlier.pk}/"' in page
