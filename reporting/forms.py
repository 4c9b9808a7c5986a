from django import forms

from contacts.models import SamplingPeriod
from core.govuk_forms import GovukDateField, GovukForm
from core.models import ChannelCode, Service, Site
from reporting import selectors


class ReportFilterForm(GovukForm):
    date_from = GovukDateField(label="From", required=False)
    date_to = GovukDateField(label="To", required=False)
    service = forms.ModelChoiceField(queryset=Service.objects.order_by("name"), required=False,
                                     to_field_name="code", empty_label="All services")
    channel = forms.ChoiceField(choices=[("", "All channels"), *ChannelCode.choices], required=False)
    site = forms.ModelChoiceField(queryset=Site.objects.order_by("name"), required=False,
                                  to_field_name="code", empty_label="All sites")
    sampling_period = forms.ModelChoiceField(
        queryset=SamplingPeriod.objects.order_by("-start_date", "pk"), required=False,
        label="NI14 sampling period", empty_label="Not a sampling period",
        help_text="Its days replace the dates above.")

    error_names = {"date_from": "the start date", "date_to": "the end date"}

    def __init__(self, *args, fields=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if fields is not None and name not in fields:
                del self.fields[name]

    def read_choices(self) -> None:
        """Read each select's choices in one query, before the page shows them: a template
        looping over a queryset's choices counts them first."""
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField):
                field.choices = list(iter(field.choices))

    def clean(self):
        data = super().clean()
        start, end = selectors.default_period()
        period = data.get("sampling_period")
        if period is not None:
            # A sampling period's figures are those of its days: its contacts are stamped with it
            # (contacts.services.sampling_period_save) and periods do not overlap.
            data["date_from"], data["date_to"] = period.start_date, period.end_date
        data["date_from"] = data.get("date_from") or start
        data["date_to"] = data.get("date_to") or end
        if data["date_from"] > data["date_to"]:
            self.add_error("date_from", "The start must be on or before the end.")
        return data

    def filters(self) -> selectors.Filters:
        data = self.cleaned_data if self.is_valid() else self.initial_filters()
        return selectors.Filters(date_from=data["date_from"], date_to=data["date_to"],
                                 service=data.get("service"), channel=data.get("channel") or None,
                                 site=data.get("site"), sampling_period=data.get("sampling_period"))

    @staticmethod
    def initial_filters() -> dict:
        start, end = selectors.default_period()
        return {"date_from": start, "date_to": end}

    def query(self) -> dict:
        """The filters as GET parameters, for links that keep them."""
        f = self.filters()
        params = {"date_from": f.date_from.isoformat(), "date_to": f.date_to.isoformat()}
        if f.service:
            params["service"] = f.service.code
        if f.channel:
            params["channel"] = f.channel
        if f.site:
            params["site"] = f.site.code
        if f.sampling_period:
            params["sampling_period"] = f.sampling_period.pk
        return params


class WhatIfForm(GovukForm):
    shift = forms.IntegerField(
        label="Share of face-to-face and telephone contacts moved to web (%)", min_value=0,
        max_value=100, required=False, initial=20)
    error_names = {"shift": "the share moved to web"}

    def percent(self) -> int:
        if self.is_valid() and self.cleaned_data.get("shift") is not None:
            return self.cleaned_data["shift"]
        return 20
