"""A customer's whole world for the personal-data sentinel tests (issue 17): a record in every
model that holds personal data, made through the services where they exist, every record closed
so that it can age. Then `mark` writes a unique marker string into every personal field of the
rows a world made, so a scan of the database can tell where each one went.

Which rows belong to a world is decided here, by construction (the primary keys each model gained
while the world was built), never by the code under test."""

import itertools
from dataclasses import dataclass, field
from datetime import timedelta

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import models
from django.utils import timezone

from complaints.models import Outcome, Process
from complaints.services import complaint_close, complaint_respond, learning_action_add, learning_action_done
from contacts import photos
from contacts.models import Contact
from core.models import AuditEvent, ChannelCode, DeliveryAttempt, HandoffMethod, OutboundMessage
from core.personal_data import record_types
from core.roles import Role
from handoffs.services import handoff_add_update, handoff_resolve
from insight.models import LifeEvent, LifeEventKind, Survey
from intake.services import contact_log
from open311.models import Open311Request, Open311Service
from selfservice.models import Kind, SelfServiceSubmission
from tests.complaints.factories import complaint, user_with, walk
from tests.factories import (
    ContactFactory,
    CustomerFactory,
    EnquiryTypeFactory,
    ServiceFactory,
    TeamFactory,
)
from tests.photos import png

_counter = itertools.count(1)
TEXT_TYPES = (models.CharField, models.TextField, models.JSONField)


MARKER_LENGTH = 8


def marker() -> str:
    """Eight characters (the shortest free-text personal column, a postcode, holds eight)."""
    return f"QZ{next(_counter):05d}Z"


def _pks() -> dict[type, set]:
    return {record.model: set(record.model._default_manager.values_list("pk", flat=True))
            for record in record_types()}


@dataclass
class World:
    customer: object
    rows: dict[type, set] = field(default_factory=dict)
    markers: dict[str, tuple[str, str]] = field(default_factory=dict)  # marker -> (table, column)


def build_world(name: str) -> World:
    """Every personal record of one customer; all of it closed, so it can age."""
    before = _pks()
    officer = user_with(Role.COMPLAINTS_OFFICER, is_senior_officer=True)
    adviser = user_with(Role.ADVISER)
    customer = CustomerFactory(first_name=name, last_name="Sentinel", email=f"{name.lower()}@example.com",
                               message_channel="email", consent_email=True)
    team = TeamFactory()
    service = ServiceFactory()
    advocate = EnquiryTypeFactory(service=service, handoff_method=HandoffMethod.CUSTOMER_ADVOCATE,
                                  team=team)
    taken = contact_log(actor=adviser, source=Contact.Source.ADVISER, channel=ChannelCode.TELEPHONE,
                        service=service, enquiry_type=advocate, customer=customer,
                        summary="Enquiry", handoff_override_reason="", external_ref="REF")
    handoff = taken.handoff
    handoff_add_update(handoff=handoff, actor=adviser, note="Rang back")
    # Customer Advocate: resolving it emails the customer (a real outbox message).
    handoff_resolve(handoff=handoff, actor=adviser, outcome="Sorted")
    message = OutboundMessage.objects.get(object_type="handoffs.handoff", object_id=str(handoff.pk))
    DeliveryAttempt.objects.create(message=message, number=1, started_at=timezone.now(),
                                   error="bounced")

    corporate = complaint(customer=customer, service=service, summary="Complaint")
    walk(corporate, ["allocate"], officer=officer)
    corporate = complaint_respond(complaint=corporate, actor=officer, outcome=Outcome.UPHELD,
                                  response="Sorry", remedy="Apology", lessons_learned="Train crews")
    complaint_close(complaint=corporate, actor=officer)
    ombudsman = complaint(customer=customer, service=service, summary="Went to the Ombudsman",
                          process=Process.CORPORATE)
    walk(ombudsman, ["allocate", "respond", "escalate", "allocate", "respond", "refer_to_ombudsman",
                     "allocate", "close", "ombudsman_decision", "recommendation_done"], officer=officer)
    learning_action_done(learning_action=learning_action_add(
        complaint=corporate, actor=officer, action="Retrain the crew", owner=officer,
        due_date=timezone.localdate()), actor=officer)
    user_with(Role.SOCIAL_CARE_COMPLAINTS)
    statutory = complaint(customer=customer, service=service, summary="Care", process=Process.STATUTORY)
    walk(statutory, ["allocate", "respond", "escalate", "allocate", "respond", "escalate", "allocate",
                     "review_panel", "respond", "close"], officer=officer)

    def closed_contact():
        return ContactFactory(customer=customer, service=service, enquiry_type=None,
                              enquiry_closed_at=timezone.now())

    partner = user_with(Role.PARTNER)
    Open311Request.objects.create(
        contact=closed_contact(), partner=partner, lat=53.48, long=-2.08, requested_at=timezone.now(),
        service=Open311Service.objects.create(enquiry_type=EnquiryTypeFactory(service=service),
                                              service_code=f"svc-{next(_counter)}"),
        request_hash="h")
    reported = closed_contact()
    SelfServiceSubmission.objects.create(
        reference=f"SS{next(_counter)}", kind=Kind.PROBLEM, contact=reported,
        email=customer.email, phone="07700900982", postcode="OL6 6AB", latitude=53.48, longitude=-2.08,
        created_at=timezone.now())
    # A photo sent with the report (issue 20).
    photos.contact_photos_attach(contact=reported, photos=[photos.photo_store(photos.photo_clean(png()))])
    survey_contact = closed_contact()
    Survey.objects.create(
        contact=survey_contact, customer=customer, service=service, channel=ChannelCode.TELEPHONE,
        resolution=Survey.Resolution.ONE_AND_DONE, method=Survey.Method.COUNTER,
        asked_at=timezone.now(), responded_at=timezone.now(), satisfaction=4, ease=4, resolved=True)
    LifeEvent.objects.create(customer=customer, kind=LifeEventKind.MOVING_HOME,
                             event_date=timezone.localdate(), details="Moved", channel=ChannelCode.EMAIL,
                             recorded_at=timezone.now(), contact=closed_contact())
    # A message about the customer's contact that did not go to their address.
    OutboundMessage.objects.create(dedupe_key=f"sentinel:{next(_counter)}", created_at=timezone.now(),
                                   object_type="contacts.contact", object_id=str(survey_contact.pk),
                                   subject="s", body="b")
    # Sign-in records and the admin's change log hold no customer's data in normal use, but the
    # staff member's own; they are part of the first sentinel, not of a customer's export.
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        extra = {"get_data": "", "post_data": "", "failures_since_start": 1} if model is AccessAttempt else {}
        model.objects.create(user_agent="ua", ip_address="10.0.0.1", username=f"{name}{next(_counter)}",
                             http_accept="a", path_info="/", **extra)
    LogEntry.objects.create(user=officer, object_id=str(customer.pk), object_repr=str(customer),
                            action_flag=CHANGE, change_message="[]")

    after = _pks()
    world = World(customer=customer,
                  rows={model: after[model] - before.get(model, set()) for model in after})
    return world


