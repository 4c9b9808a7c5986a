"""What the contacts app holds about people (issue 17; the hooks are described in
core/personal_data.py): the customer, the data subject, and the free text of their contacts."""

from django.db.models import Case, Q, Value, When

from core.models import Language
from core.personal_data import Erase, PersonalField, RecordType, Schedule, years

ANONYMISED_NAME = "Anonymised"


def retention_schedules() -> list[Schedule]:
    return [
        Schedule("contacts", "Contacts", years(6), "after the enquiry is closed", order=10),
        # Also how long the requester has to download it (once).
        Schedule("data_requests", "Erasure and rectification requests", years(6),
                 "after the request was completed", order=91),
        Schedule("subject_access_exports", "Subject access export files", 7, "after they were asked for",
                 order=90),
        # What a record said before a duplicate was merged into it (issue 20): needed for the undo
        # (CUSTOMER_MERGE_UNDO_DAYS, 30) and for questions about the merge, not for longer.
        Schedule("customer_merges", "Customer merge records (details before the merge)", 365,
                 "after the merge", order=92),
    ]


def _expired_unless_downloaded(now):
    from contacts.models import SubjectAccessExport

    status = SubjectAccessExport.Status
    return {"status": Case(When(status=status.DOWNLOADED, then=Value(status.DOWNLOADED)),
                           default=Value(status.EXPIRED))}


def personal_data() -> list[RecordType]:
    from contacts.models import (
        Contact,
        ContactPhoto,
        Customer,
        CustomerMerge,
        PersonalDataRequest,
        SubjectAccessExport,
    )

    return [
        RecordType(
            # The image is the personal data (a house, a car, a face); its file is named by
            # `file_name`, and `contacts.photos.photo_files_sweep` deletes the file once the name
            # is erased. The export carries the images themselves (contacts/privacy.py).
            model=ContactPhoto, label="Photos sent with contacts", customer="contact__customer",
            schedules=("contacts",), aged=lambda cuts: Q(contact__enquiry_closed_at__lt=cuts["contacts"]),
            retention_rule="Contacts schedule (default 6 years) after its contact's enquiry is closed; "
                           "the file is deleted within the hour after",
            fields=(PersonalField("file_name"),),
        ),
        RecordType(
            model=CustomerMerge, label="Customer merges", customer="survivor",
            schedules=("customer_merges",),
            aged=lambda cuts: Q(merged_at__lt=cuts["customer_merges"]),
            retention_rule="Customer merge records schedule (default 1 year) after the merge; which "
                           "rows moved (ids only) is kept",
            fields=(PersonalField("survivor_before"),),
        ),
        RecordType(
            model=PersonalDataRequest, label="Erasure and rectification requests", customer="customer",
            schedules=("data_requests",),
            aged=lambda cuts: Q(completed_at__lt=cuts["data_requests"])
            | Q(completed_at__isnull=True, recorded_at__lt=cuts["data_requests"]),
            retention_rule="Requests schedule (default 6 years) after the request was completed",
            fields=(PersonalField("corrections"),),
        ),
        RecordType(
            model=Contact, label="Contacts", customer="customer", schedules=("contacts",),
            aged=lambda cuts: Q(enquiry_closed_at__lt=cuts["contacts"]),
            retention_rule="Contacts schedule (default 6 years) after the enquiry is closed",
            fields=(
                PersonalField("summary", Erase.MARKER),
                PersonalField("external_ref"),
                PersonalField("handoff_override_reason"),
            ),
        ),
        RecordType(
            model=SubjectAccessExport, label="Subject access exports", customer="customer",
            schedules=("subject_access_exports",),
            aged=lambda cuts: Q(requested_at__lt=cuts["subject_access_exports"]),
            retention_rule="The file: subject access export files schedule (default 7 days) after "
                           "it was asked for, or once downloaded; the record of the request is kept",
            also_set=_expired_unless_downloaded, export_exclude=("archive",),
            fields=(PersonalField("archive"),),
        ),
        RecordType(
            model=Customer, label="Customer details", is_subject=True, schedules=("contacts",),
            # A customer with no records at all goes once their record is as old as a contact
            # would be; otherwise once every record about them is past retention (core).
            aged=lambda cuts: Q(created_at__lt=cuts["contacts"]),
            retention_rule="Once every contact, hand-off, complaint and request of theirs is past "
                           "retention (a customer with no records: the contacts schedule after "
                           "the record was made)",
            stamp="anonymised_at",
            also_set=lambda now: {"updated_at": now},
            fields=(
                PersonalField("first_name", Erase.MARKER, value=ANONYMISED_NAME),
                PersonalField("last_name"),
                PersonalField("date_of_birth"),
                PersonalField("address_line_1"),
                PersonalField("address_line_2"),
                PersonalField("town"),
                PersonalField("postcode"),
                PersonalField("uprn"),
                PersonalField("phone"),
                PersonalField("email"),
                PersonalField("preferred_channel"),
                PersonalField("accessibility_needs"),
                PersonalField("is_vulnerable"),
                PersonalField("vulnerability_notes"),
                PersonalField("consent_notes"),
                # How they wanted to hear from us (issue 19): an anonymised record consents to
                # nothing, so no update can ever be addressed to it.
                PersonalField("message_channel"),
                PersonalField("consent_email"),
                PersonalField("consent_sms"),
                PersonalField("consent_letter"),
                PersonalField("language", Erase.MARKER, value=Language.ENGLISH),
                PersonalField("email_failed_at"),
                PersonalField("phone_failed_at"),
                PersonalField("address_failed_at"),
            ),
            restricted_while_retained=(
                "The customer's details stay while any of their records is restricted: a record "
                "kept by law must still say whose it is."),
        ),
    ]
