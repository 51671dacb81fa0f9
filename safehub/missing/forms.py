"""Forms for missing children. They parse what was typed (dates, UK times, NHS numbers) and ask
for what the service cannot do without; the rules are the services', and
`apply_service_error` puts their errors beside the fields they are about."""

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from safehub.encompass.forms import london_datetime, parse_time
from safehub.meetings.forms import DATE_HINT, TIME_HINT, parse_date
from safehub.missing.models import (
    CmeReason,
    ExploitationType,
    GroundsDecision,
    Indicator,
    InterviewState,
    Reporter,
    RiskGrade,
)
from safehub.partnership.models import Organisation, OrganisationKind
from safehub.people import identifiers

SEX_CHOICES = [("", "Not known"), ("female", "Female"), ("male", "Male")]
INDICATOR_HINT = "Tick any you saw. Each raises the child's exploitation flag, which prompts a strategy discussion."


def _when(form: forms.Form, cleaned: dict[str, Any], date_name: str, time_name: str, target: str) -> None:
    """Combine a date and a UK time into `cleaned[target]`, with errors beside the fields."""
    raw_date, raw_time = cleaned.get(date_name), cleaned.get(time_name)
    if not raw_date or not raw_time:
        return
    try:
        day = parse_date(raw_date)
    except ValidationError as error:
        form.add_error(date_name, error)
        return
    try:
        cleaned[target] = london_datetime(day, parse_time(raw_time))
    except ValidationError as error:
        form.add_error(time_name, error)


def _councils() -> Any:
    return Organisation.objects.open().filter(kind=OrganisationKind.LOCAL_AUTHORITY).order_by("name")


