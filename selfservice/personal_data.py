"""What self service holds about people (issue 17; hooks in core/personal_data.py): the email a
resident gave for the progress check (or their phone number or postcode) and where the problem
was (words, the address chosen and its UPRN, point). Kept as long as its contact."""

from django.db.models import Q

from core.personal_data import Erase, PersonalField, RecordType


def personal_data() -> list[RecordType]:
    from selfservice.models import SelfServiceSubmission

    return [RecordType(
        model=SelfServiceSubmission, label="Self-service submissions", customer="contact__customer",
        schedules=("contacts",), aged=lambda cuts: Q(contact__enquiry_closed_at__lt=cuts["contacts"]),
        retention_rule="Contacts schedule (default 6 years) after its contact's enquiry is closed",
        fields=(
            # Hashed, not blanked: the reference and the hash of the email still match a progress
            # check, which then shows only the status.
            PersonalField("email", Erase.HASH, copy_of="email"),
            PersonalField("phone", copy_of="phone"),
            PersonalField("postcode", copy_of="postcode"),
            PersonalField("location"), PersonalField("address"), PersonalField("uprn"),
            PersonalField("latitude"), PersonalField("longitude"),
        ),
    )]
