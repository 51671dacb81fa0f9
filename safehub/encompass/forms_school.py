"""Forms for the school's side of a notice: the Key Adult acknowledges it, with the support
the school will give if it is known yet, and may add or change that support afterwards."""

from django import forms

SUPPORT_LABEL = "Support the school will give"
SUPPORT_REQUIRED = "Describe the support the school will give."


class AcknowledgeForm(forms.Form):
    support = forms.CharField(
        label=f"{SUPPORT_LABEL} (optional)",
        required=False,
        widget=forms.Textarea,
        max_length=5000,
        help_text="For example: a check-in with the child's class teacher this morning, time with the learning "
        "mentor. You can add or change this later.",
    )


class SupportForm(forms.Form):
    support = forms.CharField(
        label=SUPPORT_LABEL,
        widget=forms.Textarea,
        max_length=5000,
        error_messages={"required": SUPPORT_REQUIRED},
    )
