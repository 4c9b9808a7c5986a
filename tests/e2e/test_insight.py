"""Customer insight (issue 11) in a real browser: Tell Us Once told to two services, a customer
answering the emailed satisfaction survey once, and the manager's survey results, journeys and
services used together. Every page visited passes axe (check_page); the figures the pages show
are worked out here from the records themselves."""

import re
from datetime import timedelta
from decimal import Decimal
from itertools import combinations
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core.working_days import add_working_days
from tests.e2e.conftest import create_user, fill_date, focused, sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def short_date(day) -> str:
    return f"{day.day} {day:%b %Y}"


def long_date(day) -> str:
    return f"{day.day} {day:%B %Y}"


def log(customer, service_code: str, type_code: str, channel: str, when, **extra):
    from core.models import EnquiryType
    from intake.services import contact_log

    enquiry_type = EnquiryType.objects.select_related("service").get(
        service__code=service_code, code=type_code)
    return contact_log(actor=None, channel=channel, service=enquiry_type.service,
                       enquiry_type=enquiry_type, customer=customer, summary="Logged for the journey.",
                       source="adviser", received_at=when, **extra).contact


# --- Tell Us Once ------------------------------------------------------------------------------


# Residents answer surveys on the council's public pages, not the staff product.
PUBLIC = "Report, request or complain"


@pytest.fixture
def bereaved(demo_data):
    from tests.factories import CustomerFactory

    return CustomerFactory(first_name="Edith", last_name="Tellusonce", address_line_1="3 Mossley Road",
                           town="Ashton-under-Lyne", postcode="OL6 9ZT")


def test_adviser_tells_two_services_of_a_bereavement_once(page, check_page, bereaved):
    from core.models import EnquiryType
    from insight.models import LifeEvent

    sign_in(page, "adviser")
    page.get_by_role("link", name="Tell Us Once").first.click()
    check_page(page, "insight-life-events", title="Tell Us Once")
    page.get_by_role("link", name="Record a life event").click()
    check_page(page, "insight-life-event-search", title="Record a life event")
    page.get_by_label("Find the customer").fill("OL6 9ZT")
    page.get_by_role("button", name="Search").click()
    found = page.get_by_role("table", name="Customers found")
    expect(found.get_by_role("row")).to_have_count(2)  # the header and Edith
    check_page(page, "insight-life-event-found", title="Record a life event")
    found.get_by_role("link", name="Choose Edith Tellusonce").click()
    expect(page.locator(".govuk-caption-l")).to_have_text("Tell Us Once: Edith Tellusonce")
    check_page(page, "insight-life-event-form", title="Record a life event")

    # 1. An impossible date and no service chosen: the GOV.UK error summary, each link to its field.
    page.get_by_label("Bereavement").check()
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill(str(timezone.localdate().year))
    page.get_by_label("Details to share with the services").fill(
        "Mr Albert Tellusonce died on the date given. Mrs Tellusonce now lives alone.")
    page.get_by_role("button", name="Tell these services").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()  # govuk-frontend moves the focus to the summary on load
    expect(summary.get_by_role("link")).to_have_text([
        "The date of the event must be a real date.", "Select at least one service to tell."])
    check_page(page, "insight-life-event-errors", title="Error: Record a life event")
    summary.get_by_role("link", name="Select at least one service to tell.").click()
    assert focused(page, "el.type === 'checkbox' && el.name === 'services'"), \
        "the services error link should focus the first service's checkbox"
    summary.get_by_role("link", name="The date of the event must be a real date.").click()
    assert focused(page, "el.id === 'id_event_day'")
    assert not LifeEvent.objects.filter(customer=bereaved).exists()

    # 2. Put right, two services chosen: one hand-off each, to its route's team, due by its standard.
    event_date = timezone.localdate() - timedelta(days=4)
    page.get_by_label("Day").fill(str(event_date.day))
    page.get_by_label("Month").fill(str(event_date.month))
    page.get_by_label("Year").fill(str(event_date.year))
    services = page.get_by_role("group", name="Services to tell")
    services.get_by_label("Council Tax", exact=True).check()
    services.get_by_label("Housing", exact=True).check()
    page.get_by_role("button", name="Tell these services").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "2 services told. Their hand-offs are below.")
    event = LifeEvent.objects.get(customer=bereaved)
    check_page(page, "insight-life-event-detail", title="Bereavement: Edith Tellusonce")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bereavement: Edith Tellusonce")
    expect(page.locator(".govuk-summary-list")).to_contain_text(long_date(event_date))

    today = timezone.localdate()
    single_person = EnquiryType.objects.select_related("team").get(
        service__code="council-tax", code="single-person-discount")
    register = EnquiryType.objects.select_related("team").get(
        service__code="housing", code="housing-register")
    rows = page.get_by_role("table", name="Services told").locator("tbody tr")
    expect(rows).to_have_count(2)
    for row, (service, enquiry_type) in zip(
            (rows.nth(0), rows.nth(1)), (("Council Tax", single_person), ("Housing", register)), strict=True):
        cells = row.get_by_role("cell")
        expect(cells.nth(0)).to_contain_text(service)
        expect(cells.nth(0)).to_contain_text(enquiry_type.name)
        expect(cells.nth(1)).to_have_text(enquiry_type.team.name)
        expect(cells.nth(2)).to_have_text("Open")
        due = add_working_days(today, enquiry_type.target_working_days)
        expect(cells.nth(3)).to_have_text(short_date(due))
        expect(cells.nth(4)).to_have_text("Not yet accepted")
    notices = list(event.notices.select_related("handoff__team").order_by("service__name"))
    assert [(n.service.name, n.handoff.team_id) for n in notices] == [
        ("Council Tax", single_person.team_id), ("Housing", register.team_id)]

    # 3. It heads the list of recent life events, with two services told and none resolved yet.
    page.get_by_role("link", name="Back to Tell Us Once").click()
    first = page.get_by_role("table", name="Recent life events").locator("tbody tr").first
    expect(first.get_by_role("cell")).to_have_text(
        [re.compile(r"\d+ \w{3} \d{4} \d\d:\d\d"), "Edith Tellusonce", "Bereavement", "2", "0"])
    check_page(page, "insight-life-events-after", title="Tell Us Once")


