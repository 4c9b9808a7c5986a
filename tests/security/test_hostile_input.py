"""Hostile input on the pages (issue 8, "Hostile input"): random text (any Unicode, NUL
characters, markup, SQL, huge numbers) in every field of the adviser's log-contact form, the
customer form and the complaint form, and in the search boxes, never makes a 500; and stored
names and summaries containing markup are shown escaped on every page that shows them.

The Django test client re-raises any exception a view lets escape, so a crash fails the example
with its traceback; hypothesis then shrinks it to the smallest input that breaks.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from complaints.models import Process
from contacts.models import Contact
from core.models import ChannelCode, HandoffMethod
from core.roles import Role
from handoffs.services import handoff_add_update
from intake.services import contact_log
from tests.complaints.factories import complaint
from tests.factories import CustomerFactory, EnquiryTypeFactory, ServiceFactory, TeamFactory

EXAMPLES = 40
NASTY = st.sampled_from([
    "", " ", "\x00", "a\x00b", "<script>alert(1)</script>", "' OR 1=1 --", "%s%s%n", "-1", "0",
    "9" * 40, "1e309", "NaN", "𝕏" * 60, "\u202e\u200b", "../../etc/passwd", "{{ 7*7 }}",
    "x" * 5000, "2026-02-30T25:61", "OL6 6AB", "07700 900123", "a@b.c",
])
TEXT = st.one_of(NASTY, st.text(max_size=120), st.text(alphabet=st.characters(codec="utf-8"), max_size=40))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
OK = {200, 302, 400, 403, 404}


@pytest.fixture
def world(client_for):
    """A manager (who may log contacts, create customers and complaints) and a small catalogue."""
    client = client_for(Role.MANAGER)
    team = TeamFactory()
    service = ServiceFactory(code="waste")
    enquiry_type = EnquiryTypeFactory(service=service, team=team,
                                      handoff_method=HandoffMethod.FIRE_AND_FORGET)
    customer = CustomerFactory()
    return client, service, enquiry_type, customer


def _report(form: str, statuses: list[int]) -> None:
    assert len(statuses) >= EXAMPLES, f"{form}: only {len(statuses)} examples ran"
    print(f"\nform fuzz {form}: {len(statuses)} requests, answers {sorted(set(statuses))}")


def _mutated(valid: dict):
    """A valid form with up to three of its fields (or unknown extra ones) replaced by hostile
    text, so that examples reach both the error answers and the saves."""
    keys = [*valid, "unexpected"]
    return st.tuples(st.lists(st.sampled_from(keys), max_size=3, unique=True),
                     st.lists(TEXT, min_size=3, max_size=3)).map(
        lambda pair: {**valid, **dict(zip(pair[0], pair[1], strict=False))})


def _posts_never_500(client, url: str, valid: dict, label: str) -> None:
    """Post `valid` to `url` with one field at a time made hostile: never a 500."""
    seen = []

    @FUZZ
    @given(_mutated(valid))
    def check(data):
        response = client.post(url, data)
        assert response.status_code in OK
        seen.append(response.status_code)

    check()
    _report(label, seen)


@pytest.mark.django_db
def test_log_contact_form_never_500s(world):
    client, service, enquiry_type, customer = world
    valid = {"channel": ChannelCode.TELEPHONE.value, "enquiry_type": str(enquiry_type.pk),
             "summary": "Missed bin.", "customer": str(customer.pk),
             "avoidable": "on", "avoidable_reason": "progress_chasing",
             "handoff_method": HandoffMethod.CUSTOMER_ADVOCATE.value,
             "handoff_override_reason": "Vulnerable caller.", "site": "", "chasing": "none"}
    _posts_never_500(client, "/contacts/log/", valid, "log contact")


@pytest.mark.django_db
def test_log_contact_form_with_a_complaint_never_500s(world):
    client, service, enquiry_type, customer = world
    valid = {"channel": ChannelCode.FACE_TO_FACE.value, "enquiry_type": "",
             "summary": "Came to complain.", "customer": str(customer.pk), "complaint": "on",
             "complaint_process": "statutory", "complaint_service": service.code,
             "complaint_summary": "Care package cut.", "chasing": "none"}
    _posts_never_500(client, "/contacts/log/", valid, "log contact with a complaint")


@pytest.mark.django_db
def test_back_office_log_form_never_500s(world):
    client, service, enquiry_type, customer = world
    valid = {"team": str(enquiry_type.team_id), "channel": ChannelCode.LETTER.value,
             "service": service.code, "enquiry_type": str(enquiry_type.pk), "summary": "Wrote in.",
             "customer": str(customer.pk), "avoidable": "on",
             "avoidable_reason": "information_not_available", "chasing": "none"}
    _posts_never_500(client, "/contacts/log/team/", valid, "back-office log contact")


@pytest.mark.django_db
def test_customer_form_never_500s(world):
    client, _, _, customer = world
    valid = {"first_name": "Ada", "last_name": "Lovelace", "dob_day": "10", "dob_month": "12",
             "dob_year": "1985", "address_line_1": "1 Oak Street", "address_line_2": "",
             "town": "Ashton", "postcode": "OL6 6AB", "uprn": "100012345678", "phone": "07700 900123",
             "email": "ada@example.com", "preferred_channel": "email", "accessibility_needs": "",
             "is_vulnerable": "on", "vulnerability_notes": "Lives alone", "consent_notes": "",
             "confirm_new": "1", "next": "/contacts/log/"}

    @FUZZ
    @given(_mutated(valid), st.booleans())
    def check(data, edit):
        url = f"/contacts/customers/{customer.pk}/edit/" if edit else "/contacts/customers/new/"
        response = client.post(url, data)
        assert response.status_code in OK
        if response.status_code == 302:
            assert response["Location"].startswith("/")  # `next` never leaves the site
        seen.append(response.status_code)

    seen = []
    check()
    _report("customer", seen)


@pytest.mark.django_db
def test_complaint_form_never_500s(world):
    client, service, _, customer = world
    valid = {"customer": str(customer.pk), "service": service.code, "summary": "Rude crew.",
             "received_at": "", "process": Process.CORPORATE.value, "via_ombudsman": "",
             "ombudsman_reference": ""}
    _posts_never_500(client, "/complaints/new/", valid, "complaint")


@pytest.mark.django_db
def test_search_boxes_never_500(world):
    client = world[0]

    @FUZZ
    @given(TEXT, st.sampled_from(["/contacts/log/", "/contacts/customers/", "/complaints/new/",
                                  "/complaints/", "/handoffs/"]))
    def check(query, page):
        response = client.get(page, {"q": query, "page": query})
        assert response.status_code in OK
        seen.append(response.status_code)

    seen = []
    check()
    _report("search", seen)


# --- Output escaping ---------------------------------------------------------------------------

MARKUP = '<script>alert("nwd")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def marked_up(make_user):
    """Every stored free-text field a page shows, holding markup."""
    adviser = make_user(Role.ADVISER)
    team = TeamFactory(name=f"Team {MARKUP}")
    service = ServiceFactory(code="waste", name=f"Waste {MARKUP}")
    enquiry_type = EnquiryTypeFactory(service=service, team=team, name=f"Bins {MARKUP}",
                                      handoff_method=HandoffMethod.FIRE_AND_FORGET)
    customer = CustomerFactory(first_name=MARKUP, last_name=f"Smith {MARKUP}",
                               vulnerability_notes=MARKUP, is_vulnerable=True, address_line_1=MARKUP)
    taken = contact_log(actor=adviser, channel=ChannelCode.TELEPHONE, service=service,
                        enquiry_type=enquiry_type, customer=customer, summary=f"Said {MARKUP}",
                        source=Contact.Source.ADVISER)
    handoff_add_update(handoff=taken.handoff, actor=adviser, note=f"Rang {MARKUP}")
    case = complaint(customer=customer, service=service, summary=f"Rude {MARKUP}")
    return {"customer": customer, "contact": taken.contact, "handoff": taken.handoff,
            "complaint": case}


def _assert_escaped(html: str, page: str) -> None:
    assert "<script>alert" not in html, page
    assert "<img src=x" not in html, page
    assert "&lt;script&gt;alert(" in html, page


@pytest.mark.django_db
def test_stored_markup_is_shown_escaped_everywhere(client_for, marked_up):
    client = client_for(Role.ADMIN)
    ids = {name: record.pk for name, record in marked_up.items()}
    pages = [
        f"/contacts/customers/{ids['customer']}/",
        f"/contacts/customers/{ids['customer']}/edit/",
        f"/contacts/customers/{ids['customer']}/export/",
        "/contacts/customers/?q=Smith",
        f"/contacts/log/?customer={ids['customer']}",
        f"/contacts/{ids['contact']}/",
        f"/handoffs/{ids['handoff']}/",
        f"/complaints/{ids['complaint']}/",
        "/complaints/",
        "/reports/",
        "/reports/contacts/",
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        _assert_escaped(response.content.decode(), page)
