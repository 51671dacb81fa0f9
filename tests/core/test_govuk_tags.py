"""The GOV.UK component layer renders each kind of field with the Design System's markup."""

from django import forms
from django.template.loader import render_to_string

from safehub.core.templatetags.govuk import govuk_error_summary, govuk_field


class Choices(forms.Form):
    agencies = forms.MultipleChoiceField(
        choices=[("police", "Police"), ("health", "Health")], widget=forms.CheckboxSelectMultiple
    )
    rating = forms.ChoiceField(choices=[("red", "Red"), ("green", "Green")], widget=forms.RadioSelect)


def test_a_multiple_choice_field_renders_as_checkboxes_not_radios():
    form = Choices()
    assert govuk_field(form["agencies"])["kind"] == "checkboxes"
    assert govuk_field(form["rating"])["kind"] == "radios"


class _Colour(forms.Form):
    colour = forms.ChoiceField(choices=[("r", "Red"), ("g", "Green")], widget=forms.RadioSelect, help_text="Pick one")


def test_radio_errors_link_to_the_first_option_and_the_hint_and_error_carry_the_fields_id():
    form = _Colour(data={})
    assert not form.is_valid()
    [(anchor, _)] = govuk_error_summary(form)["errors"]
    assert anchor == "#id_colour_0"
    html = render_to_string(
        "includes/field.html", {"field": form["colour"], "kind": "radios", "errors": form.errors["colour"]}
    )
    assert 'id="id_colour-hint"' in html
    assert 'aria-describedby="id_colour-hint id_colour-error"' in html
    assert 'id="id_colour_0"' in html