def mark(world: World, *, exported_only: bool = False) -> World:
    """A unique marker in every personal field of every row the world made (text and JSON); other
    personal fields get a value that is not their erased one. The audit trail refuses updates, so
    its marker comes in a new row about the customer, as a service would write it."""
    for record in record_types():
        if exported_only and not record.exported:
            continue
        if record.model is AuditEvent:
            continue
        pks = world.rows.get(record.model, set())
        for pk in sorted(pks):
            values = {}
            for personal in record.fields:
                model_field = record.model._meta.get_field(personal.name)
                if model_field.choices and (model_field.max_length or 0) < MARKER_LENGTH:
                    # Too short for a marker (a language code): a value that is not the erased one.
                    erased = personal.value if personal.erase == "marker" else ""
                    values[personal.name] = next(c for c, _ in model_field.choices if c != erased)
                elif isinstance(model_field, TEXT_TYPES):
                    value = marker()
                    world.markers[value] = (record.model._meta.db_table, model_field.column)
                    is_json = isinstance(model_field, models.JSONField)
                    values[personal.name] = {"note": value} if is_json else value
                elif isinstance(model_field, models.BooleanField):
                    values[personal.name] = True
                elif isinstance(model_field, models.DateField):
                    values[personal.name] = timezone.localdate() - timedelta(days=30 * 365)
                elif isinstance(model_field, models.DecimalField):
                    values[personal.name] = 53.5
            record.model._default_manager.filter(pk=pk).update(**values)
    value = marker()
    event = AuditEvent.objects.create(at=timezone.now(), action="changed", object_type="contacts.customer",
                                      object_id=str(world.customer.pk), changes={"note": value})
    world.rows.setdefault(AuditEvent, set()).add(event.pk)
    world.markers[value] = (AuditEvent._meta.db_table, "changes")
    return world


def text_columns(connection) -> list[tuple[str, str]]:
    """Every text and JSON column of every table in the database, from the database's own
    catalogue (Django's introspection: PostgreSQL and SQLite alike)."""
    kinds = {"CharField", "TextField", "JSONField", "SlugField", "EmailField", "URLField",
             "FilePathField"}
    # SQLite stores addresses and UUIDs as text; PostgreSQL has types of their own (inet, uuid).
    not_text = {"GenericIPAddressField", "UUIDField"}
    columns = []
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            for info in connection.introspection.get_table_description(cursor, table):
                try:
                    kind = connection.introspection.get_field_type(info.type_code, info)
                except KeyError:
                    continue
                model = model_for_table(table)
                field = next((f for f in model._meta.concrete_fields if f.column == info.name),
                             None) if model else None
                if kind in kinds and (field is None or field.get_internal_type() not in not_text):
                    columns.append((table, info.name))
    return sorted(columns)


def scan(connection, pattern: str = "QZ") -> dict[str, tuple[str, str]]:
    """Every marker found in any text or JSON column of any table -> where it was found."""
    import re

    found = {}
    found_re = re.compile(r"QZ\d{5}Z")
    with connection.cursor() as cursor:
        for table, column in text_columns(connection):
            cursor.execute(f'SELECT CAST("{column}" AS TEXT) FROM "{table}" '
                           f'WHERE CAST("{column}" AS TEXT) LIKE %s', [f"%{pattern}%"])
            for (text,) in cursor.fetchall():
                for value in found_re.findall(text):
                    found[value] = (table, column)
    return found


def model_for_table(table: str):
    return next((m for m in apps.get_models() if m._meta.db_table == table), None)