# --- The emailed survey ------------------------------------------------------------------------


@pytest.fixture
def survey_link(demo_data):
    """A resolved One & Done phone call, its customer invited by email: the link in that email."""
    from django.conf import settings

    from core.models import ChannelCode, OutboundMessage
    from insight.services import survey_invite
    from tests.factories import CustomerFactory

    customer = CustomerFactory(first_name="Sam", last_name="Surveyed", postcode="OL6 9ZS",
                               email="sam.surveyed@example.org")
    contact = log(customer, "council-tax", "balance-enquiry", ChannelCode.TELEPHONE,
                  timezone.now() - timedelta(hours=2))
    survey = survey_invite(contact=contact, percents={ChannelCode.TELEPHONE: 100})
    assert survey is not None
    email = OutboundMessage.objects.get(dedupe_key=f"survey:{survey.pk}:invitation")
    assert email.to_email == "sam.surveyed@example.org"
    link = re.search(r"^(https?://\S+)$", email.body, re.MULTILINE).group(1)
    assert link.startswith(settings.PUBLIC_BASE_URL.rstrip("/") + "/insight/survey/")
    return survey, urlsplit(link).path


def test_customer_answers_the_emailed_survey_once(page, other_page, check_page, survey_link):
    from insight.models import Survey

    survey, path = survey_link
    # No sign-in: the link alone opens it.
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Tell us how we did")
    expect(page.get_by_text("Council Tax (balance or payment enquiry)")).to_be_visible()
    check_page(page, "insight-survey-answer", title="Tell us how we did", service=PUBLIC)
    # The same link open in a second tab, to try answering twice.
    other_page.goto(path)

    # Nothing chosen: three errors, and the first link moves the focus to the first radio.
    page.get_by_role("button", name="Send feedback").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("link")).to_have_text([
        "Select how satisfied you are, from 1 to 5.", "Select how easy it was, from 1 to 5.",
        "Select yes if your enquiry was resolved."])
    check_page(page, "insight-survey-errors", title="Error: Tell us how we did", service=PUBLIC)
    summary.get_by_role("link").first.click()
    assert focused(page, "el.type === 'radio' && el.name === 'satisfaction'")

    page.get_by_role("group", name=re.compile("^Overall, how satisfied")).get_by_label(
        "4", exact=True).check()
    page.get_by_role("group", name="How easy was it to get what you needed?").get_by_label(
        "5", exact=True).check()
    page.get_by_role("group", name="Was your enquiry resolved?").get_by_label("Yes").check()
    page.get_by_label("Is there anything you would like to tell us?").fill("Quick answer on the phone.")
    page.get_by_role("button", name="Send feedback").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your feedback")
    check_page(page, "insight-survey-thanks", title="Thank you for your feedback", service=PUBLIC)
    survey = Survey.objects.get(pk=survey.pk)
    assert (survey.satisfaction, survey.ease, survey.resolved, survey.comments) == (
        4, 5, True, "Quick answer on the phone.")
    answered_at = survey.responded_at

    # The second tab's form, sent after: not recorded, the customer is told they answered already.
    group = other_page.get_by_role("group", name=re.compile("^Overall, how satisfied"))
    group.get_by_label("1", exact=True).check()
    other_page.get_by_role("group", name="How easy was it to get what you needed?").get_by_label(
        "1", exact=True).check()
    other_page.get_by_role("group", name="Was your enquiry resolved?").get_by_label("No").check()
    other_page.get_by_role("button", name="Send feedback").click()
    expect(other_page.get_by_role("heading", level=1)).to_have_text("You have already answered")
    check_page(other_page, "insight-survey-already-answered-post", title="You have already answered",
               service=PUBLIC)

    # Following the link again: no form, the same answer.
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_text("You have already answered")
    expect(page.get_by_role("button", name="Send feedback")).to_have_count(0)
    expect(page.get_by_text("we have kept your first answers")).to_be_visible()
    check_page(page, "insight-survey-already-answered", title="You have already answered", service=PUBLIC)
    survey.refresh_from_db()
    assert (survey.satisfaction, survey.ease, survey.resolved, survey.responded_at) == (
        4, 5, True, answered_at)

    # A made-up token finds nothing.
    response = page.goto("/insight/survey/not-a-real-token/")
    assert response.status == 404


