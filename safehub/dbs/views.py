"""The disclosure unit's pages: the queue of open checks (soonest due first, with filters and
each officer's workload), recording a check from DBS, a check's page with its clocks and
timeline, and one page for each next step: allocate, record the search, assess, review, return.
Thin: each parses a form and calls one service or selector."""

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from safehub.access import policy
from safehub.audit.services import record
from safehub.dbs import forms, selectors, services
from safehub.dbs.models import CheckState, LocalCheck, Workforce
from safehub.meetings.forms import apply_service_error
from safehub.partnership.models import User
from safehub.partnership.roles import Capability, require_capability
from safehub.timescales.calendar import calendar_days_between

PAGE_SIZE = 50


def _form_page(request: HttpRequest, *, form: Any, title: str, button: str, back: str, **extra: Any) -> HttpResponse:
    context = {"form": form, "title": title, "button": button, "back": back, **extra}
    return render(request, "dbs/form.html", context)


def _filters(request: HttpRequest) -> selectors.QueueFilter:
    officer = request.GET.get("officer", "")
    return selectors.QueueFilter(
        state=request.GET.get("state", ""),
        officer=int(officer) if officer.isascii() and officer.isdigit() and len(officer) < 10 else None,
        unallocated=officer == "none",
        overdue=request.GET.get("overdue") == "1",
        workforce=request.GET.get("workforce", ""),
    )


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    user = require_capability(request.user, Capability.WORK_DBS_CHECKS)
    today = timezone.localdate()
    filters = _filters(request)
    rows = selectors.queue(user=user, filters=filters, today=today)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    # The page names applicants: which checks were listed to whom is audited, as opening one is.
    record(
        action="dbs.queue_viewed",
        actor=user,
        purpose="DBS local checks queue",
        detail={"checks": [check.pk for check in page.object_list]},
    )
    context = {
        "page": page,
        "filters": filters,
        "today": today,
        "states": [(value, label) for value, label in CheckState.choices if value != CheckState.RETURNED],
        "workforces": Workforce.choices,
        "workload": selectors.workload(user=user),
        "to_review": selectors.awaiting_review(user=user)[:20],
        "query": request.GET.urlencode(),
    }
    return render(request, "dbs/queue.html", context)


@login_required
def record_check(request: HttpRequest) -> HttpResponse:
    user = require_capability(request.user, Capability.WORK_DBS_CHECKS)
    form = forms.CheckForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            check, created = services.receive_check(
                given=services.CheckInput(
                    dbs_reference=data["dbs_reference"],
                    given_names=data["given_names"],
                    family_name=data["family_name"],
                    other_names=data["other_names"],
                    date_of_birth=data["date_of_birth"],
                    postcode=data["postcode"],
                    workforce=data["workforce"],
                    role_applied_for=data["role_applied_for"],
                    received_on=data["received_on"],
                ),
                by=user,
            )
        except ValidationError as error:
            apply_service_error(form, error, {"applicant_name": "given_names"})
        else:
            if created:
                messages.success(request, f"Check {check.reference} recorded: due by {check.standard_due_on:%-d %B}.")
            else:
                messages.info(request, f"This check was already recorded as {check.reference}.")
            return redirect(check.get_absolute_url())
    return _form_page(
        request, form=form, title="Record a DBS local check", button="Record the check", back=reverse("dbs:queue")
    )


@login_required
def check_page(request: HttpRequest, pk: int) -> HttpResponse:
    # No capability check first: anyone but the unit gets the selector's 404, as for no check,
    # and the refusal is audited.
    user = cast(User, request.user)
    check = selectors.get_check(user=user, pk=pk)
    today = timezone.localdate()
    context = {
        "check": check,
        "events": check.events.select_related("by"),
        "today": today,
        "may_review": policy.can(user, "review_disclosure", check),
        "standard_days_left": calendar_days_between(today, check.standard_due_on),
        "limit_days_left": calendar_days_between(today, check.limit_due_on),
    }
    return render(request, "dbs/check.html", context)


def _step(request: HttpRequest, pk: int) -> tuple[Any, LocalCheck]:
    user = cast(User, request.user)
    return user, selectors.get_check(user=user, pk=pk)


@login_required
def allocate(request: HttpRequest, pk: int) -> HttpResponse:
    user, check = _step(request, pk)
    form = forms.AllocateForm(request.POST or None, officers=selectors.unit_officers(user=user))
    if request.method == "POST" and form.is_valid():
        try:
            services.allocate(check=check, to=form.cleaned_data["to"], by=user)
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, f"{check.reference} allocated.")
            return redirect(check.get_absolute_url())
    return _form_page(
        request, form=form, title=f"Allocate {check.reference}", button="Allocate", back=check.get_absolute_url()
    )


@login_required
def search(request: HttpRequest, pk: int) -> HttpResponse:
    user, check = _step(request, pk)
    form = forms.SearchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            check = services.record_search(
                check=check,
                by=user,
                records_found=form.cleaned_data["records_found"],
                summary=form.cleaned_data["summary"],
            )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            done = "ready to return (fast-tracked)" if check.fast_tracked else "to assess"
            messages.success(request, f"Search recorded: {check.reference} is {done}.")
            return redirect(check.get_absolute_url())
    return _form_page(
        request,
        form=form,
        title=f"Record the search for {check.reference}",
        button="Record the search",
        back=check.get_absolute_url(),
        check=check,
    )


@login_required
def assess(request: HttpRequest, pk: int) -> HttpResponse:
    user, check = _step(request, pk)
    form = forms.AssessmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            check = services.record_assessment(
                check=check,
                by=user,
                decision=data["decision"],
                relevance=data["relevance"],
                disclosure_text=data["disclosure_text"],
                representations_invited_on=data["representations_invited_on"],
                representations=data["representations"],
            )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            done = "awaits quality review" if check.state == CheckState.REVIEW else "is ready to return"
            messages.success(request, f"Assessment recorded: {check.reference} {done}.")
            return redirect(check.get_absolute_url())
    return _form_page(
        request,
        form=form,
        title=f"Assess {check.reference}",
        button="Record the assessment",
        back=check.get_absolute_url(),
        check=check,
    )


@login_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    user, check = _step(request, pk)
    if not policy.can(user, "review_disclosure", check):
        raise PermissionDenied(services.NOT_A_SECOND_PERSON)
    form = forms.ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            check = services.record_review(
                check=check, by=user, approved=form.cleaned_data["approved"], rationale=form.cleaned_data["rationale"]
            )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, f"Quality review recorded: {check.get_review_outcome_display().lower()}.")
            return redirect(check.get_absolute_url())
    return _form_page(
        request,
        form=form,
        title=f"Quality review of {check.reference}",
        button="Record the review",
        back=check.get_absolute_url(),
        check=check,
    )


@login_required
@require_POST
def return_check(request: HttpRequest, pk: int) -> HttpResponse:
    user, check = _step(request, pk)
    try:
        check = services.return_to_dbs(check=check, by=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{check.reference} returned to DBS, {check.days_to_return} days after receipt.")
    return redirect(check.get_absolute_url())


urlpatterns = [
    path("", queue, name="queue"),
    path("record/", record_check, name="record"),
    path("checks/<id:pk>/", check_page, name="check"),
    path("checks/<id:pk>/allocate/", allocate, name="allocate"),
    path("checks/<id:pk>/search/", search, name="search"),
    path("checks/<id:pk>/assess/", assess, name="assess"),
    path("checks/<id:pk>/review/", review, name="review"),
    path("checks/<id:pk>/return/", return_check, name="return"),
]
