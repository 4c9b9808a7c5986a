"""What the complaints app holds about people (issue 17; hooks in core/personal_data.py): the
complaint, each stage's response, remedy and lessons, and the notes on its timeline.

A complaint is kept 6 years after it is closed; one that went to the Ombudsman 6 years after the
Ombudsman's decision (the Ombudsman stage's response), whichever is later. Until then an erasure
request restricts it instead of erasing it."""

from django.db.models import Exists, OuterRef, Q

from core.personal_data import Erase, PersonalField, RecordType, Schedule, years

RESTRICTED = (
    "Complaint records are kept for 6 years after the complaint is closed (6 years after the "
    "Ombudsman's decision for a case that went to the Ombudsman): the council must be able to "
    "answer the Ombudsman and any legal claim (Limitation Act 1980, UK GDPR article 17(3)(e)). "
    "Until then they are restricted: kept, not erased, and used for nothing else.")


def retention_schedules() -> list[Schedule]:
    return [
        Schedule("complaints", "Complaints", years(6), "after the complaint is closed", order=30),
        Schedule("ombudsman", "Ombudsman cases", years(6), "after the Ombudsman's decision", order=31),
    ]


def complaint_aged(cuts, prefix: str = "") -> Q:
    """Closed, with nothing on its timeline since the complaints cutoff (closing is its last
    step), and not waiting on an Ombudsman decision within the Ombudsman cutoff."""
    from complaints.models import ComplaintEvent, ComplaintStage, Stage, Status

    outer = OuterRef(prefix.removesuffix("__") or "pk")
    events = ComplaintEvent.objects.filter(complaint=outer)
    ombudsman = ComplaintStage.objects.filter(complaint=outer, stage=Stage.OMBUDSMAN)
    # The decision is the Ombudsman stage's response, or the closing of the case when none was
    # recorded.
    decided_late = (Exists(ombudsman.filter(responded_at__gte=cuts["ombudsman"]))
                    | (Exists(ombudsman) & Exists(events.filter(at__gte=cuts["ombudsman"]))))
    return (Q(**{f"{prefix}status": Status.CLOSED})
            & ~Exists(events.filter(at__gte=cuts["complaints"])) & ~decided_late)


def personal_data() -> list[RecordType]:
    from complaints.models import (
        Complaint,
        ComplaintEvent,
        ComplaintLetter,
        ComplaintRemedy,
        ComplaintStage,
        LearningAction,
        OmbudsmanRecommendation,
        ReviewPanel,
    )

    rule = ("Complaints schedule (default 6 years) after closure; Ombudsman cases schedule "
            "(default 6 years) after the Ombudsman's decision")
    schedules = ("complaints", "ombudsman")
    return [
        RecordType(
            model=Complaint, label="Complaints", customer="customer", schedules=schedules,
            aged=complaint_aged, retention_rule=rule, restricted_while_retained=RESTRICTED,
            fields=(PersonalField("summary", Erase.MARKER), PersonalField("ombudsman_reference")),
        ),
        RecordType(
            model=ComplaintStage, label="Complaint stages", customer="complaint__customer",
            schedules=schedules, aged=lambda cuts: complaint_aged(cuts, "complaint__"),
            retention_rule=rule + " (with its complaint)", restricted_while_retained=RESTRICTED,
            fields=(PersonalField("response", Erase.MARKER), PersonalField("remedy", Erase.MARKER),
                    PersonalField("lessons_learned", Erase.MARKER)),
        ),
        RecordType(
            model=ComplaintEvent, label="Complaint timeline", customer="complaint__customer",
            schedules=schedules, aged=lambda cuts: complaint_aged(cuts, "complaint__"),
            retention_rule=rule + " (with its complaint)", restricted_while_retained=RESTRICTED,
            fields=(PersonalField("note", Erase.MARKER), PersonalField("data")),
        ),
        RecordType(
            model=ComplaintLetter, label="Complaint letters", customer="complaint__customer",
            schedules=schedules, aged=lambda cuts: complaint_aged(cuts, "complaint__"),
            retention_rule=rule + " (with its complaint)", restricted_while_retained=RESTRICTED,
            fields=(PersonalField("subject", Erase.MARKER), PersonalField("body", Erase.MARKER),
                    # A letter always has the address it went to (a database constraint): erased
                    # to the marker, not blanked.
                    PersonalField("recipient_name"), PersonalField("recipient_address", Erase.MARKER),
                    PersonalField("recipient_email", Erase.MARKER)),
        ),
        # Issue 18: remedies, the Ombudsman's recommendations, learning actions and the stage 3
        # review panel may describe the complainant's case in words; erased with the complaint.
        # The panel's members are council staff and independent persons, not the complainant.
        RecordType(
            model=ComplaintRemedy, label="Complaint remedies", customer="stage__complaint__customer",
            schedules=schedules, aged=lambda cuts: complaint_aged(cuts, "stage__complaint__"),
            retention_rule=rule + " (with its complaint)", restricted_while_retained=RESTRICTED,
            fields=(PersonalField("detail", Erase.MARKER),),
        ),
        RecordType(
            model=OmbudsmanRecommendation, label="Ombudsman recommendations",
            customer="complaint__customer", schedules=schedules,
            aged=lambda cuts: complaint_aged(cuts, "complaint__"),
            retention_rule=rule + " (with its complaint)", restricted_while_retained=RESTRICTED,
            fields=(PersonalField("action", Erase.MARKER),),
        ),
        RecordType(
            model=LearningAction, label="Learning actions from complaints", customer="complaint__customer",
            schedules=schedules, aged=lambda cuts: complaint_aged(cuts, "complaint__"),
            retention_rule=rule + " (with its complaint)", restricted_while_retained=RESTRICTED,
            fields=(PersonalField("action", Erase.MARKER),),
        ),
        RecordType(
            model=ReviewPanel, label="Complaint review panels", customer="stage__complaint__customer",
            schedules=schedules, aged=lambda cuts: complaint_aged(cuts, "stage__complaint__"),
            retention_rule=rule + " (with its complaint)", restricted_while_retained=RESTRICTED,
            fields=(PersonalField("recommendations", Erase.MARKER),
                    PersonalField("director_decision", Erase.MARKER)),
        ),
    ]