# --- The manager's reports ---------------------------------------------------------------------


@pytest.fixture
def journeyer(demo_data):
    """Reported a missed bin online 30 days ago, chased by phone, then came in person; the bin
    team resolved it; asked at the counter (today) about his last visit. Older than the demo's records, so the
    journeys of that week are Jorge's alone."""
    from core.models import AvoidableReason, ChannelCode
    from core.roles import Role
    from handoffs.services import handoff_resolve
    from insight.services import survey_record_at_counter
    from tests.factories import CustomerFactory

    jorge = CustomerFactory(first_name="Jorge", last_name="Journeyfinder", postcode="OL6 9ZJ")
    start = timezone.now().replace(hour=10, minute=0, second=0, microsecond=0) - timedelta(days=30)
    chasing = AvoidableReason.objects.get(code="progress_chasing")
    first = log(jorge, "waste", "missed-bin", ChannelCode.WEB, start)
    log(jorge, "waste", "collection-days", ChannelCode.TELEPHONE, start + timedelta(days=1, hours=1),
        avoidable=True, avoidable_reason=chasing, chasing=first.handoffs.get().pk)
    third = log(jorge, "waste", "collection-days", ChannelCode.FACE_TO_FACE,
                start + timedelta(days=2, hours=2), avoidable=True, avoidable_reason=chasing,
                chasing=first.handoffs.get().pk)
    resolved_at = start + timedelta(days=2, hours=5)
    handoff_resolve(handoff=first.handoffs.get(), actor=None, outcome="Bin emptied.",
                    at=resolved_at)
    survey_record_at_counter(contact=third, actor=create_user(Role.ADVISER), satisfaction=2, ease=1,
                             resolved=True, comments="Three goes to get one bin emptied.")
    # Three neighbours asked about their bins and their Council Tax this week: services used together.
    now = timezone.now()
    for first_name in ("Amira", "Bill", "Chen"):
        neighbour = CustomerFactory(first_name=first_name, last_name="Together", postcode="OL6 9ZN")
        log(neighbour, "waste", "collection-days", ChannelCode.WEB, now - timedelta(days=2))
        log(neighbour, "council-tax", "balance-enquiry", ChannelCode.TELEPHONE, now - timedelta(days=1))
    create_user(Role.MANAGER, "e2e_manager")
    return {"customer": jorge, "start": start, "resolved_at": resolved_at, "first": first}


