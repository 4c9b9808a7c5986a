"""The one place where form errors get their words (issue 20, item 5).

Every form of the project derives from `GovukForm`. After the fields are made it gives each field
the GOV.UK Design System's wording for every error Django would otherwise word itself ("This field
is required.", "Ensure this value has at most 10 characters (it has 14)."): "Enter ...",
"Select ...", "... must be 200 characters or less", "... must be a whole number". A message a form
writes for its own field wins; a field whose label does not say what it is in a sentence gets a
name in the form's `error_names`.

`GovukDateField` is the GOV.UK date input pattern (day, month and year boxes), with the Design
System's date messages; `includes/field.html` shows it as that pattern.
Wording: https://design-system.service.gov.uk/components/error-message/ and .../date-input/.
"""

import re
from datetime import date

from django import forms
from django.core.exceptions import ValidationError

EMAIL_FORMAT = "Enter an email address in the correct format, like name@example.com."
_PARTS = ("day", "month", "year")


def _percent_safe(text: str) -> str:
    # Django %-formats the messages that carry a limit; a per cent sign in a name is written twice.
    return text.replace("%", "%%")


def field_error_name(label: str | None, field_name: str) -> str:
    """What the messages call a field: its label without a trailing "(optional)" or "(%)", with a
    small first letter unless it is an abbreviation (UPRN, NI14)."""
    text = str(label) if label else field_name.replace("_", " ")
    text = re.sub(r"\s*\([^)]*\)\s*$", "", text).strip().rstrip(":")
    first = text.split(" ", 1)[0]
    if first.isupper() or any(ch.isdigit() for ch in first):
        return text
    return text[:1].lower() + text[1:]


def _sentence(name: str) -> str:
    return name[:1].upper() + name[1:]


def govuk_messages(field: forms.Field, name: str) -> dict[str, str]:
    """The Design System's messages for one field, keyed by Django's error codes."""
    subject = _percent_safe(_sentence(name))
    name = _percent_safe(name)
    if isinstance(field, GovukDateField):
        return {"required": f"Enter {name}.",
                "incomplete": f"{subject} must include a %(missing)s.",
                "invalid": f"{subject} must be a real date.",
                "year": "Year must include 4 numbers."}
    choosing = isinstance(field, (forms.ChoiceField, forms.ModelChoiceField, forms.BooleanField))
    messages = {
        "required": f"Select {name}." if choosing else f"Enter {name}.",
        "max_length": f"{subject} must be %(limit_value)s characters or less.",
        "min_length": f"{subject} must be %(limit_value)s characters or more.",
        "null_characters_not_allowed": f"{subject} must not contain null characters.",
        "invalid_choice": f"Select {name} from the list.",  # nosec B608 - words, not SQL
        "invalid_list": f"Select {name} from the list.",  # nosec B608 - words, not SQL
        "invalid_pk_value": f"Select {name} from the list.",  # nosec B608 - words, not SQL
        "min_value": f"{subject} must be %(limit_value)s or more.",
        "max_value": f"{subject} must be %(limit_value)s or less.",
        "step_size": f"{subject} must be a multiple of %(limit_value)s.",
        "max_digits": f"{subject} must be a number with %(max)s digits or fewer.",
        "max_decimal_places": f"{subject} must have %(max)s decimal places or fewer.",
        "max_whole_digits": f"{subject} must have %(max)s digits or fewer before the decimal point.",
    }
    if isinstance(field, forms.EmailField):
        messages["invalid"] = EMAIL_FORMAT
    elif isinstance(field, forms.IntegerField):
        messages["invalid"] = f"{subject} must be a whole number."
    elif isinstance(field, (forms.DecimalField, forms.FloatField)):
        messages["invalid"] = f"{subject} must be a number."
    elif isinstance(field, forms.URLField):
        messages["invalid"] = "Enter a web address in the correct format, like https://www.example.com."
    elif isinstance(field, forms.DateTimeField):
        messages["invalid"] = f"{subject} must be a real date and time."
    elif isinstance(field, forms.DateField):
        messages["invalid"] = f"{subject} must be a real date."
    elif isinstance(field, forms.FileField):
        messages.update({"required": f"Select {name}.", "missing": f"Select {name}.",
                         "invalid": f"Select {name}.", "empty": "The selected file is empty.",
                         "contradiction": f"Select {name}, or leave it out, not both.",
                         "max_length": "The name of the selected file must be %(max)s characters or less.",
                         "invalid_image": "The selected file must be a JPG, PNG or HEIC image."})
    else:
        messages["invalid"] = f"Enter {name} in the correct format."
    return messages


