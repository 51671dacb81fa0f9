import re
from typing import Any

from django import forms

from safehub.partnership.models import OrganisationKind
from safehub.timescales.rules import Unit
from safehub.timescales.selectors import TimescaleInForce


class DirectoryFilterForm(forms.Form):
    name = forms.CharField(label="Name, URN or postcode", required=False, max_length=100)
    kind = forms.ChoiceField(label="Kind", required=False, choices=[("", "All kinds"), *OrganisationKind.choices])


class PartnershipSettingsForm(forms.Form):
    """The partnership's name, its video provider for meetings, and its local timescales
    (blank means the national default)."""

    name = forms.CharField(label="Partnership name", max_length=200)
    short_name = forms.CharField(label="Short name", max_length=60, required=False, help_text="Shown in the header.")
    hub_name = forms.CharField(label="Name of the front door", max_length=200, help_text="For example Children's Hub.")
    video_provider_name = forms.CharField(
        label="Video provider",
        max_length=100,
        required=False,
        help_text="For example Microsoft Teams. Shown to invitees beside the join link.",
    )
    video_link_template = forms.CharField(
        label="Join-link template",
        max_length=300,
        required=False,
        help_text='An https:// web address with "{room}" in it, like https://meet.example.org/safehub-{room}: '
        "each video meeting gets a new room name there. Leave blank to lend meetings the pre-made rooms below.",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )

    encompass_includes_early_years = forms.BooleanField(
        label="Notify early-years settings of domestic abuse incidents",
        required=False,
        help_text="Section 49A covers schools and colleges only; some partnerships include nurseries by local "
        "protocol. Otherwise a child at a nursery is notified to the council's education team.",
    )

    def __init__(self, *args: Any, timescales: list[TimescaleInForce], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.timescale_rules = [t for t in timescales if t.configurable]
        for timescale in self.timescale_rules:
            name = f"timescale_{timescale.key}"
            hint = f"Default {timescale.default_display}. Leave blank for the default."
            if timescale.unit == Unit.CLOCK_TIME:
                self.fields[name] = forms.CharField(
                    label=timescale.label,
                    required=False,
                    max_length=5,
                    help_text=hint + " Use 24-hour time, like 10:00.",
                )
                self.initial[name] = timescale.value_display if timescale.set_locally else ""
            else:
                self.fields[name] = forms.IntegerField(
                    label=f"{timescale.label} ({timescale.unit})",
                    required=False,
                    min_value=1,
                    max_value=1000,
                    help_text=hint,
                )
                self.initial[name] = timescale.value if timescale.set_locally else None

    def timescale_fields(self) -> list[forms.BoundField]:
        return [self[f"timescale_{t.key}"] for t in self.timescale_rules]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for timescale in self.timescale_rules:
            name = f"timescale_{timescale.key}"
            if timescale.unit == Unit.CLOCK_TIME and cleaned.get(name):
                match = re.fullmatch(r"(\d{1,2}):(\d{2})", cleaned[name].strip())
                if not match or int(match[1]) > 23 or int(match[2]) > 59:
                    self.add_error(name, "Enter a time of day in 24-hour form, like 10:00.")
                else:
                    cleaned[name] = int(match[1]) * 60 + int(match[2])
        return cleaned

    def timescale_values(self) -> dict[str, int | None]:
        return {t.key: self.cleaned_data.get(f"timescale_{t.key}") or None for t in self.timescale_rules}