def figure(page, label: str):
    box = page.locator(".nwd-figure").filter(has=page.get_by_text(label, exact=True))
    return box.locator(".govuk-heading-l")


def test_manager_reads_surveys_journeys_and_services_used_together(page, check_page, journeyer):
    from contacts.models import Contact
    from core.models import Channel, ChannelCode
    from core.working_days import calendar
    from insight.models import Survey

    today = timezone.localdate()
    sign_in(page, "e2e_manager")
    page.get_by_role("link", name="Customer insight").first.click()

    # 1. Satisfaction over the default 90 days, worked out from the surveys themselves.
    asked = [s for s in Survey.objects.all()
             if today - timedelta(days=90) <= timezone.localtime(s.asked_at).date() <= today]
    answered = [s for s in asked if s.responded_at]
    assert len(answered) >= 2, "the demo data should give some answered surveys besides Jorge's"
    expect(figure(page, "Answered")).to_have_text(str(len(answered)))
    expect(page.locator(".nwd-figure", has_text="Answered")).to_contain_text(
        f"of {len(asked)} asked ({round(100 * len(answered) / len(asked), 1)}%)")
    average = round(sum(s.satisfaction for s in answered) / len(answered), 2)
    expect(figure(page, "Satisfaction")).to_have_text(str(average))
    by_method = page.get_by_role("table", name="By method")
    counter = [s for s in answered if s.method == Survey.Method.COUNTER]
    expect(by_method.get_by_role("row", name=re.compile("^At the counter"))).to_contain_text(
        str(round(sum(s.satisfaction for s in counter) / len(counter), 2)))
    expect(page.get_by_text("“Three goes to get one bin emptied.”")).to_be_visible()
    check_page(page, "insight-survey-results", title="Customer satisfaction")

    # 2. Journeys of missed bins that started in Jorge's week: his alone, web, phone, in person.
    subnav = page.get_by_role("navigation", name="Reports")
    subnav.get_by_role("link", name="Customer journeys").click()
    check_page(page, "insight-journeys", title="Customer journeys")
    start = timezone.localtime(journeyer["start"]).date()
    fill_date(page, "From", start - timedelta(days=3))
    fill_date(page, "To", start + timedelta(days=3))
    page.get_by_label("Enquiry type").select_option(label="Waste and Recycling: Missed bin collection")
    page.get_by_role("button", name="Show journeys").click()
    assert Contact.objects.filter(
        enquiry_type__code="missed-bin", received_date__gte=start - timedelta(days=3),
        received_date__lte=start + timedelta(days=3)).count() == 1  # Jorge's report only
    costs = dict(Channel.objects.values_list("code", "unit_cost"))
    steps = [ChannelCode.WEB, ChannelCode.TELEPHONE, ChannelCode.FACE_TO_FACE]
    cost = sum((costs[c] for c in steps), Decimal("0"))
    days = calendar().working_days_between(start, timezone.localtime(journeyer["resolved_at"]).date())
    expect(figure(page, "Journeys")).to_have_text("1")
    expect(figure(page, "Contacts to resolve")).to_have_text("3.0")
    expect(figure(page, "Avoidable contacts")).to_have_text(f"{round(100 * 2 / 3, 1)}%")
    patterns = page.get_by_role("table", name="Most common journeys").locator("tbody tr")
    expect(patterns).to_have_count(1)
    expect(patterns.first.locator("th, td")).to_have_text(
        [" → ".join(ChannelCode(c).label for c in steps), "1", "1", "2.0", f"{float(days)}",
         f"£{cost}", f"£{cost}"])
    dearer = [(a, b) for a, b in zip(steps, steps[1:], strict=False) if costs[b] > costs[a]]
    drops = page.get_by_role("table", name="Where customers moved to a dearer channel").locator("tbody tr")
    expect(drops).to_have_count(max(len(dearer), 1))
    check_page(page, "insight-journeys-missed-bin", title="Customer journeys")

    # 3. Jorge's own journey: one need, three contacts, two avoidable, resolved.
    page.get_by_label("Find the customer").fill("Journeyfinder")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Jorge Journeyfinder").click()
    check_page(page, "insight-customer-journey", title="Journeys of Jorge Journeyfinder")
    journey = page.locator("section.nwd-journey")
    expect(journey).to_have_count(1)
    expect(journey.get_by_role("heading", level=2)).to_have_text(
        re.compile(r"^Waste and Recycling: Missed bin collection\s+Resolved$"))
    expect(journey).to_contain_text(
        f"3 contacts, 2 avoidable; {days} working day{'s' if days != 1 else ''} from {long_date(start)} "
        f"to resolution on {long_date(timezone.localtime(journeyer['resolved_at']).date())}; cost £{cost}.")
    expect(journey.locator("tbody tr")).to_have_count(3)
    expect(journey.get_by_text("Dearer channel")).to_have_count(len(dearer))

    # 4. Services used together over 90 days, worked out from the contacts.
    page.goto("/insight/services-together/")
    services_of: dict[int, set] = {}
    for customer_id, service in Contact.objects.filter(
            customer__isnull=False, received_date__gte=today - timedelta(days=90),
            received_date__lte=today).values_list("customer_id", "service__name").distinct():
        services_of.setdefault(customer_id, set()).add(service)
    users: dict[str, int] = {}
    pairs: dict[tuple, int] = {}
    for names in services_of.values():
        for name in names:
            users[name] = users.get(name, 0) + 1
        for pair in combinations(sorted(names), 2):
            pairs[pair] = pairs.get(pair, 0) + 1
    common = {pair: n for pair, n in pairs.items() if n >= 3}
    assert common, "the neighbours at least used Waste and Council Tax together"
    expect(page.locator("main")).to_contain_text(
        f"{len(services_of)} customers contacted the council from {long_date(today - timedelta(days=90))} "
        f"to {long_date(today)}.")
    expect(page.locator("#service-pairs tbody tr")).to_have_count(len(common))
    (a, b), both = max(common.items(), key=lambda item: (item[1], item[0]))
    first, second = (a, b) if users[a] >= users[b] else (b, a)
    row = page.locator("#service-pairs tbody tr").filter(
        has=page.get_by_role("rowheader", name=f"{first} ({users[first]})", exact=True)).filter(
        has_text=f"{second} ({users[second]})")
    expect(row.get_by_role("cell")).to_have_text([
        f"{second} ({users[second]})", str(both), f"{round(100 * both / users[first], 1)}%",
        str(round(both * len(services_of) / (users[a] * users[b]), 2))])
    waste = page.locator("#service-customers tbody tr").filter(
        has=page.get_by_role("rowheader", name="Waste and Recycling", exact=True))
    expect(waste.get_by_role("cell")).to_have_text(str(users["Waste and Recycling"]))
    check_page(page, "insight-services-together", title="Services used together")
