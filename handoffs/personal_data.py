"""What the hand-offs app holds about people (issue 17; hooks in core/personal_data.py): the
outcome told to the customer and the notes of every update."""

from django.db.models import Q

from core.personal_data import Erase, PersonalField, RecordType, Schedule, years


def retention_schedules() -> list[Schedule]:
    return [Schedule("handoffs", "Hand-offs", years(6), "after the hand-off is resolved", order=20)]


def personal_data() -> list[RecordType]:
    from handoffs.models import Handoff, HandoffUpdate

    rule = "Hand-offs schedule (default 6 years) after the hand-off is resolved"
    return [
        RecordType(
            model=Handoff, label="Hand-offs", customer="contact__customer", schedules=("handoffs",),
            aged=lambda cuts: Q(resolved_at__lt=cuts["handoffs"]), retention_rule=rule,
            fields=(PersonalField("outcome", Erase.MARKER),),
        ),
        RecordType(
            model=HandoffUpdate, label="Hand-off updates", customer="handoff__contact__customer",
            schedules=("handoffs",), aged=lambda cuts: Q(handoff__resolved_at__lt=cuts["handoffs"]),
            retention_rule=rule + " (with its hand-off)",
            fields=(PersonalField("note", Erase.MARKER),),
        ),
    ]
