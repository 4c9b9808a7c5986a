"""What the Open311 app holds about people (issue 17; hooks in core/personal_data.py): the
reporter and where they were, as a partner posted them. Kept as long as the contact it became."""

from django.db.models import Q

from core.personal_data import Erase, PersonalField, RecordType


def personal_data() -> list[RecordType]:
    from open311.models import Open311Request

    return [RecordType(
        model=Open311Request, label="Open311 requests", customer="contact__customer",
        schedules=("contacts",), aged=lambda cuts: Q(contact__enquiry_closed_at__lt=cuts["contacts"]),
        retention_rule="Contacts schedule (default 6 years) after its contact's enquiry is closed",
        export_exclude=("request_hash",),
        fields=(
            PersonalField("lat"), PersonalField("long"), PersonalField("address_string"),
            PersonalField("address_id"), PersonalField("description", Erase.MARKER),
            PersonalField("media_url"), PersonalField("email", copy_of="email"),
            PersonalField("first_name", copy_of="first_name"),
            PersonalField("last_name", copy_of="last_name"),
            PersonalField("phone", copy_of="phone"), PersonalField("device_id"),
            PersonalField("account_id"), PersonalField("attributes"),
        ),
    )]
