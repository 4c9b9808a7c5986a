"""The personal-data sentinel (issue 17, "Done when"): the apps' declarations are cross-checked
against every text and JSON column in PostgreSQL, a marker in every personal field of every model
is aged past retention, the retention task runs, and a scan of every text and JSON column of every
table finds no marker except in the fields kept by law; every report figure is as before."""

import io
import zipfile
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import connection, models

from contacts.models import Customer
from contacts.privacy import subject_access_build, subject_access_download, subject_access_request
from core import personal_data
from core.models import AuditEvent, RetentionRun
from core.retention import retention_apply
from core.roles import Role
from reporting import selectors as reporting
from reporting.models import ContactDailySummary, ContactMonthlySummary, HandoffDailySummary
from tests.security.personal_world import build_world, mark, scan, text_columns

pytestmark = pytest.mark.django_db

# Text and JSON columns that hold no personal data, each with the reason. Choice fields (codes)
# are recognised from the model and need no row. A new column must be declared by its app's
# `personal_data` hook or listed here: the cross-check fails until it is.
NOT_PERSONAL = {
    "auth_group": ("name", "role names"),
    "auth_permission": ("codename name", "Django's permission catalogue"),
    "django_content_type": ("app_label model", "Django's model catalogue"),
    "django_migrations": ("app name", "applied migrations"),
    "django_session": ("session_key session_data", "signed sign-in state of staff; expires with "
                       "SESSION_COOKIE_AGE and `clearsessions`"),
    "django_admin_log": ("object_id", "a primary key"),
    "core_user": ("username password first_name last_name email job_title directory_subject",
                  "staff accounts (not customers): kept while the person works for the council; "
                  "issue 18's leavers process deactivates them"),
    "core_team": ("code name email", "a team's name and shared mailbox"),
    "core_service": ("code name", "catalogue"),
    "core_enquirytype": ("code name", "catalogue"),
    "core_avoidablereason": ("code name description", "catalogue"),
    "core_site": ("code name", "catalogue"),
    "core_closureday": ("reason", "the council's closure days"),
    "core_apitoken": ("name key_hash prefix", "partner API keys (hashed)"),
    "core_auditevent": ("action object_type object_id", "what was done to which record"),
    "core_outboundmessage": ("dedupe_key object_type object_id recipient_type recipient_id message_type "
                             "language provider_reference", "keys, codes and record references"),
    "core_deliveryattempt": ("provider_reference worker", "the provider's id and our worker"),
    "core_directoryrolemapping": ("claim_value description", "identity-provider group ids"),
    "core_retentionrule": ("schedule", "a retention schedule key"),
    "core_retentionrun": ("counts cutoffs", "counts and dates only"),
    "contacts_samplingperiod": ("name", "an NI14 sample period"),
    "contacts_personaldatarequest": ("outcome", "counts per record type only"),
    "contacts_customermerge": ("moved", "the ids of the rows a merge moved"),
    "contacts_gazetteeraddress": ("uprn address_line_1 address_line_2 town postcode",
                                  "the council's address gazetteer: properties, not people"),
    "complaints_complaintletter": ("signatory", "the council officer who signs"),
    "complaints_lettertemplate": ("subject body", "the council's letter wording"),
    "core_messagetemplate": ("subject body", "the council's message wording"),
    "contacts_idempotencykey": ("key request_hash", "a partner's retry key and a hash"),
    "complaints_complaintruleset": ("code name description", "complaint rule sets"),
    "complaints_complaintstagerule": ("owner_description", "a role's description"),
    "complaints_complaintevent": ("action", "the step's code"),
    "complaints_reviewpanel": ("members", "the review panel's members: council staff and independent "
                               "persons, not the complainant"),
    "insight_survey": ("token_hash", "the hash of a survey link's token"),
    "insight_sweepmark": ("name", "a sweep's watermark"),
    "open311_open311service": ("service_code description keywords group service_notice", "catalogue"),
    "open311_open311attribute": ("code datatype_description description values", "catalogue"),
    "open311_open311request": ("request_hash", "a hash for de-duplication"),
    "selfservice_selfserviceoffer": ("title hint", "catalogue"),
    "selfservice_selfservicesubmission": ("reference", "the reference the resident was given"),
    "planning_forecastrun": ("history_fingerprint", "a hash of daily counts"),
    "planning_forecastseries": ("reason_shares", "shares of NI14 reasons"),
    "planning_intervalforecast": ("contacts", "forecast numbers"),
}

