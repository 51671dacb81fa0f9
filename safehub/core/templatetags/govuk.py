"""SafeHub's small GOV.UK Frontend component layer: form fields, error summary, tags and
pagination, rendered with the Design System's markup so every page looks and behaves alike."""

from typing import Any
from urllib.parse import urlencode

from django import forms, template
from django.core.paginator import Page
from django.http import HttpRequest

register = template.Library()


def _widget_kind(field: forms.BoundField) -> str:
    widget = field.field.widget
    # CheckboxSelectMultiple is a subclass of RadioSelect in Django, so it is asked first.
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.FileInput):
        return "file"
    return "input"


@register.inclusion_tag("includes/field.html")
def govuk_field(
    field: forms.BoundField, width: str = "", label_class: str = "govuk-label", extra_errors: Any = None
) -> dict[str, Any]:
    """One form field. `extra_errors` shows a form-wide error beside the field it is about
    (a failed sign-in beside the password), as the Design System asks."""
    widget = field.field.widget
    input_type = getattr(widget, "input_type", "text")
    return {
        "field": field,
        "errors": [str(message) for message in [*field.errors, *(extra_errors or [])]],
        "kind": _widget_kind(field),
        "input_type": input_type,
        "width": width,
        "label_class": label_class,
        "value": field.value() if field.value() is not None else "",
        "autocomplete": widget.attrs.get("autocomplete", ""),
        "spellcheck": widget.attrs.get("spellcheck", ""),
    }


@register.inclusion_tag("includes/error_summary.html")
def govuk_error_summary(*forms_: forms.Form, non_field_errors_link: str = "") -> dict[str, Any]:
    """The "There is a problem" box. Form-wide errors link to the field with the id
    `non_field_errors_link` when the page shows them beside it, else they are plain text."""
    errors: list[tuple[str, str]] = []
    non_field_anchor = f"#{non_field_errors_link}" if non_field_errors_link else ""
    for form in forms_:
        if form is None or not form.is_bound:
            continue
        for message in form.non_field_errors():
            errors.append((non_field_anchor, str(message)))
        for name, field_errors in form.errors.items():
            if name == "__all__":
                continue
            anchor = f"#{_first_input_id(form[name])}"
            errors.extend((anchor, str(message)) for message in field_errors)
    return {"errors": errors}


def _first_input_id(field: forms.BoundField) -> str:
    """Where an error summary link lands: the field's input, or a group's first option (radio
    and checkbox groups have no single input, so Django gives them no label id)."""
    if field.id_for_label:
        return field.id_for_label
    options = list(field.subwidgets)
    if options and options[0].id_for_label:
        return options[0].id_for_label
    return field.auto_id or f"id_{field.name}"


TAG_COLOURS = {"grey", "green", "turquoise", "blue", "light-blue", "purple", "pink", "red", "orange", "yellow"}


@register.simple_tag
def govuk_tag_class(colour: str) -> str:
    return f"govuk-tag govuk-tag--{colour}" if colour in TAG_COLOURS else "govuk-tag"


@register.inclusion_tag("includes/pagination.html", takes_context=True)
def govuk_pagination(context: dict[str, Any], page: Page) -> dict[str, Any]:
    request: HttpRequest = context["request"]

    def link(number: int) -> str:
        params = request.GET.copy()
        params["page"] = str(number)
        return "?" + urlencode(sorted(params.items()))

    numbers = []
    for number in page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1):
        numbers.append(
            {"number": number, "url": link(number) if isinstance(number, int) else "", "current": number == page.number}
        )
    return {
        "page": page,
        "numbers": numbers,
        "previous_url": link(page.previous_page_number()) if page.has_previous() else "",
        "next_url": link(page.next_page_number()) if page.has_next() else "",
    }


@register.filter
def user_name(user: Any, missing: str = "(name not recorded)") -> str:
    """A person's name as pages show it: the full name, else the username, else `missing`.
    A record whose person is not set (an old import, a system action) never breaks a page."""
    if user is None or not hasattr(user, "get_full_name"):
        return missing
    return str(user.get_full_name() or user.username)
