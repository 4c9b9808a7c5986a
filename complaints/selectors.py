"""Reads of the complaints app: rules in force, what each user may see and do, the register."""

import re
from datetime import timedelta

from django.conf import settings
from django.db.models import Case, Exists, OuterRef, Q, QuerySet, When
from django.http import Http404
from django.template import engines
from django.utils import timezone

from complaints.models import (
    Complaint,
    ComplaintEvent,
    ComplaintLetter,
    ComplaintRuleSet,
    ComplaintStage,
    ComplaintStageRule,
    LetterKind,
    LetterTemplate,
    Process,
    Stage,
    Status,
)
from complaints.transitions import TRANSITIONS, Action, allowed_actions, offered
from core.models import User
from core.roles import Role, has_role, is_staff_member
from core.working_days import calendar
from core.worklists import Column

# --- Rules (DOMAIN.md, "Complaints": configurable timescales) ---------------------------------


def rule_set_active() -> ComplaintRuleSet:
    rule_set = ComplaintRuleSet.objects.active().first()
    if rule_set is None:
        raise ComplaintRuleSet.DoesNotExist("No complaint rule set is active; activate one in the admin.")
    return rule_set


def stage_rule(rule_set: ComplaintRuleSet, process: str, stage: str) -> ComplaintStageRule | None:
    return ComplaintStageRule.objects.filter(rule_set=rule_set, process=process, stage=stage).first()


def rule_sets_with_stage_rules() -> list[ComplaintRuleSet]:
    """Every rule set, each with its stage rules in process and stage order (`stage_rules_ordered`)."""
    rule_sets = list(ComplaintRuleSet.objects.order_by("-is_active", "code", "pk"))
    rules = ComplaintStageRule.objects.filter(rule_set__in=rule_sets).order_by("process", "stage", "pk")
    for rule_set in rule_sets:
        rule_set.stage_rules_ordered = [rule for rule in rules if rule.rule_set_id == rule_set.pk]
    return rule_sets


def rule_set_named(code: str) -> ComplaintRuleSet | None:
    return ComplaintRuleSet.objects.filter(code=code).first()


# --- Visibility (DOMAIN.md, "Who uses it"; issue 5, "Visibility") -------------------------------

# Roles that run the process (see, allocate, escalate, close); anyone else sees only the
# corporate complaints allocated to them, and may only answer them.
MANAGING_ROLES = {
    Process.CORPORATE: (Role.COMPLAINTS_OFFICER, Role.MANAGER, Role.ADMIN),
    Process.STATUTORY: (Role.SOCIAL_CARE_COMPLAINTS, Role.MANAGER, Role.ADMIN),
}
OFFICER_ACTIONS = frozenset({Action.INTERIM_RESPONSE, Action.RESPOND})
COMPLAINT_ROLES = (Role.COMPLAINTS_OFFICER, Role.SOCIAL_CARE_COMPLAINTS, Role.LEGAL, Role.MANAGER,
                   Role.ADMIN)


def _ombudsman_case() -> Q:
    return Q(via_ombudsman=True) | Q(stage=Stage.OMBUDSMAN) | Q(ombudsman_referred_at__isnull=False)


def complaints_visible_to(user) -> QuerySet[Complaint]:
    """Statutory complaints: social care complaints officers, managers, admins only. Corporate:
    complaints officers, Legal Services (Ombudsman cases), managers, admins and the allocated
    officer. Everyone else nothing, partner systems included: a partner logs a complaint and gets
    the 201 answer, but reads none (API.md v1.1)."""
    complaints = Complaint.objects.all()
    if not getattr(user, "is_authenticated", False):
        return complaints.none()
    if has_role(user, Role.MANAGER, Role.ADMIN):
        return complaints
    scope = Q(process=Process.CORPORATE, assigned_to=user)
    if has_role(user, Role.SOCIAL_CARE_COMPLAINTS):
        scope |= Q(process=Process.STATUTORY)
    if has_role(user, Role.COMPLAINTS_OFFICER):
        scope |= Q(process=Process.CORPORATE)
    if has_role(user, Role.LEGAL):
        scope |= Q(process=Process.CORPORATE) & _ombudsman_case()
    if has_role(user, Role.PARTNER):
        return complaints.none()
    return complaints.filter(scope)


