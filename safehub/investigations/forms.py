"""The forms of the investigation pages. Rules live in the services; these parse input."""

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from safehub.investigations.models import ClosureOutcome, OffenceCategory
from safehub.partnership.models import User

REFERENCE = re.compile(r"^P?-?0*(\d{1,9})$", re.IGNORECASE)
REASON_HINT = "A sentence or more: it is kept with your name."


def parse_references(raw: str) -> list[int]:
    """Person references (P-0001234), one per line or separated by commas."""
    ids = []
    for part in re.split(r"[\s,;]+", raw.strip()):
        if not part:
            continue
        match = REFERENCE.match(part)
        if not match:
            raise ValidationError(f"{part} is not a person's reference: use the form P-0001234.")
        ids.append(int(match.group(1)))
    return ids


def _text(label: str, *, required: bool = True, help_text: str = REASON_HINT, message: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10000,
        required=required,
        help_text=help_text,
        error_messages={"required": message or f"Enter {label[0].lower() + label[1:]}."},
    )


class OpenInvestigationForm(forms.Form):
    crime_reference = forms.CharField(
        label="Crime reference", max_length=40, error_messages={"required": "Enter the crime reference."}
    )
    offence_category = forms.ChoiceField(
        label="Offence category",
        choices=OffenceCategory.choices,
        widget=forms.RadioSelect,
        help_text="It sets the checklist of investigative opportunities.",
        error_messages={"required": "Choose the offence category."},
    )
    victims = forms.CharField(
        label="Children who are victims",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Their SafeHub references, like P-0001234, one per line.",
        error_messages={"required": "Enter the reference of at least one child."},
    )
    suspects = forms.CharField(
        label="Suspects", widget=forms.Textarea(attrs={"rows": 2}), required=False, help_text="References, if known."
    )
    witnesses = forms.CharField(
        label="Witnesses", widget=forms.Textarea(attrs={"rows": 2}), required=False, help_text="References, if known."
    )
    allocated_officer = forms.ModelChoiceField(
        label="Investigating officer", queryset=User.objects.none(), empty_label=None
    )
    supervising_officer = forms.ModelChoiceField(
        label="Supervising officer", queryset=User.objects.none(), empty_label=None
    )

    def __init__(self, *args: Any, officers: QuerySet[User], supervisors: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in (("allocated_officer", officers), ("supervising_officer", supervisors)):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = queryset

    def clean_victims(self) -> list[int]:
        return parse_references(self.cleaned_data["victims"])

    def clean_suspects(self) -> list[int]:
        return parse_references(self.cleaned_data["suspects"])

    def clean_witnesses(self) -> list[int]:
        return parse_references(self.cleaned_data["witnesses"])


class SettleOpportunityForm(forms.Form):
    result = forms.ChoiceField(
        label="What happened to this opportunity?",
        choices=[("done", "Done"), ("not_applicable", "Not applicable")],
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether it was done or does not apply."},
    )
    outcome = _text("What was done and found", required=False, help_text="If done: when, by whom and the result.")
    reason = _text("Why it does not apply", required=False, help_text="If not applicable: " + REASON_HINT)


class AddOpportunityForm(forms.Form):
    title = forms.CharField(label="Opportunity", max_length=200, error_messages={"required": "Name the opportunity."})
    description = _text("Details", required=False, help_text="What to do, and why.")


class NoteForm(forms.Form):
    text = _text("Action taken", help_text="What was done, by whom and when.", message="Write what was done.")


class ReviewForm(forms.Form):
    rationale = _text("Supervisory review", message="Write the review: progress, direction and next steps.")


class ProposeClosureForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=ClosureOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the outcome."},
    )
    rationale = _text("Rationale", message="Give the rationale for closing.")


class SignOffForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[("sign_off", "Sign the closure off"), ("refuse", "Do not sign it off: the investigation goes on")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to sign the closure off."},
    )
    sign_off_rationale = _text("Your rationale", message="Give your rationale.")


class ChallengeForm(forms.Form):
    reasons = _text(
        "Why the council challenges the closure",
        help_text="The opportunities you think were missed and the risk to the child. A sentence or more.",
        message="Give the reasons for the challenge.",
    )


class ResolveChallengeForm(forms.Form):
    decision = forms.ChoiceField(
        label="How the disagreement ends at this stage",
        choices=[
            ("escalate", "Not resolved: escalate to the next stage"),
            ("reopen", "Reopen the investigation with the missed opportunities"),
            ("confirm", "Confirm the closure"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how it ends at this stage."},
    )
    resolution = _text("What was agreed, and why", message="Record what was agreed and why.")
    missed = forms.CharField(
        label="The missed opportunities",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="If reopening: one per line. They are added to the investigation to explore.",
    )

    def clean_missed(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["missed"].splitlines() if line.strip()]
