"""Forms of the insight pages. The rules live in insight/services.py; these check the input."""

from datetime import date, timedelta

from django import forms
from django.utils import timezone

from core.govuk_forms import GovukDateField, GovukForm
from core.models import ChannelCode, EnquiryType
from insight.models import LifeEventKind
from insight.selectors import tell_us_once_services

SCALE = [(str(n), str(n)) for n in range(5, 0, -1)]


class SurveyForm(GovukForm):
    """The survey questions: the same on the emailed page and at the counter."""

    satisfaction = forms.TypedChoiceField(
        choices=SCALE, coerce=int, widget=forms.RadioSelect,
        label="Overall, how satisfied are you with how we dealt with your enquiry?",
        help_text="5 is very satisfied, 1 is very dissatisfied.",
        error_messages={"required": "Select how satisfied you are, from 1 to 5."})
    ease = forms.TypedChoiceField(
        choices=SCALE, coerce=int, widget=forms.RadioSelect,
        label="How easy was it to get what you needed?",
        help_text="5 is very easy, 1 is very difficult.",
        error_messages={"required": "Select how easy it was, from 1 to 5."})
    resolved = forms.TypedChoiceField(
        choices=[("yes", "Yes"), ("no", "No")], coerce=lambda value: value == "yes",
        widget=forms.RadioSelect, label="Was your enquiry resolved?",
        error_messages={"required": "Select yes if your enquiry was resolved."})
    comments = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea,
        label="Is there anything you would like to tell us?",
        help_text="Do not include personal or financial information.")

    def answers(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("satisfaction", "ease", "resolved", "comments")}


class PeriodForm(GovukForm):
    """A date range for the reports, the last 90 days by default."""

    date_from = GovukDateField(required=False, label="From")
    date_to = GovukDateField(required=False, label="To")
    error_names = {"date_from": "the start date", "date_to": "the end date"}

    def period(self) -> tuple[date, date]:
        today = timezone.localdate()
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        date_to = data.get("date_to") or today
        date_from = data.get("date_from") or date_to - timedelta(days=90)
        if date_from > date_to:
            date_from, date_to = date_to, date_from
        return date_from, date_to


class JourneyFilterForm(PeriodForm):
    enquiry_type = forms.ModelChoiceField(
        queryset=EnquiryType.objects.filter(is_active=True).select_related("service")
        .order_by("service__name", "name", "pk"),
        required=False, label="Enquiry type", empty_label="Choose an enquiry type")


class CustomerSearchForm(GovukForm):
    q = forms.CharField(required=False, max_length=200, label="Find the customer",
                        help_text="Name, postcode, phone number, email address or UPRN.")


class LifeEventForm(GovukForm):
    kind = forms.ChoiceField(choices=LifeEventKind.choices, widget=forms.RadioSelect,
                             label="What has happened?",
                             error_messages={"required": "Select the life event."})
    event = GovukDateField(label="When did it happen?")
    details = forms.CharField(
        widget=forms.Textarea, max_length=2000, label="Details to share with the services",
        help_text="For example, the name of the person who died, the new address and moving date, "
                  "or the baby's name. Every service you choose sees this.",
        error_messages={"required": "Enter the details to share with the services."})
    channel = forms.ChoiceField(choices=ChannelCode.choices, label="How did the customer tell us?",
                                initial=ChannelCode.FACE_TO_FACE)
    services = forms.MultipleChoiceField(
        choices=[], widget=forms.CheckboxSelectMultiple, label="Services to tell",
        error_messages={"required": "Select at least one service to tell."})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.service_objects = {str(s.pk): s for s in tell_us_once_services()}
        self.fields["services"].choices = [(pk, s.name) for pk, s in self.service_objects.items()]

    error_names = {"event": "the date of the event", "kind": "the life event",
                   "channel": "how the customer told us", "services": "at least one service to tell",
                   "details": "the details to share with the services"}

    def clean(self):
        data = super().clean()
        data["event_date"] = data.get("event")
        return data

    def chosen_services(self) -> list:
        return [self.service_objects[pk] for pk in self.cleaned_data.get("services", [])]
