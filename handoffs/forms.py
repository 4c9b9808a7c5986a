from django import forms

from core.govuk_forms import GovukForm
from core.models import HandoffMethod
from handoffs.models import Handoff, HandoffUpdate

ASSIGNED_CHOICES = [("", "Anyone or no one"), ("me", "Assigned to me"), ("none", "Unassigned")]


class QueueFilterForm(GovukForm):
    q = forms.CharField(required=False, max_length=100, label="Search",
                        help_text="Hand-off number, or the customer's name, postcode, phone or UPRN")
    assigned = forms.ChoiceField(required=False, choices=ASSIGNED_CHOICES, label="Assigned")
    team = forms.ChoiceField(required=False)
    status = forms.ChoiceField(required=False, choices=[("", "Open and in progress"),
                                                        *Handoff.Status.choices])
    method = forms.ChoiceField(required=False, choices=[
        ("", "All"), *[c for c in HandoffMethod.choices if c[0] != HandoffMethod.ONE_AND_DONE]])
    overdue = forms.BooleanField(required=False, label="Overdue only")

    def __init__(self, *args, teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("", "All my teams"), *[(t.code, t.name) for t in teams]]


class SearchForm(GovukForm):
    q = forms.CharField(required=False, max_length=100, label="Search",
                        help_text="Hand-off number, or the customer's name, postcode, phone or UPRN")


class BulkAssignForm(GovukForm):
    """Assign the selected hand-offs to an officer (a team lead's bulk action, issue 20); the
    selected hand-offs are the `handoff` checkboxes of the queue's table."""

    officer = forms.ModelChoiceField(queryset=None, label="Assign the selected hand-offs to",
                                     error_messages={"required": "Select an officer.",
                                                     "invalid_choice": "Select an officer."})

    def __init__(self, *args, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers
        self.fields["officer"].empty_label = "Select an officer"

    def selected_ids(self) -> list[int]:
        return sorted({int(pk) for pk in self.data.getlist("handoff") if pk.isdigit() and len(pk) < 19})


class UpdateForm(GovukForm):
    note = forms.CharField(widget=forms.Textarea, label="Update",
                           error_messages={"required": "Enter the update."})
    customer_informed = forms.BooleanField(required=False, label="The customer has been informed")
    informed_via = forms.ChoiceField(
        required=False, widget=forms.RadioSelect, label="If so, how?",
        choices=[c for c in HandoffUpdate.InformedVia.choices])

    def clean(self):
        data = super().clean()
        if data.get("customer_informed") and not data.get("informed_via"):
            self.add_error("informed_via", "Select how the customer was informed.")
        return data


class ReassignForm(GovukForm):
    officer = forms.ModelChoiceField(queryset=None, label="Officer",
                                     error_messages={"required": "Select an officer."})
    note = forms.CharField(widget=forms.Textarea, required=False, label="Reason")

    def __init__(self, *args, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers
        self.fields["officer"].empty_label = "Select an officer"


class ResolveForm(GovukForm):
    outcome = forms.CharField(widget=forms.Textarea, label="Outcome",
                              help_text="What was done. The customer sees this for Customer "
                                        "Advocate cases.",
                              error_messages={"required": "Enter the outcome."})
