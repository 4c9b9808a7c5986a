"""The planning page's inputs: the service, the staffing targets and the what-if (issue 22)."""

from decimal import Decimal

from django import forms
from django.conf import settings

from core.govuk_forms import GovukForm
from core.models import AvoidableReason, Service
from planning.staffing import Targets, WhatIf


def _whole(label: str, low: int, high: int, initial: int, unit: str = "%", name: str = "",
           **kwargs) -> forms.IntegerField:
    """A whole-number field whose label ends with its unit, e.g. "Shrinkage (%)"; `name` is what
    its error message calls it (the label without the unit by default)."""
    bounds = f"{low}% to {high}%" if unit == "%" else f"{low} to {high:,} {unit}"
    message = f"{name or label.rsplit(' (', 1)[0]} must be a whole number from {bounds}."
    # Django %-formats the messages that carry the limit: a per cent sign there is written twice.
    limit = message.replace("%", "%%")
    return forms.IntegerField(
        label=label, min_value=low, max_value=high, initial=initial, required=False,
        error_messages={"invalid": message, "min_value": limit, "max_value": limit}, **kwargs)


class PlanningForm(GovukForm):
    """GET parameters, all optional: what is left out takes its default (the initial value)."""

    service = forms.ModelChoiceField(
        queryset=Service.objects.none(), required=False, to_field_name="code", empty_label="All services",
        label="Service", error_messages={"invalid_choice": "Select a service from the list."})
    telephone_service_level = _whole("Calls answered in time (%)", 1, 99, 80,
                                     help_text="The share of calls to answer within the time below.")
    telephone_answer_seconds = _whole("Time to answer a call (seconds)", 1, 3600, 20, "seconds")
    counter_service_level = _whole("Visitors seen in time (%)", 1, 99, 80,
                                   help_text="The share of visitors to see within the time below.")
    counter_wait_minutes = _whole("Time a visitor waits (minutes)", 1, 240, 10, "minutes")
    max_occupancy = _whole("Maximum occupancy (%)", 50, 100, 85,
                           help_text="The most of their time advisers should be busy with customers.")
    shrinkage = _whole("Shrinkage (%)", 0, 80, 30,
                       help_text="Paid time not available: breaks, training, meetings, leave, sickness.")
    shift_to_web = _whole("Telephone and face-to-face contacts moved to the web (%)", 0, 100, 0,
                          name="The share moved to the web")
    reason = forms.ModelChoiceField(
        queryset=AvoidableReason.objects.none(), required=False, to_field_name="code",
        empty_label="None", label="Avoidable contact (NI14) reason to cut",
        error_messages={"invalid_choice": "Select an NI14 reason from the list."})
    reason_reduction = _whole("Cut that reason's contacts by (%)", 0, 100, 50, name="The cut",
                              help_text="50% halves them.")
    hour_cost = forms.DecimalField(
        label="Cost of an adviser hour (£)", min_value=Decimal("0"), max_value=Decimal("1000"), max_digits=7,
        decimal_places=2, required=False, help_text="Pay and on-costs.",
        error_messages={key: "The cost of an adviser hour must be an amount from £0 to £1,000, like 18.50."
                        for key in ("invalid", "min_value", "max_value", "max_digits", "max_decimal_places",
                                    "max_whole_digits")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.filter(is_active=True).order_by("name", "pk")
        self.fields["reason"].queryset = AvoidableReason.objects.filter(is_active=True).order_by("name", "pk")
        cost = Decimal(str(settings.PLANNING_STAFF_HOUR_COST))
        self.fields["hour_cost"].initial = cost.quantize(Decimal("0.01"))

    @classmethod
    def for_query(cls, query) -> "PlanningForm":
        """The form bound to the query string, each field left out taking its default (so that
        the inputs show the figures the plan uses); unbound when there is no query."""
        if not query:
            return cls()
        form = cls()
        data = {name: form.fields[name].initial for name in form.fields
                if form.fields[name].initial is not None}
        data.update({name: query.get(name) for name in form.fields if name in query})
        return cls(data)

    def value(self, name: str):
        """The field's cleaned value, or its default when left out or the form is not valid."""
        cleaned = getattr(self, "cleaned_data", {}) if self.is_bound and self.is_valid() else {}
        value = cleaned.get(name)
        return self.fields[name].initial if value is None else value

    def targets(self) -> dict[str, Targets]:
        occupancy, shrinkage = self.value("max_occupancy") / 100, self.value("shrinkage") / 100
        return {
            "telephone": Targets(self.value("telephone_service_level") / 100,
                                 self.value("telephone_answer_seconds"), occupancy, shrinkage),
            "face_to_face": Targets(self.value("counter_service_level") / 100,
                                    self.value("counter_wait_minutes") * 60, occupancy, shrinkage),
        }

    def what_if(self) -> WhatIf:
        reason = self.value("reason")
        return WhatIf(shift_to_web=self.value("shift_to_web") / 100, reason=reason.code if reason else None,
                      reason_reduction=self.value("reason_reduction") / 100 if reason else 0.0)
