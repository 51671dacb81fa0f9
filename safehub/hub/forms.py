"""Forms of the hub's pages. The contact journey's forms come first, one per page."""

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from safehub.hub.models import Consent, FamilyAwareness, LawfulBasis, SubjectRole
from safehub.hub.services.contacts import CONSENT_NOT_GIVEN
from safehub.people import identifiers
from safehub.people.forms import parse_date_of_birth

SIGNIFICANT_HARM_HINT = (
    "You do not need consent to share information where a child is or may be at risk of significant harm. "
    "If so, choose 'A child is or may be at risk of significant harm': that is recorded as the basis for sharing. "
    "Consent can be the basis only when it was given."
)


def parse_due_date(raw: str) -> datetime.date:
    parts = [p for p in raw.replace("/", " ").replace("-", " ").replace(".", " ").split() if p]
    if len(parts) == 3 and len(parts[0]) == 4:
        parts = [parts[2], parts[1], parts[0]]
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise ValidationError("Enter the expected due date as day, month and year, like 14 8 2026.")
    day, month, year = (int(p) for p in parts)
    try:
        return datetime.date(year, month, day)
    except ValueError as error:
        raise ValidationError("Enter a real due date: check the day and month.") from error


class ContactSubjectForm(forms.Form):
    """One person the concern is about. Children have a date of birth, unborn children a due date."""

    given_names = forms.CharField(label="First names", required=False, max_length=150)
    family_name = forms.CharField(label="Last name", required=False, max_length=150)
    date_of_birth = forms.CharField(
        label="Date of birth",
        required=False,
        max_length=20,
        help_text="For example, 27 3 2015. Leave blank if unknown.",
    )
    expected_due_date = forms.CharField(
        label="Expected due date", required=False, max_length=20, help_text="For example, 14 8 2026."
    )
    nhs_number = forms.CharField(
        label="NHS number", required=False, max_length=20, help_text="10 digits, like 999 123 4564, if you know it."
    )
    upn = forms.CharField(
        label="Unique pupil number (UPN)", required=False, max_length=20, help_text="13 characters, if you know it."
    )
    postcode = forms.CharField(label="Postcode", required=False, max_length=10)

    def __init__(self, *args: Any, role: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.role = role
        if role == SubjectRole.UNBORN:
            for name in ("date_of_birth", "upn"):
                del self.fields[name]
            self.fields["given_names"].help_text = "Leave blank if the baby has no name yet."
            self.fields["family_name"].help_text = "The family name the baby is expected to have, if known."
        else:
            del self.fields["expected_due_date"]
        if role == SubjectRole.ADULT:
            del self.fields["upn"]
        for name in ("given_names", "family_name", "nhs_number", "upn", "postcode"):
            if name in self.fields:
                self.fields[name].widget.attrs.update({"spellcheck": "false", "autocomplete": "off"})

    def clean_date_of_birth(self) -> str:
        raw = self.cleaned_data["date_of_birth"].strip()
        return parse_date_of_birth(raw).isoformat() if raw else ""

    def clean_expected_due_date(self) -> str:
        raw = self.cleaned_data["expected_due_date"].strip()
        return parse_due_date(raw).isoformat() if raw else ""

    def clean_nhs_number(self) -> str:
        raw = self.cleaned_data["nhs_number"].strip()
        return identifiers.validate_nhs_number(raw) if raw else ""

    def clean_upn(self) -> str:
        raw = self.cleaned_data["upn"].strip()
        return identifiers.validate_upn(raw) if raw else ""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.role != SubjectRole.UNBORN and not (cleaned.get("given_names") or cleaned.get("family_name")):
            self.add_error("given_names", "Enter their first or last name, or the part you know.")
        if (
            self.role == SubjectRole.UNBORN
            and "expected_due_date" not in self.errors
            and not cleaned.get("expected_due_date")
        ):
            self.add_error("expected_due_date", "Enter the expected due date, or your best estimate.")
        if self.role == SubjectRole.CHILD and cleaned.get("date_of_birth"):
            born = datetime.date.fromisoformat(cleaned["date_of_birth"])
            if (timezone.localdate() - born).days > 366 * 19:
                self.add_error("date_of_birth", "This person is over 18: add them as an adult in the household.")
        return cleaned


class ContactMatchForm(forms.Form):
    """Link the person to one of the candidate records, create a new record, or leave it to the hub."""

    CREATE = "new"
    LEAVE = "leave"

    choice = forms.ChoiceField(
        label="Is this one of these people?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a record, a new record, or leave it for the hub to match."},
    )

    def __init__(self, *args: Any, candidates: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice = self.fields["choice"]
        assert isinstance(choice, forms.ChoiceField)
        choice.choices = [
            *candidates,
            (self.CREATE, "None of these: create a new record"),
            (self.LEAVE, "Not sure: leave it for the hub to match"),
        ]


class ContactWhatHappenedForm(forms.Form):
    what_happened = forms.CharField(
        label="What happened?",
        widget=forms.Textarea,
        max_length=10000,
        help_text=(
            "What you saw or were told, when, and by whom. Say what worries you about the child's safety, "
            "and anything already done to keep them safe."
        ),
        error_messages={"required": "Describe what happened and why you are worried."},
    )


class ContactReferrerForm(forms.Form):
    referrer_name = forms.CharField(label="Your name", max_length=200, error_messages={"required": "Enter your name."})
    referrer_role = forms.CharField(
        label="Your role", max_length=200, required=False, help_text="For example, Designated safeguarding lead."
    )
    referrer_contact = forms.CharField(
        label="Phone or email to reply to",
        max_length=200,
        help_text="The hub uses this to ask you questions and tell you the outcome.",
        error_messages={"required": "Enter a phone number or email address the hub can reach you on."},
    )


class ContactFamilyForm(forms.Form):
    family_awareness = forms.ChoiceField(
        label="Does the family know you are contacting the Children's Hub?",
        choices=FamilyAwareness.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the family knows about this contact."},
    )


class ContactConsentForm(forms.Form):
    consent = forms.ChoiceField(
        label="Did the family consent to you sharing this information?",
        choices=Consent.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether consent was given, refused or not sought."},
    )
    lawful_basis = forms.ChoiceField(
        label="What is the lawful basis for sharing?",
        choices=LawfulBasis.choices,
        widget=forms.RadioSelect,
        help_text=SIGNIFICANT_HARM_HINT,
        error_messages={"required": "Choose the lawful basis for sharing this information."},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("lawful_basis") == LawfulBasis.CONSENT and cleaned.get("consent") != Consent.GIVEN:
            self.add_error("lawful_basis", CONSENT_NOT_GIVEN)
        return cleaned