def complaints_known_to(user) -> QuerySet[Complaint]:
    """The complaints a user may know of, each with `visible`: whether they may open it. Advisers,
    who deal with the customer, know of every corporate complaint (stage, status, due date,
    owner) as a read-only summary (issue 15, "the adviser's 360"); statutory complaints stay
    the social care complaints team's alone; everyone else knows of what they may see."""
    visible = complaints_visible_to(user)
    known = visible
    if has_role(user, Role.ADVISER) and not has_role(user, Role.PARTNER):
        known = Complaint.objects.filter(Q(pk__in=visible.values("pk")) | Q(process=Process.CORPORATE))
    return (known.annotate(visible=Exists(visible.filter(pk=OuterRef("pk"))))
            .select_related("service", "assigned_to"))


def complaints_not_listed_for(user) -> str:
    """What a member of staff is not shown of a customer's complaints, in words ("" for those
    who see them all)."""
    if not is_staff_member(user) or has_role(user, Role.MANAGER, Role.ADMIN):
        return ""
    left_out = []
    if not has_role(user, Role.COMPLAINTS_OFFICER, Role.ADVISER):
        left_out.append("corporate complaints not allocated to you"
                        + (" and not with the Ombudsman" if has_role(user, Role.LEGAL) else ""))
    if not has_role(user, Role.SOCIAL_CARE_COMPLAINTS):
        left_out.append("statutory social care complaints, which only the social care complaints "
                        "team sees")
    return " and ".join(left_out)


def complaint_for_user(user, complaint_id) -> Complaint:
    """The complaint, or 404 when it does not exist or the user may not see it."""
    complaint = (
        complaints_visible_to(user)
        .select_related("customer", "service", "assigned_to", "rule_set")
        .filter(pk=complaint_id)
        .first()
    )
    if complaint is None:
        raise Http404("No such complaint.")
    return complaint


def user_manages(user, complaint: Complaint) -> bool:
    if has_role(user, *MANAGING_ROLES[complaint.process]):
        return True
    # Legal Services coordinates corporate Ombudsman cases.
    return (
        complaint.process == Process.CORPORATE
        and has_role(user, Role.LEGAL)
        and (complaint.via_ombudsman or complaint.stage == Stage.OMBUDSMAN
             or complaint.ombudsman_referred_at is not None)
    )


def user_may_act(user, complaint: Complaint, action: str) -> bool:
    """Whether this user may take this action on a complaint they can see (state aside)."""
    if user_manages(user, complaint):
        return True
    return complaint.assigned_to_id == user.pk and action in OFFICER_ACTIONS


def user_may_send_letters(user, complaint: Complaint) -> bool:
    """Letters go from whoever runs the case, or its allocated officer."""
    return user_manages(user, complaint) or complaint.assigned_to_id == user.pk


def user_may_create(user, process: str) -> bool:
    """Who may log a complaint of a process. A complaint is taken wherever it arrives (DOMAIN.md,
    "No wrong door"): advisers at the counter, back-office officers it reaches directly and
    partner systems log both kinds, and the statutory ones go straight to the social care
    complaints team."""
    if has_role(user, Role.ADVISER, Role.BACK_OFFICE, Role.MANAGER, Role.ADMIN, Role.PARTNER):
        return True
    if process == Process.STATUTORY:
        return has_role(user, Role.SOCIAL_CARE_COMPLAINTS, Role.COMPLAINTS_OFFICER)
    return has_role(user, Role.COMPLAINTS_OFFICER, Role.LEGAL)


# Taken on one item of the case at a time (a button beside each recommendation), not as a panel.
PER_ITEM_ACTIONS = frozenset({Action.RECOMMENDATION_DONE})


def complaint_actions_for(user, complaint: Complaint) -> list[Action]:
    """What the case page offers: allowed by the transition table (and the stage's clock rule,
    `transitions.offered`) and by the user's role."""
    stage = complaint_current_stage(complaint)
    return [action for action in allowed_actions(complaint, stage)
            if action not in PER_ITEM_ACTIONS and user_may_act(user, complaint, action)
            and offered(TRANSITIONS[(complaint.process, complaint.stage, complaint.status, action)], stage)]


