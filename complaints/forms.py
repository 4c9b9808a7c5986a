"""Plain forms for the complaints pages; the services check the rules."""

from datetime import datetime

from django import forms
from django.utils import timezone

from complaints.models import LetterChannel, Outcome, Process, Stage, Status
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


class RespondForm(GovukForm):
    outcome = forms.ChoiceField(choices=Outcome.choices, widget=forms.RadioSelect, error_messages={
        "required": "Select whether the complaint is upheld, partly upheld or not upheld."})
    response = forms.CharField(widget=forms.Textarea, label="Response sent to the complainant",
                               error_messages={"required": "Enter the response sent to the complainant."})
    remedy = forms.CharField(widget=forms.Textarea, required=False)
    lessons_learned = forms.CharField(widget=forms.Textarea, required=False, label="Lessons learned")


class EscalateForm(GovukForm):
    reason = forms.CharField(widget=forms.Textarea, label="Why the complainant wants to escalate")


class ReferForm(GovukForm):
    reference = forms.CharField(label="Ombudsman's reference", max_length=100)


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
}
