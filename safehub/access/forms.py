"""Forms for emergency access (break-glass) and the privacy officer's reviews."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from safehub.access.models import MINIMUM_REASON_LENGTH, ReviewOutcome
from safehub.core import throttling
from safehub.core.models import SignInAttempt
from safehub.partnership.models import User
from safehub.people.forms import PersonSearchForm

Stage = SignInAttempt.Stage

WRONG_PASSWORD_MESSAGE = "The password is not right. Enter the password you use to sign in to SafeHub."  # noqa: S105
SHORT_REASON_MESSAGE = (
    f"Give a reason of at least {MINIMUM_REASON_LENGTH} characters: say why you need this record now "
    "and why it cannot wait for a colleague who already has access."
)


class BreakGlassForm(PersonSearchForm):
    """Why the user needs a record outside their scope, their password again, and whom they are looking for."""

    reason = forms.CharField(
        label="Why do you need emergency access?",
        help_text=(
            f"At least {MINIMUM_REASON_LENGTH} characters. The privacy officer reads every reason. "
            "Do not name the child here: use the search below."
        ),
        widget=forms.Textarea,
        max_length=1000,
        error_messages={"required": SHORT_REASON_MESSAGE},
    )
    password = forms.CharField(
        label="Your SafeHub password",
        help_text="Enter it again to confirm it is you.",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        strip=False,
        error_messages={"required": "Enter your password to confirm it is you."},
    )

    field_order = ["reason", "password", "name", "date_of_birth", "identifier", "postcode"]

    def __init__(self, *args: Any, user: User, ip_address: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.password_refused = False
        self.password_checked = False
        # Wrong passwords here are throttled like sign-in, so a stolen session cannot guess.
        self.wait = throttling.retry_after(stage=Stage.EMERGENCY, username=user.get_username(), ip_address=ip_address)

    def clean_reason(self) -> str:
        reason: str = self.cleaned_data["reason"].strip()
        if len(reason) < MINIMUM_REASON_LENGTH:
            raise ValidationError(SHORT_REASON_MESSAGE)
        return reason

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if self.wait is not None:
            raise ValidationError(throttling.message(self.wait))
        self.password_checked = True
        if not self.user.check_password(password):
            self.password_refused = True
            raise ValidationError(WRONG_PASSWORD_MESSAGE)
        return ""  # never kept beyond the check


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Was the emergency access appropriate?",
        choices=ReviewOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the emergency access was appropriate."},
    )
    review_notes = forms.CharField(
        label="Notes",
        required=False,
        widget=forms.Textarea,
        max_length=2000,
        help_text="Required if the access was inappropriate or needs follow-up: say what and who will act.",
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        outcome = cleaned.get("outcome")
        if outcome and outcome != ReviewOutcome.APPROPRIATE and not cleaned.get("review_notes", "").strip():
            self.add_error("review_notes", "Say what was wrong or what needs following up.")
        return cleaned


class PersonReferenceForm(forms.Form):
    reference = forms.CharField(
        label="Person reference",
        help_text="As shown on the record and in the review queue, like P-0001234.",
        max_length=12,
        error_messages={"required": "Enter a person reference, like P-0001234."},
    )

    def clean_reference(self) -> int:
        raw = self.cleaned_data["reference"].strip().upper().removeprefix("P-").removeprefix("P")
        if not raw.isdigit():
            raise ValidationError("Enter a person reference as P followed by digits, like P-0001234.")
        return int(raw)
