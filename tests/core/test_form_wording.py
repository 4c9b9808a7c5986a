"""Every form of the project speaks the GOV.UK Design System's words (issue 20, item 5): a walk over
every form class with empty, oversized and nonsense input fails on any message Django words itself
("This field is required.", "Ensure this value has at most 10 characters (it has 14)."). A new form
without a row in FORM_ARGUMENTS fails the walk, so none is left out."""

import importlib
import inspect
import re
from collections import defaultdict
from datetime import date

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.core import validators
from django.test import RequestFactory

from core.govuk_forms import GovukDateField, GovukForm, GovukMessagesMixin, field_error_name

PROJECT_APPS = [name for name in settings.INSTALLED_APPS if "." not in name]


def project_form_classes() -> list[type]:
    for app in PROJECT_APPS:
        try:
            importlib.import_module(f"{app}.forms")
        except ModuleNotFoundError:
            continue
    found, todo = set(), [forms.BaseForm]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            todo.append(sub)
            if sub.__module__.split(".")[0] in PROJECT_APPS and not sub.__name__.startswith("_") \
                    and sub.__module__ != "core.govuk_forms":
                found.add(sub)
    return sorted(found, key=lambda cls: (cls.__module__, cls.__name__))


def _officers():
    return get_user_model().objects.all()


# What each form needs to be made: keyword arguments (a callable, called inside the test).
FORM_ARGUMENTS = {
    "complaints.forms.RegisterFilterForm": dict,
    "complaints.forms.ComplaintForm": dict,
    "complaints.forms.AllocateForm": dict,
    "complaints.forms.InterimResponseForm": dict,
    "complaints.forms.ExtendForm": dict,
    "complaints.forms.RespondForm": lambda: {"owners": _officers()},
    "complaints.forms.EscalateForm": dict,
    "complaints.forms.ReferForm": dict,
    "complaints.forms.ConfirmForm": dict,
    "complaints.forms.LetterForm": dict,
    "complaints.forms.OmbudsmanDecisionForm": dict,
    "complaints.forms.ReviewPanelForm": dict,
    "complaints.forms.LearningActionForm": lambda: {"owners": _officers()},
    "complaints.forms.LearningActionFilterForm": dict,
    "complaints.admin.LetterTemplateForm": dict,
    "core.admin.RetentionRuleForm": dict,
    "people.forms.ReassignForm": lambda: {"officers": _officers()},
    "contacts.admin.SamplingPeriodForm": dict,
    "contacts.forms.SearchForm": dict,
    "contacts.forms.CustomerForm": dict,
    "contacts.forms.AddressLookupForm": dict,
    "contacts.forms.RectificationForm": dict,
    "core.admin.MessageTemplateForm": dict,
    "notify.forms.EffectFilterForm": dict,
    "core.forms.StaffAuthenticationForm": lambda: {"request": RequestFactory().post("/sign-in/")},
    "core.forms.ApiKeyForm": dict,
    "handoffs.forms.QueueFilterForm": dict,
    "handoffs.forms.UpdateForm": dict,
    "handoffs.forms.ReassignForm": lambda: {"officers": _officers()},
    "handoffs.forms.SearchForm": dict,
    "handoffs.forms.BulkAssignForm": lambda: {"officers": _officers()},
    "complaints.forms.BulkAllocateForm": lambda: {"officers": _officers()},
    "handoffs.forms.ResolveForm": dict,
    "insight.forms.SurveyForm": dict,
    "insight.forms.PeriodForm": dict,
    "insight.forms.JourneyFilterForm": dict,
    "insight.forms.CustomerSearchForm": dict,
    "insight.forms.LifeEventForm": dict,
    "intake.forms.FrontOfficeContactForm": lambda: {"catalogue": []},
    "intake.forms.TeamContactForm": lambda: {"catalogue": [], "teams": []},
    "planning.forms.PlanningForm": dict,
    "reporting.forms.ReportFilterForm": dict,
    "reporting.forms.WhatIfForm": dict,
    "selfservice.forms.QuestionForm": dict,
    "selfservice.forms.KindForm": dict,
    "selfservice.forms.OfferForm": lambda: {"kind": "problem"},
    "selfservice.forms.ComplaintServiceForm": dict,
    "selfservice.forms.DetailsForm": dict,
    "selfservice.forms.LocationForm": dict,
    "selfservice.forms.NameForm": dict,
    "selfservice.forms.ContactDetailsForm": dict,
    "selfservice.forms.PhotosForm": dict,
    "selfservice.forms.SubmitForm": dict,
    "selfservice.forms.ProgressForm": dict,
}


