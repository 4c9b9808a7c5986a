"""Template tags for GOV.UK patterns that need more than a template can work out."""

import html

from django import template
from django.forms.models import ModelChoiceIterator
from django.utils.safestring import SafeString, mark_safe

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


def _select_options(field) -> list[tuple[object, object, bool]]:
    """A bound select's options as (value, label, selected), read in one pass: the field's value
    is worked out once, not once an option, and a model choice field's query runs once (looping
    over `field.field.choices` in a template counted the rows first, then read them through a
    server-side cursor: three more round trips a select; issue 20)."""
    value = field.value()
    current = "" if value is None else str(value)
    choices = field.field.choices
    if isinstance(choices, ModelChoiceIterator):
        # The rows read as one list (the iterator would open a server-side cursor for them).
        empty = [("", choices.field.empty_label)] if choices.field.empty_label is not None else []
        choices = empty + [choices.choice(instance) for instance in choices.queryset]
    return [(option, label, str(option) == current) for option, label in choices]


@register.filter
def select_options(field) -> SafeString:
    """`{{ field|select_options }}`: a bound select's `<option>` elements, the chosen one marked.
    Drawn here rather than in a template loop: an officer select lists every member of staff who
    may own a complaint, thousands in a council, and a template loop cost about 30 microseconds
    an option (100 ms on the complaints register with 3,000 staff; issue 20)."""
    options = "".join(
        f'<option value="{_escape(option)}"{" selected" if selected else ""}>{_escape(label)}</option>'
        for option, label, selected in _select_options(field))
    # Built of fixed markup and escaped values and labels only (tested with markup in both).
    return mark_safe(options)  # noqa: S308  # nosec B308 B703


def _escape(text) -> str:
    """`conditional_escape` without its lazy-string wrapper (a tenth of the option's cost)."""
    return text.__html__() if hasattr(text, "__html__") else html.escape(str(text))
