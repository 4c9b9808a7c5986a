"""Forms of the shared app: signing in, and a member of staff's own API keys."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from core.directory import local_password_allowed
from core.govuk_forms import GovukForm


class StaffAuthenticationForm(AuthenticationForm, GovukForm):
    """The password form, which says plainly when passwords are switched off for the account
    instead of 'wrong password' (the rule is core.directory.local_password_allowed; the
    authentication backend enforces it for every door)."""

    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account is switched off. Ask an administrator to switch it back on.",
        "local_passwords_off": "Password sign-in is switched off. Use ‘Sign in with your council "
                               "account’.",
    }

    error_names = {"username": "your username", "password": "your password"}  # nosec B105 - words

    def clean(self):
        username = self.cleaned_data.get("username")
        if username and not local_password_allowed(username):
            raise forms.ValidationError(self.error_messages["local_passwords_off"],
                                        code="local_passwords_off")
        return super().clean()


class ApiKeyForm(GovukForm):
    name = forms.CharField(
        label="Name of the key", max_length=200,
        help_text="What the key is for, such as the script that will use it.",
        error_messages={"required": "Enter a name for the key, such as what the script does.",
                        "max_length": "The name must be 200 characters or fewer."},
    )
