"""Operation Encompass pages, the school's side: the Key Adult's notices (to acknowledge and
acknowledged), one notice as the school reads it, acknowledging it and recording the support
the school will give. The council's coordinator also sees what to chase: each school that has
not acknowledged by the set time, with its phone, email and Key Adults, and the notices to the
council about children with no school.

Thin: reads through `safehub.encompass.selectors`, writes through
`safehub.encompass.services.notices`. URLs carry ids and a page number only.
"""

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from safehub.access import policy
from safehub.encompass import selectors
from safehub.encompass.forms_school import AcknowledgeForm, SupportForm
from safehub.encompass.models import Notice, RecipientKind
from safehub.encompass.services import notices as notice_services
from safehub.encompass.services.incidents import key_adults
from safehub.partnership.models import Organisation, User
from safehub.partnership.roles import Capability, has_capability

ACKNOWLEDGED_PAGE_SIZE = 25


def _user(request: HttpRequest, capability: Capability | None = None) -> User:
    user: User = request.user  # type: ignore[assignment]
    if capability is not None and not has_capability(user, capability):
        raise PermissionDenied
    return user


def _apply(form: forms.Form, error: ValidationError) -> None:
    """A service's ValidationError beside the field it is about, or at the top of the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


# The notices list -------------------------------------------------------------------------------


@dataclass
class SchoolToChase:
    """A school with notices past their acknowledge-by time, and who to phone there."""

    school: Organisation
    key_adults: list[User]
    notices: list[Notice] = field(default_factory=list)


def _to_chase(user: User) -> tuple[list[SchoolToChase], list[Notice]]:
    """The coordinator's chase list: by school, and the notices to the council itself."""
    schools: dict[int, SchoolToChase] = {}
    council: list[Notice] = []
    for notice in selectors.chase_list(user=user):
        if notice.recipient_kind == RecipientKind.LOCAL_AUTHORITY:
            council.append(notice)
            continue
        if notice.organisation_id not in schools:
            schools[notice.organisation_id] = SchoolToChase(notice.organisation, key_adults(notice))
        schools[notice.organisation_id].notices.append(notice)
    return list(schools.values()), council


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = _user(request, Capability.RECEIVE_ENCOMPASS)
    now = timezone.now()
    awaiting = [
        {"notice": notice, "overdue": notice.acknowledge_by < now}
        for notice in selectors.awaiting_acknowledgement(user=user)
    ]
    acknowledged = selectors.notices_visible_to(user).filter(acknowledged_at__isnull=False)
    page = Paginator(acknowledged.order_by("-acknowledged_at", "-pk"), ACKNOWLEDGED_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    coordinator = has_capability(user, Capability.COORDINATE_ENCOMPASS)
    context: dict[str, Any] = {"awaiting": awaiting, "page": page, "coordinator": coordinator, "now": now}
    if coordinator:
        context["schools_to_chase"], context["council_to_chase"] = _to_chase(user)
    return render(request, "encompass/notices.html", context)


# One notice --------------------------------------------------------------------------------------


def _render_notice(
    request: HttpRequest,
    user: User,
    notice: Notice,
    *,
    acknowledge_form: AcknowledgeForm | None = None,
    support_form: SupportForm | None = None,
) -> HttpResponse:
    can_acknowledge = policy.can(user, "acknowledge", notice)
    context: dict[str, Any] = {
        "notice": notice,
        "school_notice": selectors.notice_for_school(notice),
        "can_acknowledge": can_acknowledge,
        "acknowledge_form": acknowledge_form or AcknowledgeForm(),
        "support_form": support_form or SupportForm(initial={"support": notice.support}),
        "overdue": notice.acknowledged_at is None and notice.acknowledge_by < timezone.now(),
        "to_council": notice.recipient_kind == RecipientKind.LOCAL_AUTHORITY,
    }
    # The coordinator, who cannot acknowledge a school's notice, sees whom to phone about it.
    if not can_acknowledge and has_capability(user, Capability.COORDINATE_ENCOMPASS):
        context["contacts"] = key_adults(notice)
    return render(request, "encompass/notice.html", context)


@login_required
def notice(request: HttpRequest, pk: int) -> HttpResponse:
    """The notice as the school reads it. Opening it is audited; it does not acknowledge it."""
    user = _user(request)
    return _render_notice(request, user, selectors.get_notice(user=user, pk=pk))


@login_required
@require_POST
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    record = selectors.get_notice(user=user, pk=pk)
    form = AcknowledgeForm(request.POST)
    if form.is_valid():
        try:
            notice_services.acknowledge(notice=record, by=user, support=form.cleaned_data["support"])
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(request, f"Notice {record.reference} acknowledged.")
            return redirect("encompass:notice", pk=record.pk)
    record.refresh_from_db()
    return _render_notice(request, user, record, acknowledge_form=form)


@login_required
@require_POST
def support(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    record = selectors.get_notice(user=user, pk=pk)
    form = SupportForm(request.POST)
    if form.is_valid():
        try:
            notice_services.record_support(notice=record, by=user, support=form.cleaned_data["support"])
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(request, f"Support for notice {record.reference} recorded.")
            return redirect("encompass:notice", pk=record.pk)
    return _render_notice(request, user, record, support_form=form)


urlpatterns = [
    path("notices/", index, name="notices"),
    path("notices/<id:pk>/", notice, name="notice"),
    path("notices/<id:pk>/acknowledge/", acknowledge, name="notice-acknowledge"),
    path("notices/<id:pk>/support/", support, name="notice-support"),
]
