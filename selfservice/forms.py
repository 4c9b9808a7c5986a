"""One form per question (GOV.UK "one thing per page"), each with the honeypot field."""

from django import forms
from django.core.exceptions import ValidationError

from contacts import normalise, photos
from core.govuk_forms import GovukForm
from intake.rules import SUMMARY_MAX_LENGTH
from selfservice import selectors
from selfservice.models import Kind
from selfservice.services import contact_details_check

HONEYPOT_FIELD = "website"


class QuestionForm(GovukForm):
    """A hidden field people never see or fill in (hidden from screen readers too); automated
    form-fillers do, and their submission is refused without storing anything."""

    website = forms.CharField(required=False, max_length=200, label="Leave this field empty")

    def is_bot(self) -> bool:
        return bool((self.data.get(HONEYPOT_FIELD) or "").strip())

    def answer(self) -> dict:
        """What to keep in the session: the posted strings of the question's own fields."""
        return {name: self.data.get(name, "") for name in self.fields if name != HONEYPOT_FIELD}


class KindForm(QuestionForm):
    kind = forms.ChoiceField(
        choices=Kind.choices, widget=forms.RadioSelect,
        error_messages={"required": "Select what you want to do."})

    HINTS = {Kind.PROBLEM: "Like a pothole, a missed bin or fly-tipping.",
             Kind.REQUEST: "Like a new bin or a bulky waste collection.",
             Kind.COMPLAINT: "About something we did, or did not do."}

    @property
    def options(self):
        return [(value, label, self.HINTS.get(value, "")) for value, label in Kind.choices]


class OfferForm(QuestionForm):
    offer = forms.ChoiceField(widget=forms.RadioSelect,
                              error_messages={"required": "Select one of the options.",
                                              "invalid_choice": "Select one of the options."})

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.offers = {str(offer.pk): offer for offer in selectors.offers(kind)}
        self.fields["offer"].choices = [(pk, offer.title) for pk, offer in self.offers.items()]
        self.options = [(pk, offer.title, offer.hint) for pk, offer in self.offers.items()]

    def clean_offer(self):
        return self.offers[self.cleaned_data["offer"]]


_SELECT_SERVICE = "Select the service your complaint is about."


class ComplaintServiceForm(QuestionForm):
    service = forms.ChoiceField(widget=forms.RadioSelect,
                                error_messages={"required": _SELECT_SERVICE,
                                                "invalid_choice": _SELECT_SERVICE})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.services = {str(service.pk): service for service in selectors.complaint_services()}
        self.fields["service"].choices = [(pk, service.name) for pk, service in self.services.items()]
        self.options = [(pk, service.name, "") for pk, service in self.services.items()]

    def clean_service(self):
        return self.services[self.cleaned_data["service"]]


class DetailsForm(QuestionForm):
    description = forms.CharField(
        max_length=SUMMARY_MAX_LENGTH - 350,  # room for the location within the contact summary
        widget=forms.Textarea,
        error_messages={"required": "Tell us what it is about.",
                        "max_length": "Use %(limit_value)d characters or fewer."})

    def clean_description(self):
        return self.cleaned_data["description"].strip()


class LocationForm(QuestionForm):
    location = forms.CharField(
        max_length=300,
        error_messages={"required": "Tell us where it is.",
                        "max_length": "Use %(limit_value)d characters or fewer."})


class NameForm(QuestionForm):
    first_name = forms.CharField(max_length=100, label="First name",
                                 error_messages={"required": "Enter your first name."})
    last_name = forms.CharField(max_length=100, label="Last name",
                                error_messages={"required": "Enter your last name."})

    def clean_first_name(self):
        return normalise.name(self.cleaned_data["first_name"])

    def clean_last_name(self):
        return normalise.name(self.cleaned_data["last_name"])


class ContactDetailsForm(QuestionForm):
    """How the council can reply: an email address, a phone number or a postal address, at least
    one (the rule is `services.contact_details_check`, shown here)."""

    email = forms.CharField(required=False, max_length=254, label="Email address")
    phone = forms.CharField(required=False, max_length=30, label="UK phone number")
    address_line_1 = forms.CharField(required=False, max_length=200, label="Address line 1")
    town = forms.CharField(required=False, max_length=100, label="Town or city")
    postcode = forms.CharField(required=False, max_length=10, label="Postcode")

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            details = contact_details_check(**{name: cleaned.get(name, "") for name in (
                "email", "phone", "address_line_1", "town", "postcode")})
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
            return cleaned
        cleaned.update(vars(details))
        return cleaned


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Any number of files from one `<input type="file" multiple>`; the photo rules are
    `contacts.photos.photos_clean`'s."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [upload for upload in files if upload]


class PhotosForm(QuestionForm):
    """Photos of the problem, optional. Each valid upload is cleaned of its metadata here and
    stored by the view; `kept` are the ones stored on an earlier visit."""

    photos = PhotosField(required=False, label="Upload a photo")

    def __init__(self, *args, kept=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kept = list(kept)

    def clean_photos(self):
        try:
            return photos.photos_clean(self.cleaned_data["photos"], already=len(self.kept))
        except ValidationError as error:
            raise ValidationError(error.messages) from None

    def answer(self) -> dict:
        return {}


class SubmitForm(QuestionForm):
    """The check-answers page: nothing to ask but the honeypot."""


class ProgressForm(QuestionForm):
    reference = forms.CharField(max_length=20, label="Reference number",
                                help_text="It starts NWD, for example NWD-7K3M-9QX2.",
                                error_messages={"required": "Enter your reference number."})
    contact = forms.CharField(max_length=254, label="Email address, phone number or postcode",
                              help_text="The one you gave when you contacted us.",
                              error_messages={"required": "Enter the email address, phone number or "
                                                          "postcode you gave us."})