def _django_default_patterns() -> list[re.Pattern]:
    """Every message Django words itself: the fields' defaults, the validators', the sign-in form's."""
    messages = ["This field is required."]
    for module in (forms.fields, forms.models):
        for _, cls in inspect.getmembers(module, inspect.isclass):
            messages.extend(getattr(cls, "default_error_messages", {}).values())
    for _, cls in inspect.getmembers(validators, inspect.isclass):
        messages.extend(message for message in [getattr(cls, "message", None)]
                        if message is not None and not isinstance(message, property))
        if isinstance(getattr(cls, "messages", None), dict):
            messages.extend(cls.messages.values())
    messages.extend(auth_forms.AuthenticationForm.error_messages.values())
    patterns = []
    for message in messages:
        text = str(message)
        if not text:  # a plural message (ngettext_lazy): worded with a number, any number matches
            text = re.escape(message % defaultdict(lambda: 2)).replace("2", r"\d+")
            patterns.append(re.compile(text.replace(r"%\(", "%(")))
            continue
        parts = re.split(r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_]*\}", text)
        patterns.append(re.compile(".*".join(re.escape(part) for part in parts)))
    return patterns


DEFAULTS = _django_default_patterns()


def _post_data(form, value_for) -> dict:
    """A value for every input the form reads: the day, month and year boxes of a date too."""
    data = {}
    for name, field in form.fields.items():
        key = form.add_prefix(name)
        if isinstance(field.widget, forms.MultiWidget):
            for suffix in field.widget.widgets_names:
                data[key + suffix] = value_for(field)
        else:
            data[key] = value_for(field)
    return data


INPUTS = {
    "empty": lambda field: "",
    "oversized": lambda field: "9" * 5000 if isinstance(field, (forms.IntegerField, forms.DecimalField,
                                                                 GovukDateField)) else "x" * 5000,
    "nonsense": lambda field: "-1" if isinstance(field, (forms.IntegerField, forms.DecimalField))
    else "not-a-choice",
    "null character": lambda field: "a\x00b",
}


def test_every_project_form_has_a_row_and_speaks_govuk():
    missing = [f"{cls.__module__}.{cls.__name__}" for cls in project_form_classes()
               if f"{cls.__module__}.{cls.__name__}" not in FORM_ARGUMENTS]
    assert not missing, f"Forms the walk does not know how to make: {missing}"
    not_govuk = [name for name in FORM_ARGUMENTS
                 if not issubclass(_form_class(name), GovukMessagesMixin)]
    assert not not_govuk, f"Forms that do not take the shared wording: {not_govuk}"


def _form_class(dotted: str) -> type:
    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name)


@pytest.mark.django_db
@pytest.mark.parametrize("input_kind", list(INPUTS))
@pytest.mark.parametrize("form_name", list(FORM_ARGUMENTS))
def test_no_django_default_message_anywhere(form_name, input_kind):
    cls = _form_class(form_name)
    blank = cls(**FORM_ARGUMENTS[form_name]())
    form = cls(data=_post_data(blank, INPUTS[input_kind]), **FORM_ARGUMENTS[form_name]())
    form.is_valid()
    messages = [str(message) for errors in form.errors.values() for message in errors]
    leaked = [message for message in messages if any(pattern.fullmatch(message) for pattern in DEFAULTS)]
    assert not leaked, f"{form_name} with {input_kind} input shows Django's own words: {leaked}"
    for message in messages:
        assert "%(" not in message and "%%" not in message, message
        assert message[:1].isupper(), message


def test_walk_would_catch_a_django_default():
    class Plain(forms.Form):
        name = forms.CharField(max_length=3)

    form = Plain(data={"name": "toolong"})
    form.is_valid()
    assert any(pattern.fullmatch(form.errors["name"][0]) for pattern in DEFAULTS)


