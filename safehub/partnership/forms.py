from django import forms

from safehub.partnership.models import OrganisationKind


class DirectoryFilterForm(forms.Form):
    name = forms.CharField(label="Name, URN or postcode", required=False, max_length=100)
    kind = forms.ChoiceField(label="Kind", required=False, choices=[("", "All kinds"), *OrganisationKind.choices])
