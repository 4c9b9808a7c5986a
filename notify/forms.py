from datetime import date

from django import forms
from django.utils import timezone

from core.govuk_forms import GovukForm
from core.models import Service

MONTHS_OFFERED = 36


def _months(today: date) -> list[date]:
    months, year, month = [], today.year, today.month
    for _ in range(MONTHS_OFFERED):
        months.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months


class EffectFilterForm(GovukForm):
    """Which months and service the effect report covers: whole months, the last 12 by default."""

    date_from = forms.ChoiceField(label="From", error_messages={
        "invalid_choice": "Select a month from the list.", "required": "Select the first month."})
    date_to = forms.ChoiceField(label="To", error_messages={
        "invalid_choice": "Select a month from the list.", "required": "Select the last month."})
    service = forms.ModelChoiceField(
        queryset=Service.objects.order_by("name", "pk"), required=False, empty_label="All services",
        error_messages={"invalid_choice": "Select a service from the list."})

    def __init__(self, data=None, today: date | None = None):
        today = today or timezone.localdate()
        months = _months(today)
        choices = [(month.isoformat(), f"{month:%B %Y}") for month in months]
        if data is None or not data:
            data = {"date_from": months[11].isoformat(), "date_to": months[0].isoformat()}
        super().__init__(data)
        self.fields["date_from"].choices = choices
        self.fields["date_to"].choices = choices

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to"):
            data["date_from"] = date.fromisoformat(data["date_from"])
            first_of_last = date.fromisoformat(data["date_to"])
            next_month = (date(first_of_last.year + 1, 1, 1) if first_of_last.month == 12
                          else date(first_of_last.year, first_of_last.month + 1, 1))
            data["date_to"] = date.fromordinal(next_month.toordinal() - 1)
            if data["date_from"] > data["date_to"]:
                self.add_error("date_to", "The last month must be the same as or after the first month.")
        return data