class EpisodeForm(forms.Form):
    police_reference = forms.CharField(
        label="Police reference",
        max_length=60,
        help_text="The force's missing person report number.",
        error_messages={"required": "Enter the force's reference for the missing report."},
    )
    given_names = forms.CharField(label="Child's given names", max_length=150, required=False)
    family_name = forms.CharField(label="Child's family name", max_length=150, required=False)
    date_of_birth = forms.CharField(label="Child's date of birth", max_length=20, required=False, help_text=DATE_HINT)
    nhs_number = forms.CharField(label="NHS number (if known)", max_length=12, required=False)
    postcode = forms.CharField(label="Home postcode (if known)", max_length=10, required=False)
    sex = forms.ChoiceField(label="Sex", choices=SEX_CHOICES, required=False)
    reported_on = forms.CharField(
        label="Date reported missing",
        max_length=20,
        help_text=DATE_HINT,
        error_messages={"required": "Enter the date the child was reported missing."},
    )
    reported_time = forms.CharField(
        label="Time reported",
        max_length=5,
        help_text=TIME_HINT,
        error_messages={"required": "Enter the time the child was reported missing."},
    )
    reported_by = forms.ChoiceField(
        label="Who reported the child missing?",
        choices=Reporter.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who reported the child missing."},
    )
    last_seen_location = forms.CharField(
        label="Where the child was last seen",
        max_length=300,
        error_messages={"required": "Enter where the child was last seen."},
    )
    risk_grade = forms.ChoiceField(
        label="Risk grade",
        choices=RiskGrade.choices,
        widget=forms.RadioSelect,
        help_text="A high-risk episode is sent to the council's missing-children team at once.",
        error_messages={"required": "Choose the risk grade."},
    )
    local_authority = forms.ModelChoiceField(
        label="Council where the child lives or is placed",
        queryset=Organisation.objects.none(),
        empty_label="Choose the council",
        error_messages={"required": "Choose the council where the child lives or is placed."},
    )
    in_care = forms.BooleanField(label="The child is in care", required=False)
    placing_authority = forms.ModelChoiceField(
        label="Placing authority (a child in care placed by another council)",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="The same council",
    )
    circumstances = forms.CharField(label="Circumstances", widget=forms.Textarea, max_length=10000, required=False)
    indicators = forms.MultipleChoiceField(
        label="Signs of exploitation",
        choices=Indicator.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=INDICATOR_HINT,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("local_authority", "placing_authority"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = _councils()

    def clean_nhs_number(self) -> str:
        raw: str = self.cleaned_data["nhs_number"]
        return identifiers.validate_nhs_number(raw) if raw.strip() else ""

    def clean_date_of_birth(self) -> datetime.date | None:
        raw: str = self.cleaned_data["date_of_birth"]
        return parse_date(raw, what="the date of birth") if raw.strip() else None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _when(self, cleaned, "reported_on", "reported_time", "reported_at")
        placing = cleaned.get("placing_authority")
        if placing is not None and placing == cleaned.get("local_authority"):
            cleaned["placing_authority"] = None
        return cleaned


class UpdateForm(forms.Form):
    text = forms.CharField(
        label="Update",
        widget=forms.Textarea,
        max_length=10000,
        help_text="What is known now: sightings, enquiries, contact with the child.",
        error_messages={"required": "Say what has changed."},
    )
    risk_grade = forms.ChoiceField(
        label="Risk grade now", choices=[("", "Unchanged"), *RiskGrade.choices], required=False
    )


class ReturnForm(forms.Form):
    returned_on = forms.CharField(
        label="Date found or returned",
        max_length=20,
        help_text=DATE_HINT,
        error_messages={"required": "Enter the date the child was found or returned."},
    )
    returned_time = forms.CharField(
        label="Time", max_length=5, help_text=TIME_HINT, error_messages={"required": "Enter the time, like 22:40."}
    )
    found_location = forms.CharField(
        label="Where found or returned to",
        max_length=300,
        error_messages={"required": "Enter where the child was found or returned to."},
    )
    found_postcode = forms.CharField(
        label="Postcode where found (if known)",
        max_length=10,
        required=False,
        help_text="Two returns from the same postcode raise the exploitation flag.",
    )
    found_by = forms.CharField(
        label="Found by, or returned to",
        max_length=150,
        error_messages={"required": "Say who found the child or who they returned to."},
    )
    where_had_been = forms.CharField(label="Where the child had been", widget=forms.Textarea, required=False)
    with_whom = forms.CharField(label="With whom", widget=forms.Textarea, required=False)
    harm = forms.CharField(label="Harm, if known", widget=forms.Textarea, required=False)
    indicators = forms.MultipleChoiceField(
        label="Signs of exploitation",
        choices=Indicator.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=INDICATOR_HINT,
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _when(self, cleaned, "returned_on", "returned_time", "returned_at")
        return cleaned


class InterviewForm(forms.Form):
    state = forms.ChoiceField(
        label="Where has the interview got to?",
        choices=[(v, label) for v, label in InterviewState.choices if v != InterviewState.REFERRED],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose where the interview has got to."},
    )
    on = forms.CharField(
        label="Date", max_length=20, help_text=DATE_HINT, error_messages={"required": "Enter the date."}
    )
    at = forms.CharField(
        label="Time", max_length=5, help_text=TIME_HINT, error_messages={"required": "Enter the time, like 14:30."}
    )
    push_factors = forms.CharField(label="Push factors (why the child left)", widget=forms.Textarea, required=False)
    pull_factors = forms.CharField(label="Pull factors (what drew them away)", widget=forms.Textarea, required=False)
    where_and_with_whom = forms.CharField(label="Where and with whom", widget=forms.Textarea, required=False)
    child_wants = forms.CharField(label="What the child wants to happen", widget=forms.Textarea, required=False)
    indicators = forms.MultipleChoiceField(
        label="Signs of exploitation",
        choices=Indicator.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=INDICATOR_HINT,
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _when(self, cleaned, "on", "at", "moment")
        return cleaned


class PhilomenaOpenForm(forms.Form):
    purpose = forms.CharField(
        label="Why are you opening it?",
        widget=forms.Textarea,
        max_length=1000,
        help_text="The search it is for, in a sentence. The council's privacy officer can see every opening.",
        error_messages={"required": "Say why you are opening it."},
    )


class PhilomenaForm(forms.Form):
    description = forms.CharField(
        label="Description",
        widget=forms.Textarea,
        help_text="Height, build, hair, marks, usual clothes.",
        error_messages={"required": "Describe the child as the police would need to find them."},
    )
    photo_reference = forms.CharField(
        label="Where the current photograph is kept",
        max_length=200,
        required=False,
        help_text="For example, the carer's copy and the placement file. Never sent in a notification.",
    )
    associates = forms.CharField(label="Associates", widget=forms.Textarea, required=False)
    places = forms.CharField(label="Places the child goes", widget=forms.Textarea, required=False)
    health_needs = forms.CharField(label="Health needs and medication", widget=forms.Textarea, required=False)


class NrmForm(forms.Form):
    referred_on = forms.CharField(
        label="Date referred", max_length=20, help_text=DATE_HINT, error_messages={"required": "Enter the date."}
    )
    exploitation_type = forms.ChoiceField(
        label="Type of exploitation",
        choices=ExploitationType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the type of exploitation."},
    )

    def clean_referred_on(self) -> datetime.date:
        return parse_date(self.cleaned_data["referred_on"], what="the date")


class NrmDecisionForm(forms.Form):
    stage = forms.ChoiceField(
        label="Decision",
        choices=[("reasonable", "Reasonable grounds"), ("conclusive", "Conclusive grounds")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose reasonable or conclusive grounds."},
    )
    decision = forms.ChoiceField(
        label="Outcome",
        choices=[c for c in GroundsDecision.choices if c[0]],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose positive or negative."},
    )
    decided_on = forms.CharField(
        label="Date of the decision", max_length=20, help_text=DATE_HINT, error_messages={"required": "Enter the date."}
    )

    def clean_decided_on(self) -> datetime.date:
        return parse_date(self.cleaned_data["decided_on"], what="the date")


class MissingEducationForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why is the child missing education?",
        choices=CmeReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose why the child is missing education."},
    )
    since = forms.CharField(
        label="Since",
        max_length=20,
        help_text="The first day of absence, or the day the child left the roll. " + DATE_HINT,
        error_messages={"required": "Enter the date."},
    )

    def clean_since(self) -> datetime.date:
        return parse_date(self.cleaned_data["since"], what="the date")


class ResolveEducationForm(forms.Form):
    resolution = forms.CharField(
        label="Where is the child in education now?",
        widget=forms.Textarea,
        error_messages={"required": "Say where the child is now in education."},
    )