def complaint_needs_senior_officer(complaint: Complaint) -> bool:
    """A corporate stage 2 complaint, and a premature Ombudsman complaint (made to the Ombudsman
    first), are owned by a senior officer (DOMAIN.md, "Complaints": stage 2 "Assistant Chief
    Executive / Assistant Executive Director / Head of Service"; premature: "with a senior officer
    responsible"). A statutory stage 2 goes to an external investigator, who is not on the staff
    list as a senior officer, so it is not restricted."""
    if complaint.process != Process.CORPORATE:
        return False
    return complaint.stage == Stage.TWO or (complaint.via_ombudsman and complaint.stage == Stage.ONE)


def officers_for_allocation(complaint: Complaint | None = None) -> QuerySet[User]:
    """Active staff who may own a complaint: any member of staff, or only senior officers where
    the complaint needs one (`complaint_needs_senior_officer`). Named people first, so an account
    with no name (a system administrator) does not head the list."""
    officers = User.objects.filter(is_active=True).exclude(groups__name=Role.PARTNER)
    if complaint is not None and complaint_needs_senior_officer(complaint):
        officers = officers.filter(is_senior_officer=True)
    return officers.distinct().order_by(
        Case(When(last_name="", then=1), default=0), "last_name", "first_name", "pk")


def social_care_monitoring_officer() -> User | None:
    """The social care complaints monitoring officer who takes over reclassified complaints: the
    longest-standing active member of the role (lowest id), so the choice is deterministic."""
    return (
        User.objects.filter(is_active=True, groups__name=Role.SOCIAL_CARE_COMPLAINTS)
        .order_by("pk")
        .first()
    )


# --- The register and the clock ---------------------------------------------------------------


# The register's sortable columns (issue 20), each with an index behind it.
REGISTER_COLUMNS = [
    Column("reference", "Complaint", ("pk",)),
    Column("customer", "Customer and service"),
    Column("process", "Process and stage"),
    Column("status", "Status", ("status", "-received_at", "-pk")),
    Column("officer", "Officer"),
    Column("received", "Received", ("received_at", "pk")),
    Column("due", "Due", ("due_date", "pk")),
]
REGISTER_DEFAULT_SORT = "received"
_REFERENCE = re.compile(r"^C?0*(\d{1,18})$", re.IGNORECASE)


def complaint_search(complaints: QuerySet[Complaint], query: str) -> QuerySet[Complaint]:
    """Complaints found by reference ("C000123", or its number) or by the complainant's name,
    postcode, phone or UPRN (the customer search's own rules)."""
    from contacts.selectors import customer_ids_matching

    query = " ".join(query.split())
    if not query:
        return complaints
    match = Q(customer_id__in_array=customer_ids_matching(query))
    reference = _REFERENCE.match(query)
    if reference:
        match |= Q(pk=int(reference.group(1)))
    return complaints.filter(match)


def complaints_register(user, *, process="", stage="", status="", overdue=None, service="",
                        officer="", due_soon=False, ombudsman=False, today=None, q="", assigned="",
                        order_by=("-received_at", "-pk")) -> QuerySet[Complaint]:
    """The register, filtered (issue 5, "Pages"; issue 20: search, assigned to me or to no one);
    newest first unless `order_by` says otherwise."""
    today = today or timezone.localdate()
    complaints = complaints_visible_to(user).select_related("customer", "service", "assigned_to")
    if q:
        complaints = complaint_search(complaints, q)
    if assigned == "me":
        complaints = complaints.filter(assigned_to=user)
    elif assigned == "none":
        complaints = complaints.filter(assigned_to__isnull=True)
    if due_soon:
        soon = calendar().add_working_days(today, 2)
        complaints = complaints.filter(due_date__gte=today, due_date__lte=soon)
    if ombudsman:
        complaints = complaints.unresolved().filter(ombudsman_follow_up_date__isnull=False,
                                                    ombudsman_follow_up_date__lte=today + timedelta(days=14))
    if process:
        complaints = complaints.filter(process=process)
    if stage:
        complaints = complaints.filter(stage=str(stage))
    if status:
        complaints = complaints.filter(status=status)
    if overdue is True:
        complaints = complaints.overdue_on(today)
    elif overdue is False:
        complaints = complaints.exclude(due_date__lt=today)
    if service:
        complaints = complaints.filter(service__code=service)
    if officer:
        complaints = complaints.filter(assigned_to__username=officer)
    return complaints.order_by(*order_by)


