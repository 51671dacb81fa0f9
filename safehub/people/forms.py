import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone


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
