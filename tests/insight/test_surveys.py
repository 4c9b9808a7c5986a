"""Satisfaction surveys (issue 11): deterministic per-channel sampling, suppression, the sweep
that finds resolved enquiries (One & Done at once, hand-offs when the back office resolves them),
the emailed invitation through the outbox, the public answer page and counter surveys."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from core.models import ChannelCode, HandoffMethod, OutboundMessage
from core.roles import Role
from handoffs.services import handoff_resolve
from insight import selectors
from insight.models import Survey, SurveySampling, SweepMark
from insight.services import (
    SWEEP_NAME,
    survey_answer,
    survey_for_token,
    survey_record_at_counter,
    survey_sampled,
    surveys_sweep,
)
from intake.services import contact_log
from tests.factories import CustomerFactory, EnquiryTypeFactory
from tests.handoffs.factories import team_with_lead, user_with


def _log(customer, *, channel=ChannelCode.TELEPHONE, method=HandoffMethod.ONE_AND_DONE, team=None,
         enquiry_type=None, actor=None):
    if enquiry_type is None:
        team = team or (team_with_lead() if method != HandoffMethod.ONE_AND_DONE else None)
        enquiry_type = EnquiryTypeFactory(handoff_method=method, team=team, target_working_days=5)
    return contact_log(actor=actor, channel=channel, service=enquiry_type.service,
                       enquiry_type=enquiry_type, customer=customer, summary="Bin day?",
                       source="adviser").contact


def _sample_all(channel=ChannelCode.TELEPHONE, percent=100):
    SurveySampling.objects.update_or_create(channel=channel, defaults={"percent": percent})


def _invitations():
    return OutboundMessage.objects.filter(dedupe_key__startswith="survey:")


def test_sampling_is_a_fixed_function_of_the_contact_with_the_configured_share():
    draws = [survey_sampled(contact_id, 20) for contact_id in range(1, 20001)]
    assert draws == [survey_sampled(contact_id, 20) for contact_id in range(1, 20001)]
    assert 0.19 < sum(draws) / len(draws) < 0.21
    assert not any(survey_sampled(contact_id, 0) for contact_id in range(1, 2001))
    assert all(survey_sampled(contact_id, 100) for contact_id in range(1, 2001))
    # A contact in the 10% sample is also in the 20% one: raising a rate only adds people.
    assert all(survey_sampled(c, 20) for c in range(1, 5001) if survey_sampled(c, 10))


@pytest.mark.django_db
def test_sweep_emails_a_sampled_one_and_done_customer_once_however_often_it_runs():
    _sample_all()
    customer = CustomerFactory(email="rita@example.com")
    contact = _log(customer)
    assert surveys_sweep() == {"considered": 1, "invited": 1}
    assert surveys_sweep()["invited"] == 0
    survey = Survey.objects.get()
    assert (survey.contact, survey.method, survey.resolution, survey.team) == (
        contact, Survey.Method.EMAIL, Survey.Resolution.ONE_AND_DONE, None)
    message = _invitations().get()
    assert message.to_email == "rita@example.com"
    assert message.dedupe_key == f"survey:{survey.pk}:invitation"
    assert "/insight/survey/" in message.body


@pytest.mark.django_db
def test_channel_at_zero_percent_and_customers_without_email_are_not_asked():
    _sample_all(ChannelCode.TELEPHONE, 0)
    _sample_all(ChannelCode.WEB, 100)
    _log(CustomerFactory(), channel=ChannelCode.TELEPHONE)
    _log(CustomerFactory(email=""), channel=ChannelCode.WEB)
    _log(None, channel=ChannelCode.WEB)
    _log(CustomerFactory(), channel=ChannelCode.LETTER)  # no sampling row: never
    assert surveys_sweep()["invited"] == 0
    assert not Survey.objects.exists()


@pytest.mark.django_db
def test_only_the_sampled_share_of_a_channel_is_asked_and_exactly_those_the_hash_picks():
    _sample_all(ChannelCode.WEB, 30)
    contacts = [_log(CustomerFactory(), channel=ChannelCode.WEB) for _ in range(40)]
    surveys_sweep()
    asked = set(Survey.objects.values_list("contact_id", flat=True))
    assert asked == {c.pk for c in contacts if survey_sampled(c.pk, 30)}
    assert 0 < len(asked) < 40


@pytest.mark.django_db
def test_a_customer_is_not_asked_twice_within_the_suppression_period(settings):
    settings.SURVEY_SUPPRESSION_DAYS = 30
    _sample_all()
    customer = CustomerFactory()
    _log(customer)
    surveys_sweep()
    with time_machine.travel(timezone.now() + timedelta(days=29)):
        _log(customer)
        _log(customer)
        assert surveys_sweep()["invited"] == 0
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        _log(customer)
        assert surveys_sweep()["invited"] == 1
    assert Survey.objects.filter(customer=customer).count() == 2
    assert _invitations().count() == 2


@pytest.mark.django_db
def test_two_contacts_of_one_customer_in_the_same_sweep_get_one_survey():
    _sample_all()
    customer = CustomerFactory()
    _log(customer)
    _log(customer)
    assert surveys_sweep()["invited"] == 1


@pytest.mark.django_db
def test_a_handoff_is_surveyed_when_the_back_office_resolves_it_not_before():
    _sample_all()
    team = team_with_lead()
    contact = _log(CustomerFactory(), method=HandoffMethod.FIRE_AND_FORGET, team=team)
    assert surveys_sweep()["invited"] == 0
    with time_machine.travel(timezone.now() + timedelta(hours=3)):
        handoff_resolve(handoff=contact.handoffs.get(), actor=team.lead, outcome="Collected.")
        assert surveys_sweep()["invited"] == 1
    survey = Survey.objects.get()
    assert (survey.resolution, survey.team) == (Survey.Resolution.HANDOFF, team)


@pytest.mark.django_db
def test_one_and_done_not_resolved_at_first_contact_is_not_surveyed():
    _sample_all()
    enquiry_type = EnquiryTypeFactory()
    contact_log(actor=None, channel=ChannelCode.TELEPHONE, service=enquiry_type.service,
                enquiry_type=enquiry_type, customer=CustomerFactory(), summary="Bin day?",
                source="adviser", resolved_at_first_contact=False)
    assert surveys_sweep()["invited"] == 0


@pytest.mark.django_db
def test_sweep_reads_on_from_its_watermark_and_skips_what_is_too_old(settings):
    _sample_all()
    settings.SURVEY_MAX_AGE_DAYS = 14
    customer = CustomerFactory()
    _log(customer)
    surveys_sweep()
    mark = SweepMark.objects.get(name=SWEEP_NAME)
    first = mark.swept_to
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        surveys_sweep()
    mark.refresh_from_db()
    assert mark.swept_to > first
    # A contact back-dated a month (an import) closed too long ago to ask about.
    enquiry_type = EnquiryTypeFactory()
    contact_log(actor=None, channel=ChannelCode.TELEPHONE, service=enquiry_type.service,
                enquiry_type=enquiry_type, customer=CustomerFactory(), summary="Old.",
                source="import", received_at=timezone.now() - timedelta(days=30))
    assert surveys_sweep()["invited"] == 0


def _token_from(message) -> str:
    return re.search(r"/insight/survey/([^/\s]+)/", message.body).group(1)


@pytest.mark.django_db
def test_the_customer_answers_once_on_the_public_page_from_the_emailed_link():
    _sample_all()
    _log(CustomerFactory())
    surveys_sweep()
    token = _token_from(_invitations().get())
    page = Client()
    url = f"/insight/survey/{token}/"
    assert page.get(url).status_code == 200
    invalid = page.post(url, {"satisfaction": "9"})
    assert invalid.status_code == 400
    assert b"Select how easy it was" in invalid.content
    done = page.post(url, {"satisfaction": "2", "ease": "1", "resolved": "no",
                           "comments": "Passed around three departments."})
    assert done.status_code == 200 and b"Thank you for your feedback" in done.content
    survey = Survey.objects.get()
    assert (survey.satisfaction, survey.ease, survey.resolved) == (2, 1, False)
    again = page.post(url, {"satisfaction": "5", "ease": "5", "resolved": "yes"})
    assert b"You have already answered" in again.content
    survey.refresh_from_db()
    assert survey.satisfaction == 2
    assert page.get("/insight/survey/not-a-real-token/").status_code == 404
    with pytest.raises(ValidationError):
        survey_answer(survey=survey, satisfaction=5, ease=5, resolved=True)
    assert survey_for_token(token) == survey
    assert survey.token_hash != token  # only the hash is stored


@pytest.mark.django_db
def test_counter_survey_recorded_by_the_adviser_and_suppression_applies():
    adviser = user_with(Role.ADVISER)
    customer = CustomerFactory()
    first = _log(customer, channel=ChannelCode.FACE_TO_FACE, actor=adviser)
    survey = survey_record_at_counter(contact=first, actor=adviser, satisfaction=5, ease=4,
                                      resolved=True, comments="Lovely.")
    assert (survey.method, survey.asked_by, survey.token_hash) == (Survey.Method.COUNTER, adviser, None)
    second = _log(customer, channel=ChannelCode.FACE_TO_FACE, actor=adviser)
    with pytest.raises(ValidationError, match="asked for feedback"):
        survey_record_at_counter(contact=second, actor=adviser, satisfaction=5, ease=5, resolved=True)
    open_one = _log(CustomerFactory(), method=HandoffMethod.FIRE_AND_FORGET)
    with pytest.raises(ValidationError, match="not resolved"):
        survey_record_at_counter(contact=open_one, actor=adviser, satisfaction=5, ease=5, resolved=True)
    # The emailed sweep also leaves a customer asked at the counter alone.
    _sample_all(ChannelCode.FACE_TO_FACE)
    assert surveys_sweep()["invited"] == 0


@pytest.mark.django_db
def test_counter_page_lists_todays_resolved_contacts_and_records_feedback(client):
    adviser = user_with(Role.ADVISER)
    client.force_login(adviser)
    contact = _log(CustomerFactory(first_name="Nia", last_name="Begum"),
                   channel=ChannelCode.FACE_TO_FACE, actor=adviser)
    listing = client.get("/insight/surveys/counter/")
    assert b"Nia Begum" in listing.content
    response = client.post(f"/insight/surveys/counter/{contact.pk}/",
                           {"satisfaction": "4", "ease": "3", "resolved": "yes"})
    assert response.status_code == 302
    assert Survey.objects.get().contact == contact
    after = client.get("/insight/surveys/counter/").content.decode()
    assert "Feedback from Nia Begum recorded." in after
    assert f"/insight/surveys/counter/{contact.pk}/" not in after


@pytest.mark.django_db
def test_results_by_service_channel_team_and_method():
    adviser = user_with(Role.ADVISER)
    team = team_with_lead(name="Waste Operations")
    handed_off = _log(CustomerFactory(), method=HandoffMethod.FIRE_AND_FORGET, team=team,
                      channel=ChannelCode.WEB)
    handoff_resolve(handoff=handed_off.handoffs.get(), actor=team.lead, outcome="Done.")
    survey_record_at_counter(contact=handed_off, actor=adviser, satisfaction=2, ease=1, resolved=False)
    one_and_done = _log(CustomerFactory(), channel=ChannelCode.FACE_TO_FACE)
    survey_record_at_counter(contact=one_and_done, actor=adviser, satisfaction=5, ease=5, resolved=True)
    _sample_all(ChannelCode.TELEPHONE)
    _log(CustomerFactory())
    surveys_sweep()  # asked by email, not answered
    today = timezone.localdate()
    tables = selectors.survey_results(today - timedelta(days=1), today)
    by_team = {row.label: row for row in tables["team"]}
    assert by_team["Waste Operations"].satisfaction == 2.0
    assert by_team["Front office (One & Done)"].asked == 2
    assert by_team["Front office (One & Done)"].answered == 1
    by_method = {row.label: row for row in tables["method"]}
    assert (by_method["At the counter"].asked, by_method["Email"].answered) == (2, 0)
    by_channel = {row.label: row for row in tables["channel"]}
    assert by_channel["Face to face"].resolved_percent == 100.0
    assert by_channel["Web (self service)"].resolved_percent == 0.0
    assert len(tables["service"]) == 3
    headline = selectors.survey_headline(today - timedelta(days=1), today)
    assert (headline.asked, headline.answered, headline.satisfaction) == (3, 2, 3.5)


@pytest.mark.django_db
def test_counter_list_leaves_out_other_channels_and_customers_asked_recently():
    adviser = user_with(Role.ADVISER)
    asked = CustomerFactory()
    earlier = _log(asked, channel=ChannelCode.FACE_TO_FACE, actor=adviser)
    survey_record_at_counter(contact=earlier, actor=adviser, satisfaction=4, ease=4, resolved=True)
    again = _log(asked, channel=ChannelCode.FACE_TO_FACE, actor=adviser)
    by_phone = _log(CustomerFactory(), channel=ChannelCode.TELEPHONE, actor=adviser)
    fresh = _log(CustomerFactory(), channel=ChannelCode.FACE_TO_FACE, actor=adviser)
    listed = set(selectors.counter_survey_candidates(adviser).values_list("pk", flat=True))
    assert listed == {fresh.pk}
    assert again.pk not in listed and by_phone.pk not in listed


@pytest.mark.django_db
def test_survey_tables_download_as_csv(client):
    adviser = user_with(Role.ADVISER)
    contact = _log(CustomerFactory(), channel=ChannelCode.FACE_TO_FACE)
    survey_record_at_counter(contact=contact, actor=adviser, satisfaction=4, ease=3, resolved=True)
    client.force_login(user_with(Role.MANAGER))
    page = client.get("/insight/").content.decode()
    assert "Download “By channel” as CSV" in page
    response = client.get("/insight/?format=csv&table=channel")
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert b"".join(response.streaming_content).decode().splitlines() == [
        "Channel,Asked,Answered,Response rate %,Satisfaction (1-5),Ease (1-5),Resolved %",
        "Face to face,1,1,100.0,4.0,3.0,100.0"]
    assert client.get("/insight/?format=csv&table=comments").status_code == 404