def complaint_awaits_acknowledgement(complaint: Complaint, stage: ComplaintStage | None) -> bool:
    """Whether the complaint's running deadline is its current stage's acknowledgement (API.md
    v1.2: "the acknowledgement while it is awaited, then the response")."""
    return bool(stage is not None and complaint.due_date is not None and stage.acknowledged_at is None
                and stage.acknowledgement_due_date == complaint.due_date)


def complaint_clock(complaint: Complaint, today=None, working_calendar=None) -> dict | None:
    """The case page's clock: working days left, or overdue by, for the running deadline. A list
    passes one `working_calendar` for all its rows (one query for the closure days, not one a
    row)."""
    if complaint.due_date is None:
        return None
    today = today or timezone.localdate()
    days = (working_calendar or calendar()).working_days_between(today, complaint.due_date)
    return {"due_date": complaint.due_date, "days_left": max(days, 0), "overdue_by": max(-days, 0),
            "overdue": complaint.due_date < today}


def complaint_is_overdue(complaint: Complaint, today=None) -> bool:
    return complaint.due_date is not None and complaint.due_date < (today or timezone.localdate())


def complaint_stages(complaint: Complaint) -> QuerySet[ComplaintStage]:
    return complaint.stages.select_related("owner").order_by("started_at", "pk")


def complaint_current_stage(complaint: Complaint) -> ComplaintStage | None:
    return complaint.stages.filter(stage=complaint.stage).first()


def complaint_events(complaint: Complaint) -> QuerySet[ComplaintEvent]:
    return complaint.events.select_related("actor").order_by("at", "pk")


def complaint_previous_event_at(complaint: Complaint):
    event = complaint.events.order_by("-at", "-pk").only("at").first()
    return event.at if event else None


def complaint_attention_counts(user, today=None) -> dict[str, int]:
    """Counts for the home page: awaiting allocation, due soon, overdue, Ombudsman follow-ups."""
    today = today or timezone.localdate()
    soon = calendar().add_working_days(today, 2)
    visible = complaints_visible_to(user)
    managed = visible if has_role(user, *COMPLAINT_ROLES) else visible.filter(assigned_to=user)
    return {
        "awaiting_allocation": managed.filter(status=Status.AWAITING_ALLOCATION).count(),
        "due_soon": managed.filter(due_date__gte=today, due_date__lte=soon).count(),
        "overdue": managed.filter(due_date__lt=today).count(),
        "ombudsman_follow_up": managed.unresolved().filter(
            ombudsman_follow_up_date__isnull=False,
            ombudsman_follow_up_date__lte=today + timedelta(days=14),
        ).count(),
    }


def customers_matching(query: str, limit: int = 10) -> list:
    """Customers for the new-complaint form's search: the one customer search of every page
    (`contacts.selectors.customer_search`: the exact surname or "first last" first, then close
    matches), led by the customer with that number when the query is a number."""
    from contacts.models import Customer
    from contacts.selectors import customer_search

    query = " ".join((query or "").split())
    if not query:
        return []
    numbered = []
    if query.isdigit() and len(query) < 19:
        numbered = list(Customer.objects.active().filter(pk=int(query)))
    found = [c for c in customer_search(query, limit=limit) if c.pk not in {n.pk for n in numbered}]
    return (numbered + found)[:limit]


def customer_numbered(number: str):
    """The customer the new-complaint form has chosen, by customer number, or None. Not through
    the search, where a number also matches phone numbers (every 07700 number has "7700")."""
    from contacts.models import Customer

    number = (number or "").strip()
    return Customer.objects.active().filter(pk=int(number)).first() if number.isdigit() else None


# --- Letters (issue 18, "Letters as documents") ------------------------------------------------