# What survives retention by law (UK GDPR article 5(2), accountability): the audit trail.
KEPT_BY_LAW = {("core_auditevent", "changes")}


def _choice_columns() -> set[tuple[str, str]]:
    found = set()
    for model in apps.get_models():
        for model_field in model._meta.concrete_fields:
            if model_field.choices:
                found.add((model._meta.db_table, model_field.column))
    return found | {(table, column) for table in ("reporting_contact_daily", "reporting_contact_monthly",
                                                  "planning_channelbacktest", "planning_forecastseries")
                    for column in ("channel",)} | {("reporting_handoff_daily", "method")}


def _not_personal() -> set[tuple[str, str]]:
    return {(table, column) for table, (columns, _) in NOT_PERSONAL.items() for column in columns.split()}


def test_every_text_and_json_column_is_declared_personal_or_not():
    declared = personal_data.field_flags()
    text_in_db = set(text_columns(connection))
    undecided = text_in_db - set(declared) - _not_personal() - _choice_columns()
    assert undecided == set(), "declare these in the app's personal_data hook, or in NOT_PERSONAL"
    # Every declaration names a real column, and nothing is declared both ways.
    declared_text = {key for key, personal in declared.items() if key in text_in_db}
    assert declared_text & _not_personal() == set()
    for record in personal_data.record_types():
        for personal in record.fields:
            record.model._meta.get_field(personal.name)
    assert {key for key, personal in declared.items() if personal.kept_by_law} == KEPT_BY_LAW


def test_every_personal_model_is_declared_by_its_own_app():
    """The hooks come from each app's AppConfig; core knows none of them."""
    by_app = {}
    for record in personal_data.record_types():
        by_app.setdefault(record.model._meta.app_label, []).append(record.model._meta.model_name)
    assert {"core", "contacts", "handoffs", "complaints", "open311", "selfservice", "insight"} <= set(by_app)
    source = open(personal_data.__file__, encoding="utf-8").read()
    for app in ("contacts", "handoffs", "complaints", "open311", "selfservice", "insight"):
        assert f"from {app}" not in source and f"import {app}" not in source


def _summary_rows():
    return [sorted(model.objects.values_list(*[f.attname for f in model._meta.concrete_fields
                                               if f.name != "id"]))
            for model in (ContactDailySummary, ContactMonthlySummary, HandoffDailySummary)]


def _figures():
    return (reporting.summary_counts(), reporting.raw_counts(), reporting.handoff_summary_counts(),
            reporting.handoff_raw_counts(), _summary_rows())


def test_sentinel_no_marker_survives_retention_except_what_law_keeps():
    world = mark(build_world("Ada"))
    # A second customer whose records are all recent: nothing of theirs may go.
    recent = mark(build_world("Recent"))
    assert len(world.markers) > 60
    found = scan(connection)
    missing = {v: w for v, w in {**world.markers, **recent.markers}.items() if v not in found}
    assert missing == {}

    # Age the first world's records past every schedule line: move them back in time (the
    # cutoffs are now minus each line's length; ten years covers the longest).
    decade = timedelta(days=3700)
    _age(world, decade)
    before = _figures()

    run = retention_apply()

    leftover = {value for value in scan(connection) if value in world.markers}
    kept = {value for value, where in world.markers.items() if where in KEPT_BY_LAW}
    assert leftover == kept and kept
    assert all(value in scan(connection) for value in recent.markers)
    # Non-text personal fields are erased too.
    customer = Customer.objects.get(pk=world.customer.pk)
    assert (customer.first_name, customer.date_of_birth, customer.is_vulnerable) == (
        "Anonymised", None, False)
    assert (customer.consent_email, customer.consent_sms, customer.language) == (False, False, "en")
    assert customer.anonymised_at is not None
    assert Customer.objects.get(pk=recent.customer.pk).anonymised_at is None
    from open311.models import Open311Request
    assert list(Open311Request.objects.filter(pk__in=world.rows[Open311Request]).values_list(
        "lat", "long")) == [(None, None)]
    # Report figures and summary rows exactly as before.
    assert _figures() == before
    assert reporting.summary_mismatches() == [] and reporting.handoff_summary_mismatches() == []
    # One run row and one audit row with counts only.
    assert run.finished_at is not None and run.counts["contacts.contact"] == 5
    audit = AuditEvent.objects.get(action="retention_run", object_id=str(run.pk))
    assert set(audit.changes) == {"counts", "cutoffs"}
    assert "QZ" not in str(audit.changes) and "Ada" not in str(audit.changes)
    # Idempotent: a second run erases nothing.
    again = retention_apply()
    assert again.counts == {} and RetentionRun.objects.count() == 2


