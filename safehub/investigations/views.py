"""The investigation pages: the list (each role's part), opening one, its page with the
timeline, the opportunities, notes and reviews, and the closure, sign-off and challenge.
Thin: each parses a form and calls one service or selector."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from safehub.access import policy
from safehub.investigations import forms, selectors, services
from safehub.investigations.models import Challenge, Closure, InvestigationState, Opportunity, SubjectRole
from safehub.meetings.forms import apply_service_error
from safehub.meetings.models import Meeting, MeetingKind, StrategyOutcome
from safehub.partnership.models import User
from safehub.partnership.roles import Capability, has_capability

PAGE_SIZE = 50


def _user(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not (has_capability(user, Capability.INVESTIGATE) or has_capability(user, Capability.CHALLENGE_CLOSURE)):
        raise PermissionDenied
    return user


def _form_page(request: HttpRequest, *, form: Any, title: str, button: str, back: str, **extra: Any) -> HttpResponse:
    context = {"form": form, "title": title, "button": button, "back": back, **extra}
    return render(request, "investigations/form.html", context)


@login_required
def investigation_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    state = request.GET.get("state", "open")
    investigations = selectors.investigations_for(user=user)
    if state == "open":
        investigations = investigations.exclude(state=InvestigationState.CLOSED)
    elif state == "closed":
        investigations = investigations.filter(state=InvestigationState.CLOSED)
    page = Paginator(investigations, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "state": state,
        "to_sign_off": list(selectors.closures_to_sign_off(user=user)[:50]),
        "to_challenge": list(selectors.closures_to_challenge(user=user)[:50]),
        "may_open": has_capability(user, Capability.INVESTIGATE),
    }
    return render(request, "investigations/list.html", context)


def _people(user: User, references: list[int], role: str) -> list[services.SubjectInput]:
    found = {p.pk: p for p in policy.visible_persons(user).filter(pk__in=references)}
    missing = [ref for ref in references if ref not in found]
    if missing:
        raise ValidationError({f"{role}s": f"No record P-{missing[0]:07d} that you may open."})
    return [services.SubjectInput(found[ref], role) for ref in references]


def _officers(user: User, capability: Capability) -> Any:
    from safehub.meetings.forms import users_who_can

    return users_who_can(capability).filter(organisation=user.organisation).order_by("first_name", "last_name")


@login_required
def open_investigation(request: HttpRequest, meeting_pk: int | None = None) -> HttpResponse:
    user = _user(request)
    if not has_capability(user, Capability.INVESTIGATE):
        raise PermissionDenied
    discussion: Meeting | None = None
    initial: dict[str, Any] = {"allocated_officer": user.pk}
    if meeting_pk is not None:
        discussion = policy.visible_meetings(user).filter(pk=meeting_pk, kind=MeetingKind.STRATEGY_DISCUSSION).first()
        if discussion is None or discussion.outcome != StrategyOutcome.SECTION_47_JOINT:
            raise Http404("No such strategy discussion")
        children = discussion.subjects.order_by("pk")
        initial["victims"] = "\n".join(p.reference for p in children)
    form = forms.OpenInvestigationForm(
        request.POST or None,
        initial=initial,
        officers=_officers(user, Capability.INVESTIGATE),
        supervisors=_officers(user, Capability.SUPERVISE_INVESTIGATIONS),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            subjects = (
                _people(user, data["victims"], SubjectRole.VICTIM)
                + _people(user, data["suspects"], SubjectRole.SUSPECT)
                + _people(user, data["witnesses"], SubjectRole.WITNESS)
            )
            investigation = services.open_investigation(
                by=user,
                crime_reference=data["crime_reference"],
                offence_category=data["offence_category"],
                subjects=subjects,
                allocated_officer=data["allocated_officer"],
                supervising_officer=data["supervising_officer"],
                strategy_discussion=discussion,
            )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, f"Investigation {investigation.reference} opened with its checklist.")
            return redirect(investigation.get_absolute_url())
    back = discussion.get_absolute_url() if discussion else "/investigations/"
    intro = f"From {discussion.title}: a joint section 47 enquiry." if discussion else ""
    return _form_page(request, form=form, title="Open a police investigation", button="Open it", back=back, intro=intro)


def _subject_rows(user: User, page: selectors.InvestigationPage) -> list[dict[str, Any]]:
    ids = [s.person_id for s in page.subjects]
    visible = set(policy.visible_persons(user).filter(pk__in=ids).values_list("pk", flat=True))
    return [{"subject": s, "visible": s.person_id in visible} for s in page.subjects]


@login_required
def investigation(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    found = selectors.get_investigation(user=user, pk=pk)
    page = selectors.investigation_page(user=user, investigation=found)
    context = {"page": page, "investigation": found, "subjects": _subject_rows(user, page)}
    return render(request, "investigations/investigation.html", context)


def _for_work(request: HttpRequest, pk: int) -> tuple[User, Any]:
    user = _user(request)
    found = selectors.get_investigation(user=user, pk=pk)
    if not policy.can(user, "investigate", found):
        raise PermissionDenied
    return user, found


@login_required
def add_opportunity(request: HttpRequest, pk: int) -> HttpResponse:
    user, found = _for_work(request, pk)
    form = forms.AddOpportunityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_opportunity(investigation=found, by=user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, "Opportunity added: it is outstanding until explored.")
            return redirect(found.get_absolute_url())
    return _form_page(
        request, form=form, title="Add an investigative opportunity", button="Add it", back=found.get_absolute_url()
    )


@login_required
def settle_opportunity(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = Opportunity.objects.filter(pk=pk).select_related("investigation").first()
    if opportunity is None:
        raise Http404("No such opportunity")
    user, found = _for_work(request, opportunity.investigation_id)
    form = forms.SettleOpportunityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.settle_opportunity(
                opportunity=opportunity,
                by=user,
                done=data["result"] == "done",
                outcome=data["outcome"],
                reason=data["reason"],
            )
        except ValidationError as error:
            apply_service_error(form, error, {"not_applicable_reason": "reason"})
        else:
            messages.success(request, f"{opportunity.title}: recorded.")
            return redirect(found.get_absolute_url())
    return _form_page(
        request,
        form=form,
        title=opportunity.title,
        button="Record it",
        back=found.get_absolute_url(),
        intro=opportunity.description,
    )


@login_required
def add_note(request: HttpRequest, pk: int) -> HttpResponse:
    user, found = _for_work(request, pk)
    form = forms.NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_note(investigation=found, by=user, text=form.cleaned_data["text"])
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            return redirect(found.get_absolute_url())
    return _form_page(request, form=form, title="Record an action", button="Record it", back=found.get_absolute_url())


@login_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    found = selectors.get_investigation(user=user, pk=pk)
    if not policy.can(user, "supervise", found):
        raise PermissionDenied
    form = forms.ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_review(investigation=found, by=user, rationale=form.cleaned_data["rationale"])
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, "Supervisory review recorded.")
            return redirect(found.get_absolute_url())
    return _form_page(
        request, form=form, title="Supervisory review", button="Record the review", back=found.get_absolute_url()
    )


@login_required
def propose_closure(request: HttpRequest, pk: int) -> HttpResponse:
    """Refused, not warned: while an opportunity is outstanding the page lists them and offers
    no form, and the service refuses a submission."""
    user, found = _for_work(request, pk)
    outstanding = services.outstanding_opportunities(found)
    form = forms.ProposeClosureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.propose_closure(investigation=found, by=user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, "Closure proposed: the supervising officer is asked to sign it off.")
            return redirect(found.get_absolute_url())
    context = {"form": form, "investigation": found, "outstanding": outstanding}
    return render(request, "investigations/propose_closure.html", context)


@login_required
def sign_off(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    closure = Closure.objects.filter(pk=pk).select_related("investigation", "proposed_by").first()
    if closure is None or not policy.can(user, "supervise", closure.investigation):
        raise Http404("No such closure")
    selectors.get_investigation(user=user, pk=closure.investigation_id)  # the read, audited
    form = forms.SignOffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == "sign_off":
                services.sign_off_closure(closure=closure, by=user, rationale=data["sign_off_rationale"])
            else:
                services.refuse_closure(closure=closure, by=user, reason=data["sign_off_rationale"])
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, "Your decision on the closure is recorded.")
            return redirect(closure.investigation.get_absolute_url())
    return _form_page(
        request,
        form=form,
        title=f"Sign off the closure of {closure.investigation.reference}",
        button="Record my decision",
        back=closure.investigation.get_absolute_url(),
        intro=f"Proposed by {closure.proposed_by}: {closure.get_outcome_display()}. {closure.rationale}",
    )


@login_required
def challenge(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    closure = Closure.objects.filter(pk=pk).select_related("investigation").first()
    if closure is None or not policy.can(user, "challenge", closure.investigation):
        raise Http404("No such closure")
    selectors.get_investigation(user=user, pk=closure.investigation_id)  # the read, audited
    form = forms.ChallengeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.challenge_closure(closure=closure, by=user, reasons=form.cleaned_data["reasons"])
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, "Challenge recorded: the closure is stopped and the police are told.")
            return redirect(closure.investigation.get_absolute_url())
    return _form_page(
        request,
        form=form,
        title=f"Challenge the closure of {closure.investigation.reference}",
        button="Challenge the closure",
        back=closure.investigation.get_absolute_url(),
        intro=f"{closure.get_outcome_display()}. {closure.rationale}",
    )


@login_required
def resolve(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    found = Challenge.objects.filter(pk=pk).select_related("closure__investigation").first()
    if found is None:
        raise Http404("No such challenge")
    investigation = found.closure.investigation
    if not (policy.can(user, "investigate", investigation) or policy.can(user, "challenge", investigation)):
        raise Http404("No such challenge")
    selectors.get_investigation(user=user, pk=investigation.pk)  # the read, audited
    form = forms.ResolveChallengeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == "escalate":
                services.escalate_challenge(challenge=found, by=user, outcome=data["resolution"])
            else:
                services.resolve_challenge(
                    challenge=found,
                    by=user,
                    reopen=data["decision"] == "reopen",
                    resolution=data["resolution"],
                    missed=data["missed"],
                )
        except ValidationError as error:
            apply_service_error(form, error, {"outcome": "resolution"})
        else:
            messages.success(request, "Recorded.")
            return redirect(investigation.get_absolute_url())
    stage = found.current_stage
    intro = f"Stage {stage.number}: {stage.label}. It is worked by {stage.who}." if stage else ""
    return _form_page(
        request,
        form=form,
        title=f"The challenge to the closure of {investigation.reference}",
        button="Record it",
        back=investigation.get_absolute_url(),
        intro=intro,
    )


urlpatterns = [
    path("", investigation_list, name="list"),
    path("open/", open_investigation, name="open"),
    path("open/from/<id:meeting_pk>/", open_investigation, name="open-from-meeting"),
    path("<id:pk>/", investigation, name="investigation"),
    path("<id:pk>/opportunities/add/", add_opportunity, name="add-opportunity"),
    path("opportunities/<id:pk>/", settle_opportunity, name="settle-opportunity"),
    path("<id:pk>/notes/add/", add_note, name="add-note"),
    path("<id:pk>/review/", review, name="review"),
    path("<id:pk>/close/", propose_closure, name="propose-closure"),
    path("closures/<id:pk>/sign-off/", sign_off, name="sign-off"),
    path("closures/<id:pk>/challenge/", challenge, name="challenge"),
    path("challenges/<id:pk>/", resolve, name="resolve"),
]