def _django_defaults(field: forms.Field) -> dict:
    defaults = {}
    for cls in reversed(type(field).__mro__):
        defaults.update(getattr(cls, "default_error_messages", {}))
    return defaults


def apply_govuk_messages(field: forms.Field, name: str) -> None:
    """Gives the field the Design System's wording for every message it still has from Django."""
    defaults = _django_defaults(field)
    for code, message in govuk_messages(field, name).items():
        current = field.error_messages.get(code)
        if current is None or current == defaults.get(code):
            field.error_messages[code] = message
    if isinstance(field, forms.ModelChoiceField):
        # Django checks a model choice for null characters itself, with its own words.
        field.validate_no_null_characters = _null_check(field.error_messages["null_characters_not_allowed"])


def _null_check(message: str):
    def validate_no_null_characters(value):
        if "\x00" in str(value):
            raise ValidationError(message, code="null_characters_not_allowed")
    return validate_no_null_characters


class GovukMessagesMixin:
    """Gives every field of a form (a model form too) the Design System's words."""

    # field name -> what the messages call it, where the label is a question or says it badly
    error_names: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            apply_govuk_messages(field, self.error_names.get(name) or field_error_name(field.label, name))


class GovukForm(GovukMessagesMixin, forms.Form):
    """A form whose every error is in the Design System's words (see the module docstring)."""


# --- The date input pattern --------------------------------------------------------------------


class GovukDateWidget(forms.MultiWidget):
    """Three boxes named <name>_day, <name>_month and <name>_year. A link may still carry the
    date as one ISO value (?date_from=2026-04-01); that is read into the three boxes."""

    govuk_date = True  # includes/field.html shows the GOV.UK date input for it

    def __init__(self, attrs=None):
        super().__init__({part: forms.TextInput for part in _PARTS}, attrs)

    def decompress(self, value):
        if isinstance(value, str):
            try:
                value = date.fromisoformat(value)
            except ValueError:
                return [value, value, value]
        if isinstance(value, date):
            return [str(value.day), str(value.month), str(value.year)]
        return ["", "", ""]

    def value_from_datadict(self, data, files, name):
        parts = super().value_from_datadict(data, files, name)
        if not any(parts) and data.get(name):
            return self.decompress(data.get(name))
        return parts

    def value_omitted_from_data(self, data, files, name):
        return name not in data and super().value_omitted_from_data(data, files, name)


class GovukDateField(forms.Field):
    """A date in three boxes; `example` is the hint's example date. Rules about the date itself
    (not in the future, ...) are the services'."""

    widget = GovukDateWidget
    default_error_messages = {  # replaced by the form's wording (govuk_messages)
        "incomplete": "The date must include a %(missing)s.",
        "year": "Year must include 4 numbers.",
    }

    def __init__(self, *, example: str = "27 3 2026", **kwargs):
        self.example = example
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return self.widget.decompress(value) if isinstance(value, (date, str)) else value

    def to_python(self, value):
        if isinstance(value, date):
            return value
        if not value:
            return None
        parts = [str(part if part is not None else "").strip() for part in value]
        if not any(parts):
            return None
        missing = [part for part, text in zip(_PARTS, parts, strict=True) if not text]
        if missing:
            raise ValidationError(self.error_messages["incomplete"], code="incomplete",
                                  params={"missing": " and ".join(missing)})
        if not all(text.isdigit() and len(text) <= 4 for text in parts):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if len(parts[2]) != 4:
            raise ValidationError(self.error_messages["year"], code="year")
        day, month, year = (int(text) for text in parts)
        try:
            value = date(year, month, day)
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if year < 1900:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return value

    def has_changed(self, initial, data):
        try:
            return self.to_python(data) != initial
        except ValidationError:
            return True
