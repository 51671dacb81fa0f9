"""Forms of the police side of Operation Encompass: recording an incident and correcting it.

The incident form is one page: the incident, then the adults and the children as
server-side formsets (prefixes "adults" and "children"), so "Add another child" works
without JavaScript: the page comes back with one more blank row and no errors shown
(`quiet`). A row left blank is left out.

The forms parse what was typed (dates in the GOV.UK date input, times, NHS numbers and
UPNs) and ask for what the service cannot do without; the rules (not in the future, a child
born before the incident, at least one child) are the service's, and
`place_service_errors` puts its errors beside the fields they are about.
"""

import datetime
import re
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.utils import timezone

from safehub.encompass.models import AdultRole, LocationKind
from safehub.encompass.services.incidents import NO_ADULTS, NO_CHILDREN
from safehub.partnership.models import Organisation, OrganisationKind
from safehub.people import identifiers
from safehub.timescales.calendar import SkippedTime, london_wall_clock

MAX_ROWS = 20
TIME_PATTERN = re.compile(r"^(?P<hour>\d{1,2})[:.]?(?P<minute>\d{2})$")
YES_NO = [("yes", "Yes"), ("no", "No")]


# The GOV.UK date input -----------------------------------------------------------------------


class DateInputWidget(forms.MultiWidget):
    """Day, month and year boxes, named `<name>_day`, `<name>_month` and `<name>_year`."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        boxes: dict[str, forms.Widget | type[forms.Widget]] = {
            part: forms.TextInput(attrs={"inputmode": "numeric"}) for part in ("day", "month", "year")
        }
        super().__init__(widgets=boxes, attrs=attrs)

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, datetime.date):
            return [value.day, value.month, value.year]
        return [None, None, None]

    def id_for_label(self, id_: str) -> str:
        # The error summary links to the day box, as the Design System asks.
        return f"{id_}_day" if id_ else ""


class DateBoundField(forms.BoundField):
    @property
    def parts(self) -> list[str]:
        """What to show in the day, month and year boxes."""
        value = self.value()
        if not isinstance(value, list):
            value = self.field.widget.decompress(value)
        return ["" if part is None else str(part) for part in value]


class DateField(forms.MultiValueField):
    """A date typed into the GOV.UK date input, with its error messages ("Date of birth must
    include a month"). `subject` starts each message; `past_only` refuses a date after today."""

    widget = DateInputWidget
    bound_field_class = DateBoundField

    def __init__(self, *, subject: str, past_only: bool = False, **kwargs: Any) -> None:
        self.subject = subject
        self.past_only = past_only
        parts = (forms.CharField(), forms.CharField(), forms.CharField())
        super().__init__(fields=parts, require_all_fields=False, **kwargs)

    def compress(self, data_list: list[Any]) -> Any:  # pragma: no cover - clean() does the work
        return data_list

    def clean(self, value: Any) -> datetime.date | None:
        parts = [str(part or "").strip() for part in (value or ["", "", ""])]
        if not any(parts):
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return None
        missing = [name for name, part in zip(("day", "month", "year"), parts, strict=True) if not part]
        if missing:
            raise ValidationError(f"{self.subject} must include a {' and a '.join(missing)}.", code="incomplete")
        if not all(part.isdigit() for part in parts):
            raise ValidationError(f"{self.subject} must be a real date, in numbers.", code="invalid")
        day, month, year = (int(part) for part in parts)
        if year < 1000:
            raise ValidationError(f"{self.subject}: the year must include 4 numbers.", code="invalid")
        try:
            value = datetime.date(year, month, day)
        except ValueError as error:
            raise ValidationError(f"{self.subject} must be a real date.", code="invalid") from error
        if self.past_only and value > timezone.localdate():
            raise ValidationError(f"{self.subject} must be today or in the past.", code="future")
        return value


def parse_time(raw: str) -> datetime.time:
    found = TIME_PATTERN.match(raw.strip())
    if found is None or int(found["hour"]) > 23 or int(found["minute"]) > 59:
        raise ValidationError("Enter the time using the 24-hour clock, like 22:40.", code="invalid")
    return datetime.time(int(found["hour"]), int(found["minute"]))


def london_datetime(day: datetime.date, time: datetime.time) -> datetime.datetime:
    """The moment this UK wall-clock time happened; refuses a time the clocks skipped."""
    try:
        return london_wall_clock(day, time)
    except SkippedTime as error:
        raise ValidationError(str(error), code="skipped") from error


# Forms that can be shown again without their errors ------------------------------------------


class QuietForm(forms.Form):
    """A form shown again after "Add another" keeps what was typed but shows no errors yet."""

    def __init__(self, *args: Any, quiet: bool = False, **kwargs: Any) -> None:
        self.quiet = quiet
        super().__init__(*args, **kwargs)

    def full_clean(self) -> None:
        if self.quiet:
            self._errors = ErrorDict()
            self.cleaned_data = {}
            return
        super().full_clean()


class RowFormSet(forms.BaseFormSet):  # type: ignore[type-arg,unused-ignore]
    """Numbered rows ("Child 2"), blank rows left out, at least one row filled in."""

    first_number = 1
    at_least_one = ""

    def __init__(self, *args: Any, quiet: bool = False, first_number: int = 1, **kwargs: Any) -> None:
        self.quiet = quiet
        self.first_number = first_number
        kwargs.setdefault("form_kwargs", {})["quiet"] = quiet
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        kwargs = super().get_form_kwargs(index)
        kwargs["number"] = self.first_number + (index or 0)
        return kwargs

    def full_clean(self) -> None:
        if self.quiet:
            self._errors = [form.errors for form in self.forms]
            self._non_form_errors = self.error_class()
            return
        super().full_clean()

    def clean(self) -> None:
        if self.at_least_one and not self.filled():
            raise ValidationError(self.at_least_one, code="empty")

    def filled(self) -> list[tuple[int, forms.Form]]:
        """The rows with anything typed in, with their position on the page."""
        return [(index, form) for index, form in enumerate(self.forms) if form.has_changed()]


# Recording an incident ---------------------------------------------------------------------


class IncidentForm(QuietForm):
    token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=43)
    police_reference = forms.CharField(
        label="Police reference",
        max_length=60,
        help_text="The force's occurrence or incident number.",
        error_messages={"required": "Enter the force's reference for the incident."},
    )
    occurred_on = DateField(
        subject="The date of the incident",
        past_only=True,
        label="Date of the incident",
        help_text="For example, 1 11 2026.",
        error_messages={"required": "Enter the date of the incident."},
    )
    occurred_time = forms.CharField(
        label="Time of the incident",
        max_length=5,
        help_text="UK time, on the 24-hour clock, for example 22:40.",
        error_messages={"required": "Enter the time of the incident, like 22:40."},
    )
    local_authority = forms.ModelChoiceField(
        label="Council area",
        queryset=Organisation.objects.none(),
        empty_label="Choose the council area",
        help_text="The council whose area the incident happened in. A child with no school is notified to its "
        "education team.",
        error_messages={"required": "Choose the council area where the incident happened."},
    )
    location = forms.CharField(
        label="Where it happened",
        max_length=300,
        help_text="The address or place. Only the police see this: schools are told the kind of place.",
        error_messages={"required": "Enter where the incident happened."},
    )
    location_kind = forms.ChoiceField(
        label="What kind of place was it?",
        choices=LocationKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of place."},
    )
    circumstances = forms.CharField(
        label="Circumstances",
        widget=forms.Textarea,
        max_length=10000,
        help_text="What happened, as the school needs to know it to support the child.",
        error_messages={"required": "Describe what happened, as the school needs to know it."},
    )

    def __init__(self, *args: Any, force: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        councils = Organisation.objects.open().filter(kind=OrganisationKind.LOCAL_AUTHORITY)
        if force.partnership_id is not None:
            councils = councils.filter(partnership_id=force.partnership_id)
        field = self.fields["local_authority"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = councils.order_by("name")
        for name in ("police_reference", "location"):
            self.fields[name].widget.attrs.update({"spellcheck": "false", "autocomplete": "off"})

    def clean_token(self) -> str:
        token: str = self.cleaned_data["token"]
        return token if re.fullmatch(r"[A-Za-z0-9_-]*", token) else ""

    def clean_occurred_time(self) -> datetime.time:
        return parse_time(self.cleaned_data["occurred_time"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        day, time = cleaned.get("occurred_on"), cleaned.get("occurred_time")
        if day is not None and time is not None:
            try:
                cleaned["occurred_at"] = london_datetime(day, time)
            except ValidationError as error:
                self.add_error("occurred_time", error)
        return cleaned


class NumberedRowForm(QuietForm):
    """A row of a formset that knows its number on the page, for its messages."""

    noun = "Row"

    def __init__(self, *args: Any, number: int = 1, **kwargs: Any) -> None:
        self.number = number
        super().__init__(*args, **kwargs)

    @property
    def title(self) -> str:
        return f"{self.noun} {self.number}"


class AdultForm(NumberedRowForm):
    noun = "Adult"

    role = forms.ChoiceField(label="Their part in the incident", choices=[("", "Choose"), *AdultRole.choices])
    given_names = forms.CharField(label="Given names", max_length=150)
    family_name = forms.CharField(label="Family name", max_length=150)
    date_of_birth = DateField(
        subject="The date of birth", past_only=True, label="Date of birth", required=False, help_text="If known."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        n = self.number
        self.fields["role"].error_messages["required"] = f"Choose adult {n}'s part in the incident."
        self.fields["given_names"].error_messages["required"] = f"Enter adult {n}'s given names."
        self.fields["family_name"].error_messages["required"] = f"Enter adult {n}'s family name."
        date_of_birth = self.fields["date_of_birth"]
        assert isinstance(date_of_birth, DateField)
        date_of_birth.subject = f"Adult {n}'s date of birth"
        for name in ("given_names", "family_name"):
            self.fields[name].widget.attrs.update({"spellcheck": "false", "autocomplete": "off"})


class ChildForm(NumberedRowForm):
    noun = "Child"

    given_names = forms.CharField(label="Given names", max_length=150)
    family_name = forms.CharField(label="Family name", max_length=150)
    date_of_birth = DateField(subject="The date of birth", past_only=True, label="Date of birth")
    nhs_number = forms.CharField(
        label="NHS number (optional)", required=False, max_length=20, help_text="10 digits, like 999 123 4564."
    )
    upn = forms.CharField(
        label="Unique pupil number (optional)", required=False, max_length=20, help_text="13 characters."
    )
    postcode = forms.CharField(label="Postcode (optional)", required=False, max_length=10)
    present = forms.ChoiceField(label="Was the child present?", choices=YES_NO, widget=forms.RadioSelect)
    whereabouts = forms.CharField(
        label="Where was the child?",
        required=False,
        max_length=300,
        help_text="During the incident, for example upstairs in their bedroom, or at a friend's house.",
    )
    voice_of_child = forms.CharField(
        label="Voice of the child",
        required=False,
        widget=forms.Textarea,
        max_length=10000,
        help_text="What the child saw, heard or said, in their own words where you can.",
    )
    injuries = forms.CharField(
        label="Injuries", required=False, widget=forms.Textarea, max_length=5000, help_text="Leave blank if none."
    )
    actions_taken = forms.CharField(
        label="Actions taken",
        required=False,
        widget=forms.Textarea,
        max_length=5000,
        help_text="What officers did for this child, for example a referral to children's social care.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        n = self.number
        self.fields["given_names"].error_messages["required"] = f"Enter child {n}'s given names."
        self.fields["family_name"].error_messages["required"] = f"Enter child {n}'s family name."
        self.fields["date_of_birth"].error_messages["required"] = f"Enter child {n}'s date of birth."
        self.fields["present"].error_messages["required"] = f"Say whether child {n} was present."
        date_of_birth = self.fields["date_of_birth"]
        assert isinstance(date_of_birth, DateField)
        date_of_birth.subject = f"Child {n}'s date of birth"
        for name in ("given_names", "family_name", "nhs_number", "upn", "postcode"):
            self.fields[name].widget.attrs.update({"spellcheck": "false", "autocomplete": "off"})

    def clean_nhs_number(self) -> str:
        raw = self.cleaned_data["nhs_number"].strip()
        return identifiers.validate_nhs_number(raw) if raw else ""

    def clean_upn(self) -> str:
        raw = self.cleaned_data["upn"].strip()
        return identifiers.validate_upn(raw) if raw else ""

    def clean_postcode(self) -> str:
        return " ".join(self.cleaned_data["postcode"].upper().split())


class AdultRows(RowFormSet):
    at_least_one = NO_ADULTS


class ChildRows(RowFormSet):
    at_least_one = NO_CHILDREN


class AddedChildRows(RowFormSet):
    """Children added by a correction: none is fine."""


AdultFormSet = cast(
    type[AdultRows],
    forms.formset_factory(AdultForm, formset=AdultRows, extra=0, max_num=MAX_ROWS, validate_max=True),
)
ChildFormSet = cast(
    type[ChildRows],
    forms.formset_factory(ChildForm, formset=ChildRows, extra=0, max_num=MAX_ROWS, validate_max=True),
)
AddedChildFormSet = cast(
    type[AddedChildRows],
    forms.formset_factory(ChildForm, formset=AddedChildRows, extra=0, max_num=MAX_ROWS, validate_max=True),
)


# Correcting an incident --------------------------------------------------------------------


class CorrectionForm(QuietForm):
    circumstances = forms.CharField(
        label="Circumstances",
        widget=forms.Textarea,
        max_length=10000,
        help_text="What happened, as the school needs to know it.",
        error_messages={"required": "Describe what happened, as the school needs to know it."},
    )
    location_kind = forms.ChoiceField(
        label="What kind of place was it?",
        choices=LocationKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of place."},
    )
    correction_note = forms.CharField(
        label="What did you correct, and why?",
        widget=forms.Textarea,
        max_length=5000,
        help_text="The schools see this note with the update.",
        error_messages={"required": "Say what was corrected and why."},
    )


class ChildCorrectionForm(NumberedRowForm):
    """What may change about a child already notified (their identity may not: a wrong child
    is a new notice)."""

    noun = "Child"

    present = forms.ChoiceField(label="Was the child present?", choices=YES_NO, widget=forms.RadioSelect)
    whereabouts = ChildForm.base_fields["whereabouts"]
    voice_of_child = ChildForm.base_fields["voice_of_child"]
    injuries = ChildForm.base_fields["injuries"]
    actions_taken = ChildForm.base_fields["actions_taken"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["present"].error_messages["required"] = f"Say whether child {self.number} was present."


class ChildCorrectionRows(RowFormSet):
    """One row per child already on the incident, in order: every row counts, changed or not."""

    def total_form_count(self) -> int:
        return len(self.initial or [])

    def initial_form_count(self) -> int:
        return len(self.initial or [])

    def filled(self) -> list[tuple[int, forms.Form]]:
        return list(enumerate(self.forms))


ChildCorrectionFormSet = cast(
    type[ChildCorrectionRows],
    forms.formset_factory(ChildCorrectionForm, formset=ChildCorrectionRows, extra=0, max_num=MAX_ROWS * 5),
)


# Placing the service's errors ----------------------------------------------------------------

# The service's keys for the incident and the form field each belongs beside.
INCIDENT_FIELDS = {
    "police_reference": "police_reference",
    "occurred_at": "occurred_on",
    "local_authority": "local_authority",
    "location": "location",
    "location_kind": "location_kind",
    "circumstances": "circumstances",
    "correction_note": "correction_note",
}
ROW_FIELDS = {"name": "given_names", "role": "role", "date_of_birth": "date_of_birth", "nhs_number": "nhs_number"}
ROW_KEY = re.compile(r"^(?P<rows>adults|children)-(?P<number>\d+)-(?P<part>\w+)$")


def place_service_errors(
    error: ValidationError,
    form: forms.Form,
    rows: dict[str, tuple[RowFormSet, list[int]]],
) -> None:
    """Put each of the service's errors beside its field. `rows` maps "adults" and "children"
    to the formset and, for each row the service was given, its position on the page (blank
    rows were left out, so the service's "child 2" may be the page's third row)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for key, messages in error.message_dict.items():
        if key in INCIDENT_FIELDS and INCIDENT_FIELDS[key] in form.fields:
            form.add_error(INCIDENT_FIELDS[key], messages)
            continue
        if key in rows:
            formset, _ = rows[key]
            if formset.forms:
                formset.forms[0].add_error("given_names", messages)
            else:
                form.add_error(None, messages)
            continue
        found = ROW_KEY.match(key)
        if found is None or found["rows"] not in rows:
            form.add_error(None, messages)
            continue
        formset, positions = rows[found["rows"]]
        number = int(found["number"])
        if not 1 <= number <= len(positions):
            form.add_error(None, messages)
            continue
        row = formset.forms[positions[number - 1]]
        field = ROW_FIELDS.get(found["part"], found["part"])
        row.add_error(field if field in row.fields else None, messages)


def error_summary(form: forms.Form | None, *formsets: RowFormSet) -> list[tuple[str, str]]:
    """Every error on the page, in page order, each linking to its field."""
    errors: list[tuple[str, str]] = []

    def add(one: forms.Form) -> None:
        if not one.is_bound:
            return
        first = next((name for name in one.fields if not one[name].is_hidden), "")
        for message in one.non_field_errors():
            errors.append((f"#{_anchor(one[first])}" if first else "", str(message)))
        for name in one.fields:
            for message in one[name].errors:
                errors.append((f"#{_anchor(one[name])}", str(message)))

    if form is not None:
        add(form)
    for formset in formsets:
        first_row = formset.forms[0] if formset.forms else None
        anchor = f"#{_anchor(first_row['given_names'])}" if first_row and "given_names" in first_row.fields else ""
        for message in formset.non_form_errors():
            errors.append((anchor, str(message)))
        for row in formset.forms:
            add(row)
    return errors


def _anchor(field: forms.BoundField) -> str:
    if isinstance(field.field.widget, forms.RadioSelect):
        return f"{field.auto_id}_0"
    return field.id_for_label or str(field.auto_id)
