"""`intake.rules.contact_decide`, rule by rule, as a pure function: no database, the catalogue as
plain model instances. What every door stores is what this decides (test_every_door.py)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from contacts.models import Contact, Customer, SamplingPeriod
from core.models import AvoidableReason, EnquiryType, HandoffMethod, Service, Team
from handoffs.models import Handoff
from intake.rules import contact_decide

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 3, 10, 11, 0, tzinfo=LONDON)
OD, FAF, CA = HandoffMethod.ONE_AND_DONE, HandoffMethod.FIRE_AND_FORGET, HandoffMethod.CUSTOMER_ADVOCATE

WASTE = Service(pk=1, code="waste", name="Waste and Recycling")
TAX = Service(pk=2, code="council-tax", name="Council Tax")
TEAM = Team(pk=1, code="waste-operations", name="Waste Operations")
BIN_DAYS = EnquiryType(pk=10, service=WASTE, code="bin-days", name="Collection days", handoff_method=OD)
MISSED = EnquiryType(pk=11, service=WASTE, code="missed-bin", name="Missed bin",
                     handoff_method=FAF, team=TEAM, target_working_days=2)
NEW_BIN = EnquiryType(pk=12, service=WASTE, code="new-bin", name="New bin",
                      handoff_method=CA, team=TEAM, target_working_days=10)
BALANCE = EnquiryType(pk=20, service=TAX, code="balance", name="Balance", handoff_method=OD)
CHASING = AvoidableReason(pk=1, code="progress_chasing", name="Progress chasing")
UNCLEAR = AvoidableReason(pk=2, code="seeking_clarification", name="Seeking clarification")
JANE = Customer(pk=7, first_name="Jane", last_name="Smith")
JOHN = Customer(pk=8, first_name="John", last_name="Jones")


def _enquiry(customer=JANE, service=WASTE, resolved=False, pk=100) -> Handoff:
    """An open enquiry: a hand-off with its contact, as `handoffs.selectors` reads it."""
    contact = Contact(pk=pk, customer=customer, service=service, enquiry_type=MISSED)
    return Handoff(pk=pk + 1, contact=contact, team=TEAM, method=FAF,
                   resolved_at=NOW if resolved else None)


def decide(**given):
    fields = {"source": Contact.Source.ADVISER, "channel": "telephone", "service": WASTE,
              "summary": "Rang about the bins.", "now": NOW, "enquiry_type": BIN_DAYS,
              "customer": JANE, **given}
    return contact_decide(**fields)


def errors_of(**given) -> dict:
    with pytest.raises(ValidationError) as error:
        decide(**given)
    return {field: messages[0] for field, messages in error.value.message_dict.items()}


# --- NI14: an avoidable contact has exactly one reason ---------------------------------------


def test_an_avoidable_contact_has_one_reason_and_any_other_none():
    assert errors_of(avoidable=True) == {"avoidable_reason": "Select why the contact was avoidable."}
    assert errors_of(avoidable_reason=UNCLEAR) == {
        "avoidable_reason": "Only an avoidable contact has an avoidable reason."}
    decided = decide(avoidable=True, avoidable_reason=UNCLEAR).contact
    assert (decided["avoidable"], decided["avoidable_reason"]) == (True, UNCLEAR)


# --- Hand-off method and its override reason ---------------------------------------------------


def test_the_handoff_method_defaults_to_the_enquiry_types():
    decision = decide(enquiry_type=MISSED)
    assert decision.contact["handoff_method"] == FAF
    assert decision.handoffs == ((MISSED, FAF),)
    assert decision.contact["handoff_override_reason"] == ""
    assert decide(enquiry_type=None).contact["handoff_method"] == OD


def test_overriding_the_enquiry_types_method_records_why():
    assert errors_of(enquiry_type=MISSED, handoff_method=CA) == {
        "handoff_override_reason": "Say why this contact needs Customer Advocate rather than Fire "
                                   "and Forget."}
    decision = decide(enquiry_type=MISSED, handoff_method=CA, handoff_override_reason=" Vulnerable. ")
    assert decision.contact["handoff_override_reason"] == "Vulnerable."
    assert decision.handoffs == ((MISSED, CA),)


def test_a_system_door_that_gives_no_reason_is_recorded_as_having_set_it():
    decided = decide(enquiry_type=MISSED, handoff_method=OD, set_by="partner street-reporting").contact
    assert decided["handoff_override_reason"] == "set by partner street-reporting"
    # Its own reason wins; the same method as the default needs none and keeps none.
    assert decide(enquiry_type=MISSED, handoff_method=OD, handoff_override_reason="Done on the phone.",
                  set_by="partner x").contact["handoff_override_reason"] == "Done on the phone."
    assert decide(enquiry_type=MISSED, handoff_method=FAF, handoff_override_reason="Why not.",
                  ).contact["handoff_override_reason"] == ""


def test_a_handoff_needs_a_team_to_hand_off_to():
    assert errors_of(enquiry_type=BIN_DAYS, handoff_method=FAF, set_by="partner x") == {
        "handoff_method": "Collection days has no back-office team to hand off to: choose One & "
                          "Done."}
    assert errors_of(enquiry_type=None, handoff_method=FAF, set_by="partner x") == {
        "handoff_method": "Hand-offs need an enquiry type with a receiving team."}
    assert errors_of(handoff_method="throw_over_the_wall") == {
        "handoff_method": "Select a hand-off method."}


# --- First-contact resolution -------------------------------------------------------------------


@pytest.mark.parametrize("enquiry_type, method, given, stored", [
    (BIN_DAYS, None, None, True), (BIN_DAYS, None, False, False), (BIN_DAYS, None, True, True),
    (MISSED, None, None, False), (MISSED, None, False, False),
    (MISSED, OD, None, True), (NEW_BIN, None, None, False),
])
def test_first_contact_resolution_follows_the_handoff(enquiry_type, method, given, stored):
    decided = decide(enquiry_type=enquiry_type, handoff_method=method, set_by="partner x",
                     resolved_at_first_contact=given).contact
    assert decided["resolved_at_first_contact"] is stored


def test_a_handed_off_contact_is_not_resolved_at_first_contact():
    assert errors_of(enquiry_type=MISSED, resolved_at_first_contact=True) == {
        "resolved_at_first_contact": "A contact handed off is not resolved at first contact."}
    assert errors_of(enquiry_type=BIN_DAYS, handoff_method=FAF, resolved_at_first_contact=True,
                     set_by="partner x")["resolved_at_first_contact"].startswith("A contact handed off")


def test_a_contact_raising_a_complaint_is_not_resolved_at_first_contact_and_needs_the_customer():
    assert decide(complaint=True).contact["resolved_at_first_contact"] is False
    assert errors_of(complaint=True, resolved_at_first_contact=True) == {
        "resolved_at_first_contact": "A contact that raises a complaint is not resolved at first "
                                     "contact: the complaint is still to be answered."}
    assert errors_of(complaint=True, customer=None) == {
        "customer": "A complaint needs the customer: find them, or add them first."}


# --- Chasing an open enquiry --------------------------------------------------------------------


def test_chasing_is_one_and_done_avoidable_progress_chasing_linked_with_no_new_handoff():
    enquiry = _enquiry()
    decision = decide(enquiry_type=MISSED, chasing=enquiry.pk, chased=enquiry,
                      progress_chasing=CHASING)
    decided = decision.contact
    assert decision.handoffs == ()
    assert (decided["handoff_method"], decided["avoidable"], decided["avoidable_reason"],
            decided["repeat_of"], decided["possible_repeat_of"]) == (OD, True, CHASING,
                                                                     enquiry.contact, None)
    assert decided["handoff_override_reason"] == f"Chases enquiry {enquiry.pk}, already with the back office."
    assert decided["resolved_at_first_contact"] is True and decided["enquiry_closed_at"] == NOW


def test_chasing_keeps_another_reason_given_and_is_avoidable_even_if_said_not():
    enquiry = _enquiry()
    decided = decide(chasing=enquiry.pk, chased=enquiry, avoidable=False, avoidable_reason=UNCLEAR,
                     progress_chasing=None).contact
    assert (decided["avoidable"], decided["avoidable_reason"]) == (True, UNCLEAR)


@pytest.mark.parametrize("chased, customer, message", [
    (None, JANE, "There is no enquiry 101."),
    (_enquiry(customer=JOHN), JANE, "Enquiry 101 is not this customer's."),
    (_enquiry(), None, "Enquiry 101 is not this customer's."),
    (_enquiry(resolved=True), JANE, "Enquiry 101 is resolved: a new contact about it is a new enquiry."),
    (_enquiry(service=TAX), JANE, "Enquiry 101 is about Council Tax: log the contact under that service."),
])
def test_an_unknown_resolved_or_other_customers_enquiry_cannot_be_chased(chased, customer, message):
    assert errors_of(chasing=101, chased=chased, customer=customer, progress_chasing=CHASING) == {
        "chasing": message}


def test_a_chase_opens_no_handoff_even_when_asked_to():
    enquiry = _enquiry()
    assert errors_of(enquiry_type=MISSED, chasing=enquiry.pk, chased=enquiry, handoff_method=FAF,
                     progress_chasing=CHASING) == {
        "handoff_method": "A contact chasing an open enquiry opens no new hand-off: it is One & Done."}


# --- A suspected repeat -------------------------------------------------------------------------


def test_a_suspected_repeat_not_declared_chasing_opens_its_own_enquiry_and_is_flagged():
    enquiry = _enquiry()
    decision = decide(enquiry_type=MISSED, open_enquiry=enquiry)
    assert decision.handoffs == ((MISSED, FAF),)
    assert (decision.contact["repeat_of"], decision.contact["possible_repeat_of"],
            decision.contact["avoidable"]) == (None, enquiry.contact, False)
    # Imported history is never flagged (nor handed off).
    history = decide(enquiry_type=MISSED, open_enquiry=enquiry, source=Contact.Source.IMPORT)
    assert history.handoffs == () and history.contact["possible_repeat_of"] is None


# --- Several hand-offs (Tell Us Once) ----------------------------------------------------------


def test_a_contact_handed_to_several_teams_opens_a_handoff_on_each_with_its_own_method():
    other_team = Team(pk=2, code="revenues", name="Revenues")
    discount = EnquiryType(pk=21, service=TAX, code="spd", name="Single person discount",
                           handoff_method=FAF, team=other_team, target_working_days=10)
    decision = decide(enquiry_type=BIN_DAYS, handoff_method=CA, handoff_to=(discount, NEW_BIN),
                      handoff_override_reason="Tell Us Once: told to two services.")
    assert decision.handoffs == ((discount, FAF), (NEW_BIN, CA))
    assert decision.contact["resolved_at_first_contact"] is False
    assert decision.contact["enquiry_closed_at"] is None


# --- The rest: what every door checks ----------------------------------------------------------


def test_every_broken_rule_is_named_at_once():
    assert set(errors_of(channel="pigeon", summary="  ", received_at=NOW + timedelta(hours=2),
                         direction="sideways", external_ref="x" * 101, enquiry_type=BALANCE,
                         avoidable=True)) == {
        "channel", "summary", "received_at", "direction", "external_ref", "enquiry_type",
        "avoidable_reason"}
    assert errors_of(summary="x" * 2001) == {
        "summary": "The summary must be 2000 characters or fewer."}


def test_back_dated_contacts_keep_their_time_and_day_and_a_clock_a_minute_ahead_is_not_the_future():
    midnight = datetime(2026, 3, 9, 23, 30, tzinfo=ZoneInfo("UTC"))  # 23:30 GMT in March
    decided = decide(received_at=midnight).contact
    assert (decided["received_at"], decided["received_date"]) == (midnight, date(2026, 3, 9))
    bst = datetime(2026, 6, 9, 23, 30, tzinfo=ZoneInfo("UTC"))  # 00:30 on the 10th in London
    assert decide(received_at=bst, now=bst).contact["received_date"] == date(2026, 6, 10)
    assert decide(received_at=NOW + timedelta(seconds=50)).contact["received_at"] > NOW
    assert decide(received_at=None).contact["received_at"] == NOW


def test_a_contact_records_the_sampling_period_running_on_its_day():
    week = SamplingPeriod(pk=3, name="Week 11", start_date=date(2026, 3, 9), end_date=date(2026, 3, 13))

    def period_on(day):
        return week if week.start_date <= day <= week.end_date else None

    assert decide(sampling_period_for=period_on).contact["sampling_period"] == week
    before = datetime(2026, 3, 6, 10, tzinfo=LONDON)
    assert decide(received_at=before, sampling_period_for=period_on).contact["sampling_period"] is None


def test_one_and_done_closes_its_enquiry_when_received_and_history_always_does():
    assert decide().contact["enquiry_closed_at"] == NOW
    assert decide(enquiry_type=MISSED).contact["enquiry_closed_at"] is None
    imported = decide(enquiry_type=MISSED, source=Contact.Source.IMPORT)
    assert imported.contact["enquiry_closed_at"] == NOW and imported.handoffs == ()


# --- Handling time (issue 22) -------------------------------------------------------------------


@pytest.mark.parametrize("seconds", [-1, 28801, 12.5, "300", True])
def test_a_handling_time_is_whole_seconds_within_a_working_day(seconds):
    assert errors_of(handling_time_seconds=seconds) == {
        "handling_time_seconds": "Enter the handling time as a whole number of seconds from 0 to "
                                 "28,800 (8 hours)."}


@pytest.mark.parametrize("seconds", [None, 0, 245, 28800])
def test_a_handling_time_is_optional_and_recorded(seconds):
    assert decide(handling_time_seconds=seconds).contact["handling_time_seconds"] == seconds
