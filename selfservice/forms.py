"""One form per question (GOV.UK "one thing per page"), each with the honeypot field."""

from django import forms
from django.core.exceptions import ValidationError

from contacts import normalise, photos
from core.govuk_forms import GovukForm
from intake.rules import SUMMARY_MAX_LENGTH
from selfservice import selectors, services
from selfservice.models import Kind

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
    """Where the problem is (issue 20, item 4): the address found by postcode ("Find address",
    then select it from the list), or words for a place with no address, or both. Works without
    JavaScript: "Find address" sends the form and the page comes back with the list (`finding`).
    The rules are `services.place_addresses` and `services.report_place_check`, shown here."""

    lookup_postcode = forms.CharField(required=False, max_length=10, label="Postcode",
                                      help_text="For example, OL6 6AB.")
    address = forms.ChoiceField(required=False, label="Select the address",
                                error_messages={"invalid_choice": services.PLACE_UNKNOWN_ADDRESS})
    location = forms.CharField(
        required=False, max_length=services.LOCATION_MAX_LENGTH, label="Or describe where it is",
        help_text="For somewhere with no address, like a park or a stretch of road. For example, "
                  "the path by the canal bridge on Oak Road.",
        error_messages={"max_length": "Where the problem is must be %(limit_value)d characters or less."})
    # A point, when the resident's browser gives one ("Use my location").
    latitude = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)
    longitude = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)
    error_names = {"lookup_postcode": "a postcode", "latitude": "your location",
                   "longitude": "your location"}

    @staticmethod
    def is_finding(data) -> bool:
        """"Find address", or Continue (Enter in the postcode box) with only a postcode before any
        list was shown: look the postcode up rather than go on."""
        if data is None:
            return False
        if "find_address" in data:
            return True
        return ("address" not in data and bool((data.get("lookup_postcode") or "").strip())
                and not (data.get("location") or "").strip() and not (data.get("latitude") or "").strip())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.finding = self.is_finding(self.data if self.is_bound else None)
        postcode = (self.data if self.is_bound else self.initial or {}).get("lookup_postcode") or ""
        # The postcode is looked up once: the list shown, and when finding, the error `clean` gives.
        self.addresses, self._lookup_error = [], None
        try:
            if postcode.strip() or self.finding:
                self.addresses = services.place_addresses(postcode)
        except ValidationError as error:
            self._lookup_error = error
        count = len(self.addresses)
        self.fields["address"].choices = [("", f"{count} address{'es' if count != 1 else ''} found")] + [
            (address.uprn, str(address)) for address in self.addresses]

    def clean(self):
        cleaned = super().clean()
        if self.finding:
            # A new postcode looked up: the address chosen from the last list is not asked for.
            self._errors.pop("address", None)
        if self.errors:
            return cleaned
        try:
            if self.finding:
                if self._lookup_error is not None:
                    raise self._lookup_error
            else:
                cleaned["place"] = services.report_place_check(
                    location=cleaned.get("location", ""), uprn=cleaned.get("address", ""),
                    latitude=cleaned.get("latitude") or None, longitude=cleaned.get("longitude") or None,
                    lookup_postcode=cleaned.get("lookup_postcode", ""))
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        return cleaned


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
            details = services.contact_details_check(**{name: cleaned.get(name, "") for name in (
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
