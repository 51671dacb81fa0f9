"""The GOV.UK component layer renders each kind of field with the Design System's markup."""

from django import forms

from safehub.core.templatetags.govuk import govuk_field


class Choices(forms.Form):
    agencies = forms.MultipleChoiceField(
        choices=[("police", "Police"), ("health", "Health")], widget=forms.CheckboxSelectMultiple
    )
    rating = forms.ChoiceField(choices=[("red", "Red"), ("green", "Green")], widget=forms.RadioSelect)


def test_a_multiple_choice_field_renders_as_checkboxes_not_radios():
    form = Choices()
    assert govuk_field(form["agencies"])["kind"] == "checkboxes"
    assert govuk_field(form["rating"])["kind"] == "radios"