class _Example(GovukForm):
    first_name = forms.CharField(max_length=10, label="First name")
    uprn = forms.CharField(max_length=12, label="UPRN")
    count = forms.IntegerField(min_value=1, max_value=5, label="Number of bins")
    service = forms.ChoiceField(choices=[("a", "A")], label="Service")
    email = forms.EmailField(label="Email address", required=False)
    own = forms.CharField(label="Own", error_messages={"required": "Tell us your own words."})
    dob = GovukDateField(label="Date of birth", required=False)


@pytest.mark.parametrize(("data", "field", "message"), [
    ({}, "first_name", "Enter first name."),
    ({"first_name": "x" * 11}, "first_name", "First name must be 10 characters or less."),
    ({"uprn": "1" * 13}, "uprn", "UPRN must be 12 characters or less."),
    ({"count": "two"}, "count", "Number of bins must be a whole number."),
    ({"count": "0"}, "count", "Number of bins must be 1 or more."),
    ({"count": "6"}, "count", "Number of bins must be 5 or less."),
    ({}, "service", "Select service."),
    ({"service": "b"}, "service", "Select service from the list."),
    ({"email": "jane@"}, "email", "Enter an email address in the correct format, like name@example.com."),
    ({}, "own", "Tell us your own words."),
    ({"dob_day": "31", "dob_month": "2", "dob_year": "1980"}, "dob", "Date of birth must be a real date."),
    ({"dob_day": "3", "dob_year": "1980"}, "dob", "Date of birth must include a month."),
    ({"dob_year": "1980"}, "dob", "Date of birth must include a day and month."),
    ({"dob_day": "3", "dob_month": "4", "dob_year": "80"}, "dob", "Year must include 4 numbers."),
    ({"dob_day": "a", "dob_month": "4", "dob_year": "1980"}, "dob", "Date of birth must be a real date."),
])
def test_design_system_wording(data, field, message):
    form = _Example(data=data)
    assert not form.is_valid()
    assert form.errors[field] == [message]


def test_date_field_reads_boxes_and_an_iso_link():
    assert _Example(data={"dob_day": "27", "dob_month": "3", "dob_year": "1980"}).fields["dob"].clean(
        ["27", "3", "1980"]) == date(1980, 3, 27)
    form = _Example(data={"first_name": "A", "uprn": "1", "count": "1", "service": "a", "own": "x",
                          "dob": "1980-03-27"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["dob"] == date(1980, 3, 27)


@pytest.mark.parametrize(("label", "name"), [
    ("Address line 1", "address line 1"), ("UPRN", "UPRN"), ("NI14 reason", "NI14 reason"),
    ("Shrinkage (%)", "shrinkage"), ("Email address", "email address"), (None, "first_name"),
])
def test_error_name_from_label(label, name):
    expected = name.replace("_", " ")
    assert field_error_name(label, name if label is None else "x") == expected


def test_every_installed_project_app_is_walked():
    # an app added later with a forms module is found by the discovery above
    assert {cls.__module__.split(".")[0] for cls in project_form_classes()} <= {
        app.label for app in apps.get_app_configs()} | set(PROJECT_APPS)


@pytest.mark.django_db
@pytest.mark.parametrize(("files", "message"), [
    ("text", "The selected file must be a JPG, PNG or WebP."),
    ("empty", "The selected file is empty."),
    ("oversized", "The selected file must be smaller than 10MB."),
])
def test_the_photo_upload_speaks_the_file_upload_components_words(files, message):
    """The walk above posts no files; the photos question (issue 20) is walked with them here."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils.datastructures import MultiValueDict

    from selfservice.forms import PhotosForm

    content = {"text": b"plain text", "empty": b"", "oversized": b"x" * (10 * 1024 * 1024 + 1)}[files]
    form = PhotosForm(data={}, files=MultiValueDict({"photos": [SimpleUploadedFile("a.jpg", content)]}))
    assert not form.is_valid()
    assert form.errors["photos"] == [message]
    assert not any(pattern.fullmatch(message) for pattern in DEFAULTS)
