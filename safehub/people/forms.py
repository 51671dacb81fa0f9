import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from safehub.partnership.models import Organisation
from safehub.people.models import EntryCategory, Reach


class PersonSearchForm(forms.Form):
    name = forms.CharField(
        label="Name",
        required=False,
        max_length=200,
        help_text="Any part of their first or last name, or a previous name.",
    )
    date_of_birth = forms.CharField(
        label="Date of birth", required=False, max_length=20, help_text="For example, 27 3 2015 or 27/03/2015."
    )
    identifier = forms.CharField(label="NHS number, UPN or police reference", required=False, max_length=40)
    postcode = forms.CharField(label="Postcode", required=False, max_length=10)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for name in ("name", "identifier", "postcode"):
            self.fields[name].widget.attrs.update({"spellcheck": "false", "autocomplete": "off"})

    def clean_date_of_birth(self) -> datetime.date | None:
        raw = self.cleaned_data["date_of_birth"].strip()
        if not raw:
            return None
        return parse_date_of_birth(raw)

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if not self.errors and not any(cleaned.get(f) for f in ("name", "date_of_birth", "identifier", "postcode")):
            raise ValidationError("Enter a name, date of birth, identifier or postcode to search for.")
        return cleaned


def parse_date_of_birth(raw: str) -> datetime.date:
    parts = [p for p in raw.replace("/", " ").replace("-", " ").replace(".", " ").split() if p]
    if len(parts) == 3 and len(parts[0]) == 4:
        parts = [parts[2], parts[1], parts[0]]
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise ValidationError("Enter a date of birth as day, month and year, like 27 3 2015.")
    day, month, year = (int(p) for p in parts)
    if year < 100:
        raise ValidationError("Enter the year of birth in full, like 2015.")
    try:
        value = datetime.date(year, month, day)
    except ValueError as error:
        raise ValidationError("Enter a real date of birth: check the day and month.") from error
    if value > timezone.localdate():
        raise ValidationError("Date of birth must be today or in the past.")
    return value


class RollFilterForm(forms.Form):
    name = forms.CharField(label="Find a pupil by name", required=False, max_length=200)


# The chronology ---------------------------------------------------------------------------------


class ReachForm(forms.Form):
    """Who may read an entry: the statutory partners, agencies named here, or our agency only."""

    reach = forms.ChoiceField(
        label="Who may read it?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who may read it."},
    )
    agencies = forms.ModelMultipleChoiceField(
        label="The agencies to share it with",
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only if you chose agencies you name. Agencies working with the child.",
    )
    reason = forms.CharField(
        label="Why",
        required=False,
        max_length=5000,
        widget=forms.Textarea,
        help_text="Who needs to know and why, and the lawful basis. Needed to share police intelligence "
        "and for any change; recorded with your name.",
    )

    def __init__(self, *args: Any, agencies: QuerySet[Organisation], own: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reach = self.fields["reach"]
        assert isinstance(reach, forms.ChoiceField)
        reach.choices = [
            (Reach.PARTNERSHIP.value, Reach.PARTNERSHIP.label),
            (Reach.NAMED_AGENCIES.value, Reach.NAMED_AGENCIES.label),
            (Reach.OWN_AGENCY.value, f"{own} only"),
        ]
        field = self.fields["agencies"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = agencies

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("reach") == Reach.NAMED_AGENCIES and not cleaned.get("agencies"):
            self.add_error("agencies", "Choose the agencies to share it with.")
        return cleaned


class ChronologyEntryForm(ReachForm):
    category = forms.ChoiceField(
        label="What happened",
        error_messages={"required": "Choose what kind of event this is."},
    )
    date = forms.CharField(
        label="Date", max_length=20, help_text="For example, 27 3 2026.", error_messages={"required": "Enter the date."}
    )
    time = forms.CharField(
        label="Time",
        max_length=10,
        help_text="Use the 24-hour clock, for example 14:30.",
        error_messages={"required": "Enter the time."},
    )
    summary = forms.CharField(
        label="Summary",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Up to 300 characters: what happened and what was done. Other agencies may read it.",
        error_messages={"required": "Write what happened."},
    )

    field_order = ["category", "date", "time", "summary", "reach", "agencies", "reason"]

    def __init__(self, *args: Any, police: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category = self.fields["category"]
        assert isinstance(category, forms.ChoiceField)
        category.choices = [
            (value, label)
            for value, label in EntryCategory.choices
            if police or value != EntryCategory.POLICE_INTELLIGENCE
        ]
        if police:
            self.fields[
                "category"
            ].help_text = "Police intelligence is read by the police only, unless you record why it is shared."
        for name in ("date", "time"):
            self.fields[name].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})

    def clean(self) -> dict[str, Any]:
        from safehub.meetings.forms import london_moment, parse_date, parse_time

        cleaned = super().clean()
        if cleaned.get("date") and cleaned.get("time"):
            try:
                day = parse_date(cleaned["date"], what="the date")
                clock = parse_time(cleaned["time"], what="the time")
                cleaned["occurred_at"] = london_moment(day, clock)
            except ValidationError as error:
                self.add_error("date", error)
        return cleaned
