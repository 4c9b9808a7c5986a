"""Plain forms for the complaints pages; the services check the rules."""

from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from complaints.models import (
    LetterChannel,
    OmbudsmanDecisionKind,
    Outcome,
    Process,
    RemedyKind,
    Stage,
    Status,
)
from complaints.transitions import Action
from core.govuk_forms import GovukDateField, GovukForm


class DateInput(forms.DateInput):
    input_type = "date"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"


class RegisterFilterForm(GovukForm):
    q = forms.CharField(required=False, max_length=100, label="Search",
                        help_text="Reference, or the complainant's name, postcode, phone or UPRN")
    assigned = forms.ChoiceField(required=False, label="Assigned", choices=[
        ("", "Anyone or no one"), ("me", "Allocated to me"), ("none", "Not allocated")])
    process = forms.ChoiceField(choices=[("", "Any")] + Process.choices, required=False)
    stage = forms.ChoiceField(choices=[("", "Any")] + Stage.choices, required=False)
    status = forms.ChoiceField(choices=[("", "Any")] + Status.choices, required=False)
    overdue = forms.ChoiceField(choices=[("", "Any"), ("yes", "Overdue"), ("no", "Not overdue")],
                                required=False)
    service = forms.ChoiceField(required=False)
    officer = forms.ChoiceField(required=False)

    def __init__(self, *args, services=(), officers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", "Any")] + [(s.code, s.name) for s in services]
        self.fields["officer"].choices = [("", "Anyone")] + [
            (u.username, u.get_full_name() or u.username) for u in officers
        ]


class ComplaintForm(GovukForm):
    customer = forms.IntegerField(label="Customer number", min_value=1,
                                  help_text="Find the customer above, or enter their number.",
                                  error_messages={"required": "Find the customer, or enter their number."})
    service = forms.ChoiceField(error_messages={"required": "Select the service the complaint is about."})
    summary = forms.CharField(widget=forms.Textarea, label="What is the complaint about?",
                              error_messages={"required": "Enter what the complaint is about."})
    received_date = GovukDateField(label="Date received", required=False,
                                   help_text="Leave empty for today.")
    received_time = forms.TimeField(label="Time received", required=False, input_formats=["%H:%M", "%H.%M"],
                                    help_text="Leave empty for now. Use the 24-hour clock, like 14:30.",
                                    error_messages={"invalid": "Enter the time received like 14:30."})
    process = forms.ChoiceField(choices=Process.choices, widget=forms.RadioSelect, initial=Process.CORPORATE)
    via_ombudsman = forms.BooleanField(
        required=False, label="Made to the Ombudsman first (premature Ombudsman complaint)",
        help_text="Logged as corporate stage 1 with a senior officer responsible and Legal "
                  "Services involved.",
    )
    ombudsman_reference = forms.CharField(required=False, label="Ombudsman's reference", max_length=100)

    error_names = {"customer": "the customer's number", "summary": "what the complaint is about",
                   "received_date": "the date the complaint was received",
                   "received_time": "the time the complaint was received", "process": "the process"}

    def __init__(self, *args, services=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", "Choose a service")] + [(s.code, s.name) for s in services]

    def clean(self):
        """The date and time boxes as one moment: empty is now; a time alone is today's; a past
        date alone is 9am that day (the complaints service checks it is not in the future)."""
        data = super().clean()
        day, time = data.get("received_date"), data.get("received_time")
        now = timezone.localtime()
        if day is None and time is None:
            data["received_at"] = None
        elif time is None and day == now.date():
            data["received_at"] = now
        else:
            moment = datetime.combine(day or now.date(), time or datetime.min.time().replace(hour=9))
            data["received_at"] = timezone.make_aware(moment)
        return data


class BulkAllocateForm(GovukForm):
    """Allocate the selected complaints to an officer (the register's bulk action, issue 20); the
    selected complaints are the `complaint` checkboxes of the register's table."""

    officer = forms.ModelChoiceField(queryset=None, label="Allocate the selected complaints to",
                                     error_messages={"required": "Select an officer.",
                                                     "invalid_choice": "Select an officer."})

    def __init__(self, *args, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers
        self.fields["officer"].empty_label = "Select an officer"

    def selected_ids(self) -> list[int]:
        return sorted({int(pk) for pk in self.data.getlist("complaint") if pk.isdigit() and len(pk) < 19})


class AllocateForm(GovukForm):
    officer = forms.ChoiceField(label="Officer")

    def __init__(self, *args, officers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].choices = [("", "Choose an officer")] + [
            (u.username, f"{u.get_full_name() or u.username}{f' ({u.job_title})' if u.job_title else ''}")
            for u in officers
        ]


class InterimResponseForm(GovukForm):
    note = forms.CharField(widget=forms.Textarea, label="What the interim response said")
    revised_target_date = GovukDateField(
        required=False, label="Revised target date",
        help_text="Leave empty for the standard extension.",
    )


class ExtendForm(GovukForm):
    working_days = forms.IntegerField(
        label="How many working days do you need?", min_value=1, max_value=365,
        help_text="Counted from the current response deadline.",
        error_messages={"required": "Enter how many working days to extend the deadline by."})
    reason = forms.CharField(widget=forms.Textarea, label="Why does the response need more time?",
                             help_text="This is told to the complainant.",
                             error_messages={"required": "Enter why the response needs more time."})

    error_names = {"working_days": "the number of working days", "reason": "why the response needs more time"}




class _RemedyFields(forms.Form):
    """The remedy boxes (issue 18, item 3). The rules are the service's (`remedy_parse`): the form
    asks it, so its messages land by the box they are about."""

    remedy_kind = forms.ChoiceField(
        choices=[("", "No remedy"), *RemedyKind.choices], widget=forms.RadioSelect, required=False,
        initial="", label="Remedy")
    remedy_amount = forms.CharField(required=False, max_length=20, label="Amount, in pounds",
                                    help_text="Needed for a financial remedy, like 50 or 49.99.")
    remedy_detail = forms.CharField(widget=forms.Textarea, required=False,
                                    label="What the remedy was",
                                    help_text="Needed when the remedy is of another kind.")

    remedy_parts = {"kind": "remedy_kind", "amount_pounds": "remedy_amount", "detail": "remedy_detail"}
    error_names = {"remedy_kind": "the kind of remedy", "remedy_amount": "the amount",
                   "remedy_detail": "what the remedy was"}

    def clean(self):
        from complaints.services import remedy_parse

        data = super().clean()
        kind = data.get("remedy_kind") or ""
        amount, detail = data.get("remedy_amount") or "", data.get("remedy_detail") or ""
        data["remedy"] = None
        if not kind and (amount or detail):
            self.add_error("remedy_kind", "Select the kind of remedy, or clear the amount and what it was.")
        elif kind:
            data["remedy"] = {"kind": kind, "amount_pounds": amount, "detail": detail}
            try:
                remedy_parse(data["remedy"])
            except ValidationError as error:
                for problem in error.error_dict["remedy"]:
                    self.add_error(self.remedy_parts.get(problem.code, "remedy_kind"), problem.messages)
        return data

    def service_values(self) -> dict:
        """The cleaned values as the service takes them."""
        return {key: value for key, value in self.cleaned_data.items() if not key.startswith("remedy_")}


class RespondForm(_RemedyFields, GovukForm):
    outcome = forms.ChoiceField(choices=Outcome.choices, widget=forms.RadioSelect, error_messages={
        "required": "Select whether the complaint is upheld, partly upheld or not upheld."})
    response = forms.CharField(widget=forms.Textarea, label="Response sent to the complainant",
                               error_messages={"required": "Enter the response sent to the complainant."})
    remedy_kind = _RemedyFields.base_fields["remedy_kind"]
    remedy_amount = _RemedyFields.base_fields["remedy_amount"]
    remedy_detail = _RemedyFields.base_fields["remedy_detail"]
    lessons_learned = forms.CharField(widget=forms.Textarea, required=False, label="Lessons learned")
    learning_action = forms.CharField(
        widget=forms.Textarea, required=False, label="Action to take from the lessons",
        help_text="It is given an owner and a due date, and reminded until it is done.")
    learning_owner = forms.ChoiceField(required=False, label="Who owns the action")
    learning_due_date = GovukDateField(required=False, label="When the action is due")

    error_names = {**_RemedyFields.error_names, "learning_action": "the action to take",
                   "learning_owner": "who owns the action", "learning_due_date": "when the action is due"}

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["learning_owner"].choices = owner_choices(owners)

    def service_values(self) -> dict:
        values = super().service_values()
        action = values.pop("learning_action", "")
        owner, due = values.pop("learning_owner", ""), values.pop("learning_due_date", None)
        values["learning_actions"] = []
        if action or owner or due:
            from core.models import User

            values["learning_actions"] = [{"action": action, "due_date": due,
                                           "owner": User.objects.filter(username=owner).first() if owner
                                           else None}]
        return values


def owner_choices(owners) -> list[tuple[str, str]]:
    if owners is None:
        from complaints.selectors import learning_action_owners

        owners = learning_action_owners()
    return [("", "Choose who owns it")] + [
        (u.username, f"{u.get_full_name() or u.username}{f' ({u.job_title})' if u.job_title else ''}")
        for u in owners]


class EscalateForm(GovukForm):
    reason = forms.CharField(widget=forms.Textarea, label="Why the complainant wants to escalate")


class ReferForm(GovukForm):
    reference = forms.CharField(label="Ombudsman's reference", max_length=100)


class OmbudsmanDecisionForm(_RemedyFields, GovukForm):
    """The Ombudsman's decision, the remedy it asks for and up to three recommendations."""

    decision = forms.ChoiceField(choices=OmbudsmanDecisionKind.choices, widget=forms.RadioSelect,
                                 label="The Ombudsman's decision",
                                 error_messages={"required": "Select the Ombudsman's decision."})
    remedy_kind = _RemedyFields.base_fields["remedy_kind"]
    remedy_amount = _RemedyFields.base_fields["remedy_amount"]
    remedy_detail = _RemedyFields.base_fields["remedy_detail"]
    recommendation_1 = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                                       label="Recommendation 1",
                                       help_text="What the Ombudsman asked the council to do.")
    recommendation_1_due = GovukDateField(required=False, label="Recommendation 1 due by")
    recommendation_2 = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                                       label="Recommendation 2")
    recommendation_2_due = GovukDateField(required=False, label="Recommendation 2 due by")
    recommendation_3 = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                                       label="Recommendation 3")
    recommendation_3_due = GovukDateField(required=False, label="Recommendation 3 due by")

    error_names = {**_RemedyFields.error_names, "decision": "the Ombudsman's decision",
                   **{f"recommendation_{n}": f"recommendation {n}" for n in (1, 2, 3)},
                   **{f"recommendation_{n}_due": f"the date recommendation {n} is due" for n in (1, 2, 3)}}

    def clean(self):
        data = super().clean()
        for n in (1, 2, 3):
            action, due = data.get(f"recommendation_{n}"), data.get(f"recommendation_{n}_due")
            if action and not due and f"recommendation_{n}_due" not in self.errors:
                self.add_error(f"recommendation_{n}_due", f"Enter the date recommendation {n} is due.")
            if due and not action:
                self.add_error(f"recommendation_{n}", f"Enter recommendation {n}, or clear its due date.")
        return data

    def service_values(self) -> dict:
        values = super().service_values()
        values["recommendations"] = []
        for n in (1, 2, 3):
            action, due = values.pop(f"recommendation_{n}", ""), values.pop(f"recommendation_{n}_due", None)
            if action:
                values["recommendations"].append({"action": action, "due_date": due})
        return values


