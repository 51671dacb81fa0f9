"""Forms for DBS local checks. They parse what was typed (dates) and offer the choices; the
rules are the services', and `apply_service_error` puts their errors beside their fields."""

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from safehub.dbs.models import Decision, Workforce
from safehub.meetings.forms import DATE_HINT, parse_date
from safehub.partnership.models import User


def _date(form: forms.Form, name: str) -> datetime.date | None:
    raw = form.cleaned_data.get(name, "")
    if not raw:
        return None
    try:
        return parse_date(raw)
    except ValidationError as error:
        form.add_error(name, error)
        return None


class CheckForm(forms.Form):
    dbs_reference = forms.CharField(
        label="DBS reference",
        max_length=20,
        help_text="The application reference on DBS's request, such as E0012345678.",
        error_messages={"required": "Enter DBS's reference for the application."},
    )
    given_names = forms.CharField(label="Applicant's given names", max_length=150, required=False)
    family_name = forms.CharField(label="Applicant's family name", max_length=150, required=False)
    other_names = forms.CharField(label="Other or previous names (if any)", max_length=300, required=False)
    date_of_birth = forms.CharField(
        label="Applicant's date of birth", max_length=20, required=False, help_text=DATE_HINT
    )
    postcode = forms.CharField(label="Current postcode", max_length=10, required=False)
    workforce = forms.ChoiceField(
        label="Workforce",
        choices=Workforce.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the workforce."},
    )
    role_applied_for = forms.CharField(
        label="Role applied for",
        max_length=200,
        error_messages={"required": "Enter the role applied for, as DBS gives it."},
    )
    received_on = forms.CharField(
        label="Received from DBS on",
        max_length=20,
        help_text=DATE_HINT + " Both clocks count from this day.",
        error_messages={"required": "Enter the day DBS sent the check."},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned["date_of_birth"] = _date(self, "date_of_birth")
        cleaned["received_on"] = _date(self, "received_on")
        return cleaned


class AllocateForm(forms.Form):
    to = forms.ModelChoiceField(
        label="Allocate to",
        queryset=User.objects.none(),
        empty_label="Choose an officer",
        error_messages={"required": "Choose the officer to allocate it to."},
    )

    def __init__(self, *args: Any, officers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = officers
        field.label_from_instance = lambda user: user.get_full_name() or user.username  # type: ignore[method-assign,assignment]


class SearchForm(forms.Form):
    records_found = forms.TypedChoiceField(
        label="Did the search of the force's systems find anything about the applicant?",
        choices=[("no", "Nothing found: fast-track the return"), ("yes", "Records found: assess them")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the search found anything."},
    )
    summary = forms.CharField(
        label="What was found",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The records, with their dates: for the assessment. Leave blank if nothing was found.",
    )


class AssessmentForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the decision."},
    )
    relevance = forms.CharField(
        label="The relevance test",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Why the information is, or is not, relevant to the workforce and the role, and proportionate "
        "to disclose: its seriousness, its age, and its bearing on the role.",
        error_messages={"required": "Write the relevance test."},
    )
    disclosure_text = forms.CharField(
        label="Information to disclose (for a disclosure)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="As it will read on the certificate: facts, dates, sources.",
    )
    representations_invited_on = forms.CharField(
        label="Applicant invited to make representations on (for a disclosure)",
        max_length=20,
        required=False,
        help_text=DATE_HINT,
    )
    representations = forms.CharField(
        label="The applicant's representations, or why they were not invited",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned["representations_invited_on"] = _date(self, "representations_invited_on")
        return cleaned


class ReviewForm(forms.Form):
    approved = forms.TypedChoiceField(
        label="Your quality review",
        choices=[("yes", "Approve the disclosure"), ("no", "Send it back for reassessment")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Approve the disclosure or send it back."},
    )
    rationale = forms.CharField(
        label="Your reasons",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Give the reason for the review's outcome."},
    )
