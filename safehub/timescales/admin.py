"""Admin for term dates, closure days and the partnership's local timescales."""

from django import forms
from django.contrib import admin

from safehub.timescales.models import SchoolClosure, TermDate, TimescaleSetting
from safehub.timescales.rules import TIMESCALE_LIST, TIMESCALES


@admin.register(TermDate)
class TermDateAdmin(admin.ModelAdmin):
    list_display = ["name", "local_authority", "school", "start_date", "end_date"]
    list_filter = [
        ("local_authority", admin.RelatedOnlyFieldListFilter),
        ("school", admin.RelatedOnlyFieldListFilter),
    ]
    date_hierarchy = "start_date"
    search_fields = ["name", "local_authority__name", "local_authority__la_code", "school__name", "school__urn"]
    raw_id_fields = ["school"]
    ordering = ["start_date"]


@admin.register(SchoolClosure)
class SchoolClosureAdmin(admin.ModelAdmin):
    list_display = ["date", "school", "kind", "reason"]
    list_filter = ["kind", ("school", admin.RelatedOnlyFieldListFilter)]
    date_hierarchy = "date"
    search_fields = ["school__name", "school__urn", "reason"]
    raw_id_fields = ["school"]


def _configurable_choices() -> list[tuple[str, str]]:
    return [
        (rule.key, f"{rule.label} ({rule.unit}, default {rule.default})")
        for rule in TIMESCALE_LIST
        if rule.configurable
    ]


class TimescaleSettingForm(forms.ModelForm):
    # Only local timescales can be chosen; the model's full_clean (run by the form) refuses
    # statutory ones too, whatever is posted.
    key = forms.ChoiceField(label="Timescale", choices=_configurable_choices)

    class Meta:
        model = TimescaleSetting
        fields = ["partnership", "key", "value"]


@admin.register(TimescaleSetting)
class TimescaleSettingAdmin(admin.ModelAdmin):
    form = TimescaleSettingForm
    list_display = ["key", "label", "value", "partnership"]

    @admin.display(description="Timescale")
    def label(self, setting: TimescaleSetting) -> str:
        rule = TIMESCALES.get(setting.key)
        return rule.label if rule else "Unknown timescale"
