"""Template tags for GOV.UK patterns that need more than a template can work out."""

from django import template

register = template.Library()

_LABELS = (("day", "Day", "govuk-input--width-2"), ("month", "Month", "govuk-input--width-2"),
           ("year", "Year", "govuk-input--width-4"))


@register.inclusion_tag("includes/date_input.html")
def govuk_date_input(field, hide_optional=False, legend_classes="govuk-fieldset__legend--s"):
    """The GOV.UK date input for a bound `core.govuk_forms.GovukDateField`: the day box carries
    the id the error summary links to (<id>_day)."""
    value = field.value()
    if not isinstance(value, (list, tuple)):
        value = field.field.widget.decompress(value)
    parts = ["" if part is None else str(part) for part in value]
    optional = not field.field.required and not hide_optional
    example = f"For example, {field.field.example}"
    hint = " ".join(text for text in (str(field.help_text or ""), example) if text)
    return {
        "field": field, "name": field.auto_id or field.html_name, "hint": hint,
        "legend": f"{field.label}{' (optional)' if optional else ''}", "legend_classes": legend_classes,
        "boxes": [{"id": f"{field.auto_id}_{part}", "name": f"{field.html_name}_{part}", "label": label,
                   "width": width, "value": text}
                  for (part, label, width), text in zip(_LABELS, parts, strict=True)],
    }
