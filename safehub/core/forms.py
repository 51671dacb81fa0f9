"""Forms for signing in: the password, then the second factor."""

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError


class SignInForm(AuthenticationForm):
    """Django's sign-in, with messages a practitioner understands and no hint of which
    part was wrong (that would tell an attacker which usernames exist).

    `throttle_message`, when given, refuses the attempt before the password is checked.
    """

    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account has been disabled. Contact your SafeHub administrator.",
    }

    def __init__(self, *args: Any, throttle_message: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.throttle_message = throttle_message
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "spellcheck": "false"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})

    def clean(self) -> dict[str, Any]:
        if self.throttle_message:
            raise ValidationError(self.throttle_message, code="throttled")
        return super().clean()


class AuthenticatorCodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        help_text="The 6-digit code your authenticator app shows for SafeHub.",
        error_messages={"required": "Enter the 6-digit code from your authenticator app."},
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not code.isdigit() or len(code) != 6:
            raise ValidationError("The code must be 6 digits, like 123456.", code="format")
        return code


class RecoveryCodeForm(forms.Form):
    code = forms.CharField(
        label="Recovery code",
        help_text="One of the 10 codes you saved when you set up your authenticator app, like abcde-23456.",
        error_messages={"required": "Enter one of your recovery codes."},
    )

    def clean_code(self) -> str:
        code = "".join(ch for ch in self.cleaned_data["code"].lower() if ch.isalnum())
        if len(code) != 10:
            raise ValidationError("A recovery code has 10 letters and numbers, like abcde-23456.", code="format")
        return code
