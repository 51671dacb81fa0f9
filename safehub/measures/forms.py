"""The form the business manager records a commitment with. It parses what was typed (dates,
a month, the targets); the rules are the service's, whose errors go beside their fields."""

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from safehub.hub.measures import PeriodError, parse_month
from safehub.measures import definitions
from safehub.meetings.forms import DATE_HINT, parse_date
from safehub.partnership.models import HEALTH_KINDS, Organisation, OrganisationKind

TARGET_ROWS = 3
PARTNER_KINDS = [OrganisationKind.LOCAL_AUTHORITY, OrganisationKind.POLICE_FORCE, *HEALTH_KINDS]


def target_choices() -> list[tuple[str, str]]:
    """Each measure for each agency it is kept for, as "key:agency"."""
    choices = [("", "Choose a measure")]
    for measure in definitions.MEASURES:
        for agency in measure.agency_values:
            choices.append((f"{measure.key}:{agency}", f"{measure.agency_label(agency)}: {measure.title}"))
    return choices


class CommitmentForm(forms.Form):
    wording = forms.CharField(
        label="The commitment, as it was made",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Enter the commitment as it was made."},
    )
    made_by = forms.ModelChoiceField(
        label="Made by",
        queryset=Organisation.objects.none(),
        empty_label="Choose the agency",
        error_messages={"required": "Choose the agency that made the commitment."},
    )
    made_on = forms.CharField(label="Made on", max_length=20, help_text=DATE_HINT)
    made_where = forms.CharField(
        label="Where it is recorded", max_length=200, help_text="For example, Board minutes, 12 May 2026, item 4."
    )
    applies_from = forms.CharField(
        label="Applies from (month)", max_length=7, help_text="A year and month, for example 2026-03."
    )
    review_on = forms.CharField(label="Review on", max_length=20, help_text=DATE_HINT)
    local_authority = forms.ModelChoiceField(
        label="Council (optional)",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="The whole partnership",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        partners = Organisation.objects.filter(kind__in=PARTNER_KINDS).order_by("kind", "name")
        self.fields["made_by"].queryset = partners  # type: ignore[attr-defined]
        self.fields["local_authority"].queryset = partners.filter(  # type: ignore[attr-defined]
            kind=OrganisationKind.LOCAL_AUTHORITY
        )
        choices = target_choices()
        for row in range(1, TARGET_ROWS + 1):
            first = row == 1
            self.fields[f"target_{row}"] = forms.ChoiceField(
                label=f"Target {row}: measure" + ("" if first else " (optional)"),
                choices=choices,
                required=first,
                error_messages={"required": "Choose the measure the commitment is about."},
            )
            self.fields[f"percent_{row}"] = forms.IntegerField(
                label=f"Target {row}: at least (%)",
                min_value=1,
                max_value=100,
                required=False,
                error_messages={
                    "invalid": "Enter the target as a whole percentage from 1 to 100.",
                    "min_value": "Enter the target as a whole percentage from 1 to 100.",
                    "max_value": "Enter the target as a whole percentage from 1 to 100.",
                },
            )

    def _date(self, name: str, what: str) -> datetime.date | None:
        raw = self.cleaned_data.get(name, "")
        try:
            return parse_date(raw, what=what) if raw else None
        except ValidationError as error:
            self.add_error(name, error)
            return None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name, what in (("made_on", "the day it was made"), ("review_on", "the review date")):
            if name in cleaned:
                day = self._date(name, what)
                if day is None and name not in self.errors:
                    self.add_error(name, f"Enter {what}.")
                cleaned[name] = day
        if "applies_from" in cleaned:
            try:
                cleaned["applies_from"] = parse_month(cleaned["applies_from"], "month it applies from")
            except PeriodError as error:
                self.add_error("applies_from", str(error))
        targets = []
        for row in range(1, TARGET_ROWS + 1):
            chosen, percent = cleaned.get(f"target_{row}"), cleaned.get(f"percent_{row}")
            if not chosen:
                continue
            if percent is None:
                if f"percent_{row}" not in self.errors:
                    self.add_error(f"percent_{row}", "Enter the share the measure must reach.")
                continue
            key, _, agency = chosen.partition(":")
            targets.append((key, agency, percent))
        cleaned["targets"] = targets
        return cleaned
