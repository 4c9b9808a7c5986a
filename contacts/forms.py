"""Forms of the contacts pages: plain forms, since each submission calls a service that does
more than save a row. Business rules live in the services; these check what the page asks."""

from datetime import date

from django import forms

from contacts.models import MessageChannel
from core.models import ChannelCode, Language


class SearchForm(forms.Form):
    q = forms.CharField(
        required=False, max_length=200, label="Find the customer",
        help_text="Name, postcode, phone number, email address or UPRN.",
    )


class CustomerForm(forms.Form):
    """A customer's details, for creating one and for correcting them (rectification)."""

    first_name = forms.CharField(max_length=100, error_messages={
        "required": "Enter the customer's first name."})
    last_name = forms.CharField(max_length=100, error_messages={
        "required": "Enter the customer's last name."})
    dob_day = forms.CharField(required=False, max_length=2)
    dob_month = forms.CharField(required=False, max_length=2)
    dob_year = forms.CharField(required=False, max_length=4)
    address_line_1 = forms.CharField(required=False, max_length=200, label="Address line 1")
    address_line_2 = forms.CharField(required=False, max_length=200, label="Address line 2")
    town = forms.CharField(required=False, max_length=100, label="Town or city")
    postcode = forms.CharField(required=False, max_length=10)
    uprn = forms.CharField(required=False, max_length=12, label="UPRN",
                           help_text="Unique Property Reference Number, from the address gazetteer.")
    phone = forms.CharField(required=False, max_length=30, label="Phone number")
    email = forms.CharField(required=False, max_length=254, label="Email address")
    preferred_channel = forms.ChoiceField(
        required=False, label="Preferred way to contact them",
        choices=[("", "No preference"), *ChannelCode.choices])
    accessibility_needs = forms.CharField(
        required=False, widget=forms.Textarea, label="Accessibility or language needs",
        help_text="For example, needs an interpreter (Polish), large print, or a hearing loop.")
    is_vulnerable = forms.BooleanField(required=False, label="The customer is vulnerable")
    vulnerability_notes = forms.CharField(
        required=False, widget=forms.Textarea, label="Why, and how to help",
        help_text="Shown to everyone who deals with this customer.")
    consent_notes = forms.CharField(
        required=False, widget=forms.Textarea, label="Consent notes",
        help_text="What the customer has agreed to, for example to be contacted by text message.")
    # Updates (issue 19): sent only on a channel the customer agreed to, in their language.
    message_channel = forms.ChoiceField(
        required=False, label="Preferred way to get updates",
        choices=[("", "No preference"), *MessageChannel.choices])
    consent_email = forms.BooleanField(required=False, label="Agrees to updates by email")
    consent_sms = forms.BooleanField(required=False, label="Agrees to updates by text message")
    consent_letter = forms.BooleanField(required=False, label="Agrees to updates by letter")
    language = forms.ChoiceField(required=False, label="Language for updates", choices=Language.choices)

    DETAIL_FIELDS = ("first_name", "last_name", "address_line_1", "address_line_2", "town",
                     "postcode", "uprn", "phone", "email", "preferred_channel",
                     "accessibility_needs", "is_vulnerable", "vulnerability_notes", "consent_notes",
                     "message_channel", "consent_email", "consent_sms", "consent_letter", "language")

    @classmethod
    def initial_for(cls, customer) -> dict:
        initial = {field: getattr(customer, field) for field in cls.DETAIL_FIELDS}
        if customer.date_of_birth:
            dob = customer.date_of_birth
            initial.update(dob_day=dob.day, dob_month=dob.month, dob_year=dob.year)
        return initial

    def clean(self):
        data = super().clean()
        parts = [(data.get(f) or "").strip() for f in ("dob_day", "dob_month", "dob_year")]
        data["date_of_birth"] = None
        if any(parts):
            try:
                day, month, year = (int(p) for p in parts)
                if year < 1900:
                    raise ValueError
                data["date_of_birth"] = date(year, month, day)
            except ValueError:
                self.add_error("dob_day", "Date of birth must be a real date, like 27 3 1980.")
        return data

    def customer_fields(self) -> dict:
        data = self.cleaned_data
        return {**{field: data[field] for field in self.DETAIL_FIELDS},
                "date_of_birth": data["date_of_birth"]}
