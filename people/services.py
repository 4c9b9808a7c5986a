"""People change (issue 18, item 4): a manager passes all of one officer's open work on."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from complaints.services import complaints_reassign_officer
from core.models import User
from core.roles import is_staff_member
from core.services import Message, audit_record, outbox_send
from handoffs.services import handoffs_pass_advocacy, handoffs_reassign_officer


@transaction.atomic
def officer_work_reassign(*, actor, officer: User, new_officer: User | None) -> dict:
    """Reassign every open complaint and unresolved hand-off of `officer` to `new_officer` in one
    transaction (issue 18, "People change"): each case through its own app's allocation or
    reassignment, with its timeline entry and audit row; one audit row for the whole change on
    the officer; one notice to the new owner listing what they now hold. The Customer Advocate
    hand-offs the officer owns for the front office pass too (their team keeps working them).
    All or nothing: if any case may not go to the new owner (stage 2 needs a senior officer, a
    hand-off stays in its team) nothing moves and every refusal is said."""
    if new_officer is None or not new_officer.is_active or not is_staff_member(new_officer):
        raise ValidationError({"new_officer": "Select an active member of staff to take the work over."})
    if new_officer.pk == officer.pk:
        raise ValidationError({"new_officer": "Select someone other than the officer whose work it is."})
    problems = []
    complaints, handoffs = [], []
    try:
        with transaction.atomic():
            complaints = complaints_reassign_officer(actor=actor, officer=officer, new_officer=new_officer)
    except ValidationError as error:
        problems.extend(error.messages)
    try:
        with transaction.atomic():
            handoffs = handoffs_reassign_officer(actor=actor, officer=officer, new_officer=new_officer)
    except ValidationError as error:
        problems.extend(error.messages)
    if problems:
        raise ValidationError({"new_officer": problems})
    advocated = handoffs_pass_advocacy(actor=actor, officer=officer, new_officer=new_officer)
    if not complaints and not handoffs and not advocated:
        raise ValidationError({"new_officer": f"{officer} has no open complaints or hand-offs to pass on."})
    record = audit_record(actor=actor, action="officer_work_reassigned", target=officer, changes={
        "to": new_officer.username,
        "complaints": [complaint.pk for complaint in complaints],
        "handoffs": [handoff.pk for handoff in handoffs],
        "advocated": [handoff.pk for handoff in advocated],
    })
    lines = [f"- Complaint {complaint.reference} ({complaint.service.name}), "
             f"{complaint.get_stage_display().lower()}"
             + (f", due {complaint.due_date:%d %B %Y}" if complaint.due_date else "")
             for complaint in complaints]
    lines += [f"- Hand-off {handoff.pk} ({handoff.team.name}), due {handoff.due_date:%d %B %Y}"
              for handoff in handoffs]
    lines += [f"- Hand-off {handoff.pk} ({handoff.team.name}): you are now the customer's advocate, "
              f"due {handoff.due_date:%d %B %Y}" for handoff in advocated]
    cases = len(complaints) + len(handoffs) + len(advocated)
    outbox_send(
        dedupe_key=f"people:reassigned:{record.pk}",
        message=Message(
            subject=f"{cases} case{'' if cases == 1 else 's'} passed to you from {officer}",
            body=f"{actor or 'A manager'} has passed {officer}'s open work to you on "
                 f"{timezone.localdate():%d %B %Y}:\n\n" + "\n".join(lines) + "\n",
        ),
        recipient_user=new_officer, about=officer,
    )
    return {"complaints": complaints, "handoffs": handoffs, "advocated": advocated}
