"""Forms of the contacts pages: plain forms, since each submission calls a service that does
more than save a row. Business rules live in the services; these check what the page asks."""

from datetime import date

from django import forms

from contacts.services import SUMMARY_MAX_LENGTH
from core.models import AvoidableReason, ChannelCode, HandoffMethod, Site


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

    DETAIL_FIELDS = ("first_name", "last_name", "address_line_1", "address_line_2", "town",
                     "postcode", "uprn", "phone", "email", "preferred_channel",
                     "accessibility_needs", "is_vulnerable", "vulnerability_notes", "consent_notes")

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


class ContactLogForm(forms.Form):
    """The contact part of the adviser screen. `catalogue` is the services with their active
    enquiry types (`core.selectors.services_with_enquiry_types`); `repeat_candidates` the
    caller's open enquiries within the repeat window."""

    NOT_A_REPEAT = "none"

    channel = forms.ChoiceField(choices=ChannelCode.choices, widget=forms.RadioSelect,
                                initial=ChannelCode.TELEPHONE,
                                error_messages={"required": "Select the channel."})
    enquiry_type = forms.ChoiceField(label="What is it about?", error_messages={
        "required": "Select what the contact is about.",
        "invalid_choice": "Select what the contact is about."})
    summary = forms.CharField(
        widget=forms.Textarea, max_length=SUMMARY_MAX_LENGTH, label="Summary",
        help_text="What the customer asked and what you did.",
        error_messages={"required": "Enter a summary of the contact.",
                        "max_length": f"The summary must be {SUMMARY_MAX_LENGTH} characters or fewer."})
    resolved_at_first_contact = forms.BooleanField(
        required=False, initial=True, label="Resolved at first contact",
        help_text="Untick if the query was not resolved on this contact.")
    avoidable = forms.BooleanField(required=False, label="Avoidable contact (NI14)",
                                   help_text="Contact of little or no value to the customer, caused "
                                             "by a failure to do something or to do it right.")
    avoidable_reason = forms.ModelChoiceField(
        queryset=AvoidableReason.objects.none(), required=False, to_field_name="code",
        label="Why was it avoidable?", empty_label="Select a reason")
    handoff_method = forms.ChoiceField(
        required=False, label="Hand-off",
        choices=[("", "As the enquiry type says"), *HandoffMethod.choices])
    handoff_override_reason = forms.CharField(
        required=False, max_length=500, label="Why a different hand-off?")
    site = forms.ModelChoiceField(queryset=Site.objects.none(), required=False, to_field_name="code",
                                  label="Site", empty_label="Not recorded")
    repeat_of = forms.ChoiceField(required=False, widget=forms.RadioSelect,
                                  label="Is this contact chasing one of these?")

    def __init__(self, *args, catalogue, repeat_candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.enquiry_types = {str(et.pk): et for service in catalogue
                              for et in service.active_enquiry_types}
        for et in self.enquiry_types.values():
            et.service = next(s for s in catalogue if s.pk == et.service_id)
        self.catalogue = catalogue
        self.fields["enquiry_type"].choices = [("", "Select what it is about")] + [
            (service.name, [(str(et.pk), et.name) for et in service.active_enquiry_types])
            for service in catalogue if service.active_enquiry_types
        ]
        self.fields["avoidable_reason"].queryset = AvoidableReason.objects.filter(
            is_active=True).order_by("name", "pk")
        self.fields["site"].queryset = Site.objects.filter(is_active=True).order_by("name", "pk")
        # Materialised once: a template looping over a queryset's choices counts it first.
        for name in ("avoidable_reason", "site"):
            self.fields[name].choices = list(iter(self.fields[name].choices))
        self.repeat_candidates = {str(c.pk): c for c in repeat_candidates}
        self.fields["repeat_of"].choices = [
            *[(str(c.pk), f"Yes: {c.enquiry_type or c.service}, {c.received_at:%d %B}")
              for c in repeat_candidates],
            (self.NOT_A_REPEAT, "No, it is about something else"),
        ]
        self.fields["repeat_of"].required = bool(self.repeat_candidates)
        self.fields["repeat_of"].help_text = (
            "A contact chasing an open enquiry is logged as One & Done: the earlier hand-off "
            "already covers the work.")
        self.fields["repeat_of"].error_messages["required"] = (
            "Say whether this contact chases an open enquiry.")

    def grouped_enquiry_types(self):
        """[(service, [(value, enquiry type, selected)])] for the <optgroup> select."""
        current = str(self["enquiry_type"].value() or "")
        return [(service, [(str(et.pk), et, str(et.pk) == current)
                           for et in service.active_enquiry_types])
                for service in self.catalogue if service.active_enquiry_types]

    def clean_enquiry_type(self):
        return self.enquiry_types[self.cleaned_data["enquiry_type"]]

    def clean_repeat_of(self):
        value = self.cleaned_data.get("repeat_of") or self.NOT_A_REPEAT
        return None if value == self.NOT_A_REPEAT else self.repeat_candidates.get(value)

    def clean(self):
        data = super().clean()
        enquiry_type = data.get("enquiry_type")
        if data.get("avoidable") and not data.get("avoidable_reason"):
            self.add_error("avoidable_reason", "Select why the contact was avoidable.")
        if not data.get("avoidable"):
            # The reason select is hidden while the box is unticked: ignore what it still holds.
            data["avoidable_reason"] = None
        if enquiry_type is None:
            return data
        repeat_of = data.get("repeat_of")
        method = data.get("handoff_method") or enquiry_type.handoff_method
        if (repeat_of is not None and not data.get("handoff_method")
                and method != HandoffMethod.ONE_AND_DONE):
            # A contact chasing an open enquiry is answered now: the earlier hand-off covers the
            # work, so no second one is opened unless the adviser asks for it.
            method = HandoffMethod.ONE_AND_DONE
            data["handoff_override_reason"] = (
                f"Chases contact {repeat_of.pk}, already with the back office.")
        data["handoff_method"] = method
        if method != enquiry_type.handoff_method:
            if not (data.get("handoff_override_reason") or "").strip():
                self.add_error("handoff_override_reason",
                               f"Say why this contact needs {HandoffMethod(method).label} rather "
                               f"than {enquiry_type.get_handoff_method_display()}.")
            if method != HandoffMethod.ONE_AND_DONE and enquiry_type.team_id is None:
                self.add_error("handoff_method", f"{enquiry_type.name} has no back-office team to "
                                                 "hand off to: choose One & Done.")
        else:
            data["handoff_override_reason"] = ""
        if repeat_of is not None and repeat_of.service_id != enquiry_type.service_id:
            self.add_error("repeat_of", f"The earlier enquiry is about {repeat_of.service.name}: "
                                        "choose an enquiry type of that service, or No.")
        return data

    def contact_fields(self) -> dict:
        """The arguments of `contact_log` / `contact_create` from this form."""
        data = self.cleaned_data
        enquiry_type = data["enquiry_type"]
        method = data["handoff_method"]
        return {
            "channel": data["channel"],
            "service": enquiry_type.service,
            "enquiry_type": enquiry_type,
            "summary": data["summary"],
            "site": data.get("site"),
            "avoidable": data["avoidable"],
            "avoidable_reason": data["avoidable_reason"],
            # A contact handed off was, by definition, not resolved at first contact.
            "resolved_at_first_contact": (data["resolved_at_first_contact"]
                                          if method == HandoffMethod.ONE_AND_DONE else False),
            "handoff_method": method,
            "handoff_override_reason": data["handoff_override_reason"].strip(),
            "repeat_of": data.get("repeat_of"),
        }
