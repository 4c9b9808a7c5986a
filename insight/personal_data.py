"""What customer insight holds about people (issue 17; hooks in core/personal_data.py): survey
comments and the details of life events told once."""

from django.db.models import Q

from core.personal_data import Erase, PersonalField, RecordType, Schedule, years


def retention_schedules() -> list[Schedule]:
    return [
        Schedule("surveys", "Satisfaction surveys", years(2), "after the survey was sent", order=40),
        Schedule("life_events", "Life events (Tell Us Once)", years(6),
                 "after the life event was recorded", order=41),
    ]


def personal_data() -> list[RecordType]:
    from insight.models import LifeEvent, Survey

    return [
        RecordType(
            model=Survey, label="Satisfaction surveys", customer="customer", schedules=("surveys",),
            aged=lambda cuts: Q(asked_at__lt=cuts["surveys"]), export_exclude=("token_hash",),
            retention_rule="Surveys schedule (default 2 years) after the survey was sent",
            fields=(PersonalField("comments", Erase.MARKER),),
        ),
        RecordType(
            model=LifeEvent, label="Life events", customer="customer", schedules=("life_events",),
            aged=lambda cuts: Q(recorded_at__lt=cuts["life_events"]),
            retention_rule="Life events schedule (default 6 years) after it was recorded",
            fields=(PersonalField("details", Erase.MARKER),),
        ),
    ]