FINAL_STAGE = {Process.CORPORATE: Stage.TWO, Process.STATUTORY: Stage.THREE}


def letters_available(complaint: Complaint) -> list[tuple[str, str, str]]:
    """The letters this complaint can send now, as (kind, stage, label): an acknowledgement at
    each complaint stage, an extension after an interim response or an extension (issue 18,
    lgsco-2026), the stage response once it is recorded, and the Ombudsman signposting after the
    final stage's response."""
    letters = []
    for stage in complaint_stages(complaint):
        if stage.stage == Stage.OMBUDSMAN:
            continue
        name = stage.get_stage_display().lower()
        letters.append((LetterKind.ACKNOWLEDGEMENT, stage.stage, f"Acknowledgement, {name}"))
        if stage.interim_response_at or stage.extended_by_working_days:
            letters.append((LetterKind.EXTENSION, stage.stage, f"Extension, {name}"))
        if stage.responded_at:
            letters.append((LetterKind.STAGE_RESPONSE, stage.stage, f"Response, {name}"))
            if stage.stage == FINAL_STAGE[complaint.process]:
                letters.append((LetterKind.OMBUDSMAN_SIGNPOSTING, stage.stage, "Ombudsman signposting"))
    return letters


def letter_fields(complaint: Complaint, kind: str, stage_code: str) -> dict | None:
    """The values a letter template may use ({{ customer_name }}...), all plain text; None when
    this letter cannot be sent yet (`letters_available`)."""
    if (kind, stage_code) not in {(k, s) for k, s, _ in letters_available(complaint)}:
        return None
    stage = complaint.stages.select_related("owner").get(stage=stage_code)
    # What the complainant was told about the delay: the interim response, or the extension's reason.
    interim = (complaint.events.filter(action__in=("interim_response", "extend"), stage=stage_code)
               .order_by("-at", "-pk").first())
    officer = stage.owner or complaint.assigned_to

    def day(value):
        return f"{value:%A} {value.day} {value:%B %Y}" if value else ""

    return {
        "customer_name": str(complaint.customer),
        "reference": complaint.reference,
        "service": complaint.service.name,
        "received_date": day(timezone.localtime(complaint.received_at)),
        "process": complaint.get_process_display().lower(),
        "stage": stage.get_stage_display().lower(),
        "due_date": day(stage.due_date),
        "revised_target_date": day(stage.revised_target_date),
        "interim_note": interim.note if interim else "",
        "response": stage.response,
        "outcome": stage.get_outcome_display().lower() if stage.outcome else "",
        "remedy": stage.remedy,
        "final_stage": "yes" if stage.stage == FINAL_STAGE[complaint.process] else "",
        "officer_name": str(officer) if officer else "",
        "ombudsman_reference": complaint.ombudsman_reference,
        "via_ombudsman": "yes" if complaint.via_ombudsman else "",
        "council_name": settings.COUNCIL_NAME,
        "today": day(timezone.localdate()),
    }


LETTER_PLACEHOLDERS = (
    "customer_name", "reference", "service", "received_date", "process", "stage", "due_date",
    "revised_target_date", "interim_note", "response", "outcome", "remedy", "final_stage",
    "officer_name", "ombudsman_reference", "via_ombudsman", "council_name", "today",
)


def letter_template_render(text: str, fields: dict) -> str:
    """An admin's template text filled in: plain text, nothing escaped (the page and the PDF
    escape it when they show it)."""
    template = engines["django"].from_string("{% autoescape off %}" + text + "{% endautoescape %}")
    filled = template.render(fields)
    # Blank lines left by {% if %} blocks collapse to one, so paragraphs stay paragraphs.
    return re.sub(r"\n{3,}", "\n\n", filled.replace("\r\n", "\n")).strip()


def letter_draft(complaint: Complaint, kind: str, stage_code: str) -> dict | None:
    """The letter as the template words it, ready for the officer to edit; None when it cannot
    be sent yet."""
    fields = letter_fields(complaint, kind, stage_code)
    if fields is None:
        return None
    template = LetterTemplate.objects.filter(kind=kind).first()
    if template is None:
        return {"subject": f"Your complaint {complaint.reference}", "body": "", "fields": fields}
    return {"subject": letter_template_render(template.subject, fields),
            "body": letter_template_render(template.body, fields), "fields": fields}


