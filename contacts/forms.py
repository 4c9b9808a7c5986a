"""Forms of the contacts pages: plain forms, since each submission calls a service that does
more than save a row. Business rules live in the services; these check what the page asks."""

from django import forms

from contacts import gazetteer, normalise
from contacts.models import MessageChannel
from core.govuk_forms import GovukDateField, GovukForm
from core.models import ChannelCode, Language


class SearchForm(GovukForm):
    q = forms.CharField(
        required=False, max_length=200, label="Find the customer",
        help_text="Name, postcode, phone number, email address or UPRN.",
    )


class CustomerForm(GovukForm):
    """A customer's details, for creating one and for correcting them (rectification)."""

    first_name = forms.CharField(max_length=100, error_messages={
        "required": "Enter the customer's first name."})
    last_name = forms.CharField(max_length=100, error_messages={
        "required": "Enter the customer's last name."})
    dob = GovukDateField(required=False, label="Date of birth", example="27 3 1980")
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
            initial["dob"] = dob
        return initial

    def customer_fields(self) -> dict:
        data = self.cleaned_data
        return {**{field: data[field] for field in self.DETAIL_FIELDS},
                "date_of_birth": data["dob"]}


class RectificationForm(GovukForm):
    """The corrected details a customer asked for (rectification, UK GDPR article 16). The
    service checks and normalises them as the customer form's."""

    first_name = forms.CharField(max_length=100, error_messages={
        "required": "Enter the customer's first name."})
    last_name = forms.CharField(max_length=100, error_messages={
        "required": "Enter the customer's last name."})
    email = forms.CharField(required=False, max_length=254, label="Email address")
    phone = forms.CharField(required=False, max_length=30, label="Phone number")
    address_line_1 = forms.CharField(required=False, max_length=200, label="Address line 1")
    postcode = forms.CharField(required=False, max_length=10)

    @classmethod
    def initial_for(cls, customer) -> dict:
        return {name: getattr(customer, name) for name in cls.base_fields}


class AddressLookupForm(GovukForm):
    """The postcode lookup on an address form (issue 20, item 4): works without JavaScript, one
    button at a time. "Find address" lists the gazetteer's addresses at the postcode; "Use this
    address" puts the chosen one's lines, postcode and UPRN into the form."""

    lookup_postcode = forms.CharField(max_length=10, label="Find the address by postcode",
                                      help_text="From the council's address gazetteer, with its UPRN.")
    address = forms.ChoiceField(required=False, label="Select an address")
    error_names = {"lookup_postcode": "a postcode to find the address", "address": "an address"}

    def __init__(self, *args, choosing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.choosing = choosing
        self.addresses = []
        posted = (self.data.get("lookup_postcode") or "") if self.is_bound else ""
        if normalise.is_postcode(posted):
            self.addresses = gazetteer.addresses_at_postcode(posted)
        count = len(self.addresses)
        self.fields["address"].choices = [("", f"{count} address{'es' if count != 1 else ''} found")] + [
            (address.uprn, str(address)) for address in self.addresses]
        self.fields["address"].required = choosing

    def clean_lookup_postcode(self):
        value = self.cleaned_data["lookup_postcode"]
        if not normalise.is_postcode(value):
            raise forms.ValidationError("Enter a real postcode, like OL6 6AB.")
        postcode = normalise.postcode(value)
        if not self.addresses:
            raise forms.ValidationError(f"No addresses found at {postcode}. Check the postcode, or "
                                        "enter the address yourself.")
        return postcode

    def chosen(self):
        uprn = self.cleaned_data.get("address")
        return next((address for address in self.addresses if address.uprn == uprn), None)