def _age(world, delta):
    """Every date of the world's rows moved back by `delta` (received, closed, resolved, sent...)."""
    for model, pks in world.rows.items():
        if model is AuditEvent or not pks:
            continue
        moved = {f.name: models.F(f.name) - delta for f in model._meta.concrete_fields
                 if isinstance(f, models.DateTimeField) and not f.primary_key}
        if moved:
            model._default_manager.filter(pk__in=pks).update(**moved)
    # The complaints' timelines: events are rows of their own.
    from complaints.models import ComplaintEvent, ComplaintStage

    complaint_ids = world.rows.get(apps.get_model("complaints", "Complaint"), set())
    ComplaintEvent.objects.filter(complaint__in=complaint_ids).update(at=models.F("at") - delta)
    ComplaintStage.objects.filter(complaint__in=complaint_ids).update(
        responded_at=models.F("responded_at") - delta, started_at=models.F("started_at") - delta)


def test_sentinel_the_export_holds_every_marker_of_the_customer_and_none_of_anyone_else(make_user):
    """The second sentinel: every marker in a customer's records is in their subject access
    export (JSON and HTML), and no marker of another customer's records is."""
    ada = mark(build_world("Ada"), exported_only=True)
    bob = mark(build_world("Bob"), exported_only=True)
    # Views of Ada's record are about her: the audit trail of them is in her export.
    manager = make_user(Role.MANAGER)
    export = subject_access_request(actor=manager, customer=ada.customer)
    subject_access_build(export.pk)
    _, archive = subject_access_download(actor=manager, export_id=export.pk)
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        texts = {name: opened.read(name).decode() for name in opened.namelist()}
    [as_json] = [text for name, text in texts.items() if name.endswith(".json")]
    [as_html] = [text for name, text in texts.items() if name.endswith(".html")]
    assert len(ada.markers) > 40
    for text in (as_json, as_html):
        assert {value for value in ada.markers if value not in text} == set()
        assert {value for value in bob.markers if value in text} == set()


def test_report_csvs_hold_no_personal_data_except_the_lessons_case_list(client_for):
    """Item 5: every CSV of every report page, downloaded by a manager after a marker went into
    every personal field, holds no marker; the one case list (lessons learned, each row a complaint
    the manager may open) holds only the lessons."""
    import re

    world = mark(build_world("Csv"))
    manager = client_for(Role.MANAGER)
    allowed = {value for value, (table, column) in world.markers.items()
               if (table, column) == ("complaints_complaintstage", "lessons_learned")}
    seen = 0
    for page in ("/reports/", "/reports/channels/", "/reports/complaints/", "/reports/handoffs/",
                 "/reports/joined-up/", "/reports/contacts/"):
        html = manager.get(page).content.decode()
        for link in sorted(set(re.findall(r'href="([^"]*format=csv[^"]*)"', html))):
            response = manager.get(link.replace("&amp;", "&"))
            assert response.status_code == 200, link
            body = response.streaming_content if response.streaming else [response.content]
            text = b"".join(body).decode()
            seen += 1
            found = {value for value in world.markers if value in text}
            if "table=lessons" in link:
                assert found <= allowed
            else:
                assert found == set(), (link, found)
    assert seen >= 10
