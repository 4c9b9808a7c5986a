"""The forms of the contact-taking pages. They turn what was typed and ticked into the arguments of
`intake.services.contact_log` and show its errors; the rules are `intake.rules`'s, so a form never
decides a hand-off, an NI14 answer or first-contact resolution itself."""

from django import forms

from complaints.models import Process
from core.govuk_forms import GovukForm
from core.models import AvoidableReason, ChannelCode, HandoffMethod, Service, Site
from intake import rules
from intake.services import ComplaintAsked

NOT_CHASING = "none"


class _ContactForm(GovukForm):
    """What both desks ask. `catalogue`: the services with their active enquiry types
    (`core.selectors.services_with_enquiry_types`); `open_enquiries`: the caller's unresolved
    hand-offs inside the repeat window (`handoffs.selectors.open_enquiries`)."""

    channel = forms.ChoiceField(choices=ChannelCode.choices, widget=forms.RadioSelect,
                                error_messages={"required": "Select the channel."})
    enquiry_type = forms.ChoiceField(label="What is it about?", required=False, error_messages={
        "invalid_choice": "Select what the contact is about."})
    summary = forms.CharField(
        widget=forms.Textarea, max_length=rules.SUMMARY_MAX_LENGTH, label="Summary",
        help_text="What the customer asked and what you did.",
        error_messages={"required": "Enter a summary of the contact.",
                        "max_length": f"The summary must be {rules.SUMMARY_MAX_LENGTH} characters or "
                                      "fewer."})
    resolved_at_first_contact = forms.BooleanField(
        required=False, initial=True, label="Resolved at first contact",
        help_text="Untick if the query was not resolved on this contact. A contact handed off, or "
                  "one that raises a complaint, is not.")
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
        required=False, max_length=rules.OVERRIDE_REASON_MAX_LENGTH, label="Why a different hand-off?")
    chasing = forms.ChoiceField(required=False, widget=forms.RadioSelect,
                                label="Is this contact chasing one of these?")
    complaint = forms.BooleanField(required=False, label="The customer wants to complain")
    complaint_process = forms.ChoiceField(
        required=False, widget=forms.RadioSelect, label="Which complaints process?",
        choices=[(Process.CORPORATE, "Corporate: about a council service"),
                 (Process.STATUTORY, "Statutory: about Social Care and Health (adults' or "
                                     "children's social care)")])
    complaint_service = forms.ModelChoiceField(
        queryset=Service.objects.none(), required=False, to_field_name="code",
        label="Which service is the complaint about?", empty_label="The service of this contact")
    complaint_summary = forms.CharField(
        required=False, widget=forms.Textarea, label="What is the complaint about?",
        help_text="In the customer's words: what went wrong and what they want done.")

    channel_choices = ChannelCode.choices

    def __init__(self, *args, catalogue, open_enquiries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.catalogue = catalogue
        self.fields["channel"].choices = self.channel_choices
        self.enquiry_types = {str(et.pk): et for service in catalogue
                              for et in service.active_enquiry_types}
        services = {service.pk: service for service in catalogue}
        for et in self.enquiry_types.values():
            et.service = services[et.service_id]
        self.fields["enquiry_type"].choices = [("", "Select what it is about")] + [
            (service.name, [(str(et.pk), et.name) for et in service.active_enquiry_types])
            for service in catalogue if service.active_enquiry_types
        ]
        self.fields["avoidable_reason"].queryset = AvoidableReason.objects.filter(
            is_active=True).order_by("name", "pk")
        # Materialised once: a template looping over a queryset's choices counts it first.
        self.fields["avoidable_reason"].choices = list(iter(self.fields["avoidable_reason"].choices))
        self._services_from_catalogue("complaint_service", "The service of this contact")
        # Suggest, never pre-set (DOMAIN.md): the open enquiries are listed and the question is
        # asked with no answer chosen.
        self.open_enquiries = list(open_enquiries)
        self.fields["chasing"].choices = [
            *[(str(h.pk), f"Yes: {(h.contact.enquiry_type or h.contact.service).name}, with "
                          f"{h.team.name}, received {h.contact.received_at:%d %B}")
              for h in self.open_enquiries],
            (NOT_CHASING, "No, it is about something else"),
        ]
        self.fields["chasing"].required = bool(self.open_enquiries)
        self.fields["chasing"].help_text = (
            "A contact chasing an open enquiry is logged as One & Done and avoidable (progress "
            "chasing): the hand-off already open covers the work.")
        self.fields["chasing"].error_messages["required"] = (
            "Say whether this contact chases one of the open enquiries.")

    def _services_from_catalogue(self, name: str, empty_label: str) -> None:
        """A service select whose choices come from the catalogue already read (no query to
        show it; one to check the answer)."""
        self.fields[name].queryset = Service.objects.filter(is_active=True)
        self.fields[name].choices = [("", empty_label),
                                     *[(service.code, service.name) for service in self.catalogue]]

    def grouped_enquiry_types(self):
        """[(service, [(value, enquiry type, selected)])] for the <optgroup> select."""
        current = str(self["enquiry_type"].value() or "")
        return [(service, [(str(et.pk), et, str(et.pk) == current)
                           for et in service.active_enquiry_types])
                for service in self.catalogue if service.active_enquiry_types]

    def clean_enquiry_type(self):
        return self.enquiry_types.get(self.cleaned_data["enquiry_type"])

    def clean_chasing(self):
        value = self.cleaned_data.get("chasing") or NOT_CHASING
        return None if value == NOT_CHASING else int(value)

    def clean(self):
        data = super().clean()
        if not data.get("avoidable"):
            # The reason select is hidden while the box is unticked: ignore what it still holds.
            data["avoidable_reason"] = None
        if not data.get("complaint"):
            for name in ("complaint_process", "complaint_service", "complaint_summary"):
                data[name] = None
        if data.get("enquiry_type") is None and self.service_of(data) is None \
                and "enquiry_type" not in self.errors:
            self.add_error("enquiry_type", "Select what the contact is about.")
        return data

    def service_of(self, data):
        """The contact's service: the enquiry type's, else (a complaint alone) the complaint's."""
        if data.get("enquiry_type") is not None:
            return data["enquiry_type"].service
        return data.get("complaint_service") if data.get("complaint") else None

    def contact_fields(self) -> dict:
        """The arguments of `intake.services.contact_log` from this form."""
        data = self.cleaned_data
        complaint = None
        if data["complaint"]:
            complaint = ComplaintAsked(process=data["complaint_process"] or "",
                                       summary=data["complaint_summary"] or "",
                                       service=data["complaint_service"])
        return {
            "channel": data["channel"],
            "service": self.service_of(data),
            "enquiry_type": data["enquiry_type"],
            "summary": data["summary"],
            "avoidable": data["avoidable"],
            "avoidable_reason": data["avoidable_reason"],
            "resolved_at_first_contact": data["resolved_at_first_contact"],
            "handoff_method": data["handoff_method"] or None,
            "handoff_override_reason": data["handoff_override_reason"],
            "chasing": data["chasing"],
            "complaint": complaint,
        }


class FrontOfficeContactForm(_ContactForm):
    """The adviser's screen: the channel and the site the adviser works at."""

    site = forms.ModelChoiceField(queryset=Site.objects.none(), required=False, to_field_name="code",
                                  label="Site", empty_label="Not recorded")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = Site.objects.filter(is_active=True).order_by("name", "pk")
        self.fields["site"].choices = list(iter(self.fields["site"].choices))

    def contact_fields(self) -> dict:
        return {**super().contact_fields(), "site": self.cleaned_data.get("site")}


class TeamContactForm(_ContactForm):
    """A back-office officer's screen for public contact that reached their team directly: the
    ways it reaches a team, the team (when they are in several) and its service, which is where
    the page starts; the site is the team's, recorded without asking."""

    channel_choices = [(ChannelCode.TELEPHONE, "Phone"), (ChannelCode.EMAIL, "Email"),
                       (ChannelCode.LETTER, "Letter"), (ChannelCode.FACE_TO_FACE, "Visit")]
    team = forms.ChoiceField(label="Which team took it?", widget=forms.RadioSelect,
                             error_messages={"required": "Select the team that took the contact."})
    service = forms.ModelChoiceField(
        queryset=Service.objects.none(), to_field_name="code", label="Which service is it about?",
        empty_label="Select a service",
        error_messages={"required": "Select the service the contact is about.",
                        "invalid_choice": "Select the service the contact is about."})

    field_order = ["team", "channel", "service", "enquiry_type"]

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.teams = {str(team.pk): team for team in teams}
        self.fields["team"].choices = [(str(team.pk), team.name) for team in teams]
        self._services_from_catalogue("service", "Select a service")
        self.fields["enquiry_type"].label = "What is it about? (optional)"

    def clean_team(self):
        return self.teams[self.cleaned_data["team"]]

    def service_of(self, data):
        return data.get("service")

    def contact_fields(self) -> dict:
        team = self.cleaned_data["team"]
        return {**super().contact_fields(), "site": team.site}