def letter_letterhead() -> dict:
    """The council's letterhead and signatory, from the settings (README, "Settings")."""
    return {
        "council_name": settings.COUNCIL_NAME,
        "address_lines": [line for line in settings.LETTER_ADDRESS if line.strip()],
        "contact_lines": [line for line in (settings.LETTER_PHONE, settings.LETTER_EMAIL,
                                            settings.LETTER_WEBSITE) if line],
        "signatory_name": settings.LETTER_SIGNATORY_NAME,
        "signatory_title": settings.LETTER_SIGNATORY_TITLE,
    }


def complaint_letters(complaint: Complaint) -> list[tuple[ComplaintLetter, tuple[str, str]]]:
    """The letters sent, each with what became of it in the outbox (`core.messages.message_state`:
    sent, delivered, or a letter GOV.UK Notify refused), in two queries."""
    from core.messages import message_state
    from core.models import OutboundMessage

    letters = list(complaint.letters.select_related("sent_by").order_by("sent_at", "pk"))
    outbox = {message.object_id: message for message in OutboundMessage.objects.filter(
        object_type="complaints.complaintletter", object_id__in=[str(letter.pk) for letter in letters])}
    return [(letter, message_state(outbox[str(letter.pk)]) if str(letter.pk) in outbox else ("Sent", "blue"))
            for letter in letters]


# --- Remedies, the Ombudsman's recommendations, learning actions, the review panel (issue 18) ----


def learning_action_owners() -> QuerySet[User]:
    """Who may own a learning action: any active member of staff, named people first."""
    return (User.objects.filter(is_active=True).exclude(groups__name=Role.PARTNER).distinct()
            .order_by(Case(When(last_name="", then=1), default=0), "last_name", "first_name", "pk"))


def complaint_ombudsman(complaint: Complaint) -> dict | None:
    """The case page's Ombudsman panel: the decision, and the recommendations with their state."""
    from complaints.models import OmbudsmanDecision

    decision = OmbudsmanDecision.objects.filter(complaint=complaint).first()
    recommendations = list(complaint.ombudsman_recommendations.order_by("due_date", "pk"))
    if decision is None and not recommendations:
        return None
    today = timezone.localdate()
    return {"decision": decision,
            "recommendations": [(item, item.done_at is None and item.due_date < today)
                                for item in recommendations]}


def complaint_remedies(complaint: Complaint) -> dict[int, object]:
    """Each stage's structured remedy, by stage id."""
    from complaints.models import ComplaintRemedy

    return {remedy.stage_id: remedy for remedy in ComplaintRemedy.objects.filter(stage__complaint=complaint)}


def complaint_learning_actions(complaint: Complaint):
    from complaints.models import LearningAction

    return (LearningAction.objects.filter(complaint=complaint).select_related("owner")
            .order_by("due_date", "pk"))


def complaint_review_panel(complaint: Complaint):
    from complaints.models import ReviewPanel

    return ReviewPanel.objects.filter(stage__complaint=complaint, stage__stage=Stage.THREE).first()


def user_may_manage_learning(user, complaint: Complaint) -> bool:
    """Who adds learning actions to a complaint and marks them done: whoever runs the case, and
    its allocated officer."""
    return user_manages(user, complaint) or complaint.assigned_to_id == user.pk


def learning_actions_for_managers(user, *, service: str = "", state: str = "", today=None):
    """The learning actions of the complaints the user may see (statutory ones stay with the social
    care complaints team), by service: open, overdue (open past the due date) or done."""
    from complaints.models import LearningAction

    today = today or timezone.localdate()
    actions = (LearningAction.objects.filter(complaint__in=complaints_visible_to(user))
               .select_related("owner", "complaint__service"))
    if service:
        actions = actions.filter(complaint__service__code=service)
    if state == "open":
        actions = actions.outstanding()
    elif state == "overdue":
        actions = actions.overdue_on(today)
    elif state == "done":
        actions = actions.filter(done_at__isnull=False)
    return actions.order_by("complaint__service__name", "due_date", "pk")

