from django import forms

from core.govuk_forms import GovukForm


class ReassignForm(GovukForm):
    new_officer = forms.ChoiceField(
        label="Who takes the work over", error_messages={
            "required": "Select who takes the work over.",
            "invalid_choice": "Select who takes the work over.",
        })

    def __init__(self, *args, officers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_officer"].choices = [("", "Choose a person")] + [
            (str(u.pk), f"{u.get_full_name() or u.username}"
                        f"{f' ({u.job_title})' if u.job_title else ''}"
                        f"{', senior officer' if u.is_senior_officer else ''}")
            for u in officers
        ]