class ReviewPanelForm(GovukForm):
    """Statutory stage 3: the review panel and the Director's decision, saved as they happen."""

    panel_date = GovukDateField(required=False, label="Date of the panel")
    members = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                              label="Panel members", help_text="One a line.")
    recommendations = forms.CharField(widget=forms.Textarea, required=False,
                                      label="The panel's recommendations")
    director_decision = forms.CharField(widget=forms.Textarea, required=False,
                                        label="The Director's decision",
                                        help_text="Needs the panel's recommendations first.")

    error_names = {"panel_date": "the date of the panel", "members": "the panel members",
                   "recommendations": "the panel's recommendations",
                   "director_decision": "the Director's decision"}


class LearningActionForm(GovukForm):
    """A lesson learned made an action, from the complaint page."""

    action = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Action to take",
                             error_messages={"required": "Enter the action to take."})
    owner = forms.ChoiceField(label="Who owns the action",
                              error_messages={"required": "Select who owns the action."})
    due_date = GovukDateField(label="When the action is due")

    error_names = {"action": "the action to take", "owner": "who owns the action",
                   "due_date": "when the action is due"}

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = owner_choices(owners)


class LearningActionFilterForm(GovukForm):
    service = forms.ChoiceField(required=False)
    state = forms.ChoiceField(required=False, label="Status", choices=[
        ("", "Any"), ("open", "Open"), ("overdue", "Overdue"), ("done", "Done")])

    def __init__(self, *args, services=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", "Any")] + [(s.code, s.name) for s in services]


class ConfirmForm(GovukForm):
    """Actions with nothing to enter (reclassify, close)."""


class LetterForm(GovukForm):
    """The edit step before a letter is sent: the template's words, changed as the officer needs."""

    subject = forms.CharField(max_length=200, label="Subject",
                              error_messages={"required": "Enter the letter's subject.",
                                              "max_length": "The subject must be 200 characters or fewer."})
    body = forms.CharField(widget=forms.Textarea, label="Letter",
                           help_text="Edit the text as needed. Leave a blank line between paragraphs. "
                                     "The letterhead, address, date, greeting and signature are added.",
                           error_messages={"required": "Enter the text of the letter."})
    channel = forms.ChoiceField(choices=LetterChannel.choices, widget=forms.RadioSelect, label="Send it by",
                                error_messages={"required": "Select whether to send the letter by email or "
                                                            "by post.",
                                                "invalid_choice": "Select whether to send the letter by "
                                                                  "email or by post."})


ACTION_FORMS = {
    Action.ALLOCATE: AllocateForm,
    Action.ACKNOWLEDGE: ConfirmForm,
    Action.INTERIM_RESPONSE: InterimResponseForm,
    Action.EXTEND: ExtendForm,
    Action.RESPOND: RespondForm,
    Action.ESCALATE: EscalateForm,
    Action.MAKE_STATUTORY: ConfirmForm,
    Action.REFER_TO_OMBUDSMAN: ReferForm,
    Action.CLOSE: ConfirmForm,
    Action.OMBUDSMAN_DECISION: OmbudsmanDecisionForm,
    Action.REVIEW_PANEL: ReviewPanelForm,
}
