"""The missing-children pages: the list (the force's episodes, or the council's), recording an
episode, its page with updates and the return, the child's missing profile with the flags, the
daily digests, the return home interviews (the provider's queue), the Philomena record, NRM
referrals and children missing education. Thin: each parses a form and calls one service or
selector."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse

from safehub.access import policy
from safehub.meetings.forms import apply_service_error
from safehub.missing import forms, selectors, services
from safehub.missing.models import (
    EpisodeState,
    Indicator,
    MissingEducation,
    NrmReferral,
    RiskGrade,
)
from safehub.partnership.models import User
from safehub.partnership.roles import Capability, has_capability
from safehub.people.models import Person

PAGE_SIZE = 50
READERS = (Capability.RECORD_MISSING, Capability.COORDINATE_MISSING, Capability.CHALLENGE_CLOSURE)


def _user(request: HttpRequest, *capabilities: Capability) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not any(has_capability(user, c) for c in capabilities or READERS):
        raise PermissionDenied
    return user


def _form_page(request: HttpRequest, *, form: Any, title: str, button: str, back: str, **extra: Any) -> HttpResponse:
    context = {"form": form, "title": title, "button": button, "back": back, **extra}
    return render(request, "missing/form.html", context)


@login_required
def episode_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    state = request.GET.get("state", "missing")
    risk = request.GET.get("risk", "")
    episodes = selectors.episodes_for(user=user)
    if state in EpisodeState.values:
        episodes = episodes.filter(state=state)
    if risk in RiskGrade.values:
        episodes = episodes.filter(risk_grade=risk)
    page = Paginator(episodes, PAGE_SIZE).get_page(request.GET.get("page"))
    coordinator = has_capability(user, Capability.COORDINATE_MISSING)
    context = {
        "page": page,
        "state": state,
        "risk": risk,
        "risks": RiskGrade.choices,
        "may_record": has_capability(user, Capability.RECORD_MISSING),
        "coordinator": coordinator,
        "digest": selectors.digest_of_today(user=user) if coordinator else None,
        "overdue": list(selectors.open_interviews(user=user).filter(escalated_at__isnull=False)[:20])
        if coordinator
        else [],
        "flags": list(selectors.flagged_children(user=user)[:20]),
    }
    return render(request, "missing/list.html", context)


@login_required
def record_episode(request: HttpRequest) -> HttpResponse:
    user = _user(request, Capability.RECORD_MISSING)
    form = forms.EpisodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            episode, _ = services.record_episode(
                by=user,
                episode=services.EpisodeInput(
                    police_reference=data["police_reference"],
                    child=services.ChildDetails(
                        given_names=data["given_names"],
                        family_name=data["family_name"],
                        date_of_birth=data["date_of_birth"],
                        nhs_number=data["nhs_number"],
                        postcode=data["postcode"],
                        sex=data["sex"],
                    ),
                    reported_at=data["reported_at"],
                    reported_by=data["reported_by"],
                    last_seen_location=data["last_seen_location"],
                    risk_grade=data["risk_grade"],
                    local_authority=data["local_authority"],
                    in_care=data["in_care"],
                    placing_authority=data["placing_authority"],
                    circumstances=data["circumstances"],
                    indicators=data["indicators"],
                ),
            )
        except ValidationError as error:
            apply_service_error(
                form,
                error,
                {"child_name": "given_names", "child_date_of_birth": "date_of_birth", "child_nhs_number": "nhs_number"},
            )
        else:
            told = "at once (high risk)" if episode.risk_grade == RiskGrade.HIGH else "in its next daily digest"
            messages.success(request, f"Episode {episode.reference} recorded: the council is told {told}.")
            return redirect(episode.get_absolute_url())
    return _form_page(
        request,
        form=form,
        title="Record a missing child",
        button="Record the episode",
        back=reverse("missing:list"),
        intro="SafeHub finds the child's record from these details; if none matches surely it makes one, "
        "and the hub checks it for a duplicate.",
    )


@login_required
def episode(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request, *READERS, Capability.RECORD_RETURN_INTERVIEW)
    if has_capability(user, Capability.RECORD_RETURN_INTERVIEW) and not has_capability(user, Capability.VIEW_PERSON):
        # A provider's worker reads the episode through its interview.
        interview = selectors.interviews_for(user=user).filter(episode_id=pk).first()
        if interview is None:
            raise Http404("No such episode")
        return redirect(interview.get_absolute_url())
    found = selectors.get_episode(user=user, pk=pk)
    context = {
        "episode": found,
        "events": list(found.events.select_related("by").order_by("at", "pk")),
        "interview": getattr(found, "interview", None),
        "flags": selectors.flags_for(found.person),
        "may_update": policy.can(user, "update_episode", found),
        "may_open_philomena": policy.can(user, "open_philomena", found.person),
        "child_visible": policy.can(user, "view", found.person),
        "indicators": [Indicator(i).label for i in found.indicators if i in Indicator.values],
    }
    return render(request, "missing/episode.html", context)


def _for_police(request: HttpRequest, pk: int) -> tuple[User, Any]:
    user = _user(request, Capability.RECORD_MISSING)
    found = selectors.get_episode(user=user, pk=pk)
    if not policy.can(user, "update_episode", found):
        raise PermissionDenied
    return user, found


@login_required
def update_episode(request: HttpRequest, pk: int) -> HttpResponse:
    user, found = _for_police(request, pk)
    form = forms.UpdateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_episode(episode=found, by=user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, "Update recorded: the council sees it in its next digest.")
            return redirect(found.get_absolute_url())
    return _form_page(
        request, form=form, title=f"Update {found.reference}", button="Record it", back=found.get_absolute_url()
    )


@login_required
def record_return(request: HttpRequest, pk: int) -> HttpResponse:
    user, found = _for_police(request, pk)
    form = forms.ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_return(
                episode=found,
                by=user,
                given=services.ReturnInput(
                    returned_at=data["returned_at"],
                    found_location=data["found_location"],
                    found_postcode=data["found_postcode"],
                    found_by=data["found_by"],
                    where_had_been=data["where_had_been"],
                    with_whom=data["with_whom"],
                    harm=data["harm"],
                    indicators=data["indicators"],
                ),
            )
        except ValidationError as error:
            apply_service_error(form, error, {"returned_at": "returned_on"})
        else:
            messages.success(request, "Return recorded: a return home interview is due within 72 hours.")
            return redirect(found.get_absolute_url())
    return _form_page(
        request,
        form=form,
        title=f"Found or returned: {found.reference}",
        button="Record the return",
        back=found.get_absolute_url(),
    )


@login_required
def open_philomena(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request, Capability.RECORD_MISSING)
    found = selectors.get_episode(user=user, pk=pk)
    if not policy.can(user, "open_philomena", found.person):
        raise PermissionDenied
    form = forms.PhilomenaOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            philomena = services.open_philomena(person=found.person, by=user, purpose=form.cleaned_data["purpose"])
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            return render(request, "missing/philomena.html", {"episode": found, "philomena": philomena})
    return _form_page(
        request,
        form=form,
        title="Open the Philomena record",
        button="Open it",
        back=found.get_absolute_url(),
        intro="The carers' Philomena protocol form: a description, where the photograph is kept, associates "
        "and places. Opening it is recorded with your reason.",
    )


def _person(user: User, pk: int) -> Person:
    person = Person.objects.filter(pk=pk).first() if policy.may_open_person(user, pk) else None
    if person is None:
        raise Http404("No such child")
    return person


@login_required
def child(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    profile = selectors.child_profile(user=user, pk=pk)
    context = {
        "profile": profile,
        "person": profile.person,
        "may_nrm": has_capability(user, Capability.REFER_NRM) and policy.can(user, "view", profile.person),
        "may_philomena": policy.can(user, "maintain_philomena", profile.person),
        "may_convene": has_capability(user, Capability.CONVENE_MEETINGS),
        "may_record_cme": has_capability(user, Capability.RECORD_MISSING_EDUCATION)
        and policy.can(user, "view", profile.person),
        "child_visible": policy.can(user, "view", profile.person),
    }
    return render(request, "missing/child.html", context)


@login_required
def keep_philomena(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request, Capability.MAINTAIN_PHILOMENA)
    person = _person(user, pk)
    if not policy.can(user, "maintain_philomena", person):
        raise PermissionDenied
    current = person.philomena if hasattr(person, "philomena") else None
    initial = (
        {f: getattr(current, f) for f in ("description", "photo_reference", "associates", "places", "health_needs")}
        if current
        else None
    )
    form = forms.PhilomenaForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.keep_philomena(person=person, by=user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, "Philomena record saved: the police can open it while the child is missing.")
            return redirect("missing:child", pk=person.pk)
    return _form_page(
        request,
        form=form,
        title="Philomena protocol record",
        button="Save it",
        back=reverse("missing:child", args=[pk]),
    )


@login_required
def refer_nrm(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request, Capability.REFER_NRM)
    person = _person(user, pk)
    form = forms.NrmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.refer_to_nrm(person=person, by=user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, "NRM referral recorded.")
            return redirect("missing:child", pk=person.pk)
    return _form_page(
        request,
        form=form,
        title="National Referral Mechanism referral",
        button="Record it",
        back=reverse("missing:child", args=[pk]),
        intro="As a first responder, record the referral you made. A child needs no consent.",
    )


@login_required
def nrm_decision(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request, Capability.REFER_NRM)
    referral = NrmReferral.objects.filter(pk=pk, organisation_id=user.organisation_id or 0).first()
    if referral is None or not policy.can(user, "view", referral.person):
        raise Http404("No such referral")
    form = forms.NrmDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_nrm_decision(referral=referral, by=user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_error(form, error, {"reasonable_grounds_on": "decided_on", "conclusive_grounds": "stage"})
        else:
            messages.success(request, "Decision recorded.")
            return redirect("missing:child", pk=referral.person_id)
    return _form_page(
        request,
        form=form,
        title="Record an NRM decision",
        button="Record it",
        back=reverse("missing:child", args=[referral.person_id]),
    )


@login_required
def digests(request: HttpRequest) -> HttpResponse:
    user = _user(request, Capability.COORDINATE_MISSING)
    page = Paginator(selectors.digests_for(user=user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "missing/digests.html", {"page": page})


@login_required
def digest(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request, Capability.COORDINATE_MISSING)
    found = selectors.get_digest(user=user, pk=pk)
    return render(request, "missing/digest.html", {"digest": found, "lines": selectors.digest_lines(found)})


@login_required
def interviews(request: HttpRequest) -> HttpResponse:
    user = _user(request, Capability.RECORD_RETURN_INTERVIEW, Capability.COORDINATE_MISSING)
    state = request.GET.get("state", "open")
    rows = selectors.open_interviews(user=user) if state == "open" else selectors.interviews_for(user=user)
    if state != "open":
        rows = rows.order_by("-due_at", "-pk")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "missing/interviews.html", {"page": page, "state": state})


@login_required
def interview(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request, Capability.RECORD_RETURN_INTERVIEW, *READERS)
    found = selectors.get_interview(user=user, pk=pk)
    may_record = policy.can(user, "record_interview", found) and not found.is_finished
    form = forms.InterviewForm(request.POST or None) if may_record else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.record_interview(
                    interview=found,
                    by=user,
                    state=data["state"],
                    at=data["moment"],
                    findings=services.InterviewFindings(
                        push_factors=data["push_factors"],
                        pull_factors=data["pull_factors"],
                        where_and_with_whom=data["where_and_with_whom"],
                        child_wants=data["child_wants"],
                        indicators=data["indicators"],
                    ),
                )
            except ValidationError as error:
                apply_service_error(form, error, {"at": "on"})
            else:
                messages.success(request, "Interview recorded.")
                return redirect(found.get_absolute_url())
    context = {
        "interview": found,
        "episode": found.episode,
        "form": form,
        "indicators": [Indicator(i).label for i in found.indicators if i in Indicator.values],
        "episode_visible": policy.can(user, "view", found.episode),
    }
    return render(request, "missing/interview.html", context)


@login_required
def education(request: HttpRequest) -> HttpResponse:
    user = _user(request, Capability.COORDINATE_MISSING, Capability.RECORD_MISSING_EDUCATION)
    show = request.GET.get("show", "open")
    rows = selectors.missing_education_for(user=user, open_only=show == "open")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    also_missing = selectors.missing_from_home_and_education(list(page.object_list))
    context = {
        "page": page,
        "show": show,
        "also_missing": also_missing,
        "coordinator": has_capability(user, Capability.COORDINATE_MISSING),
    }
    return render(request, "missing/education.html", context)


@login_required
def record_education(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request, Capability.RECORD_MISSING_EDUCATION)
    person = _person(user, pk)
    form = forms.MissingEducationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_missing_education(person=person, by=user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, "The council's children missing education officer has been told.")
            return redirect(person.get_absolute_url())
    return _form_page(
        request,
        form=form,
        title="Tell the council: child missing education",
        button="Tell the council",
        back=person.get_absolute_url(),
    )


@login_required
def resolve_education(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request, Capability.COORDINATE_MISSING)
    row = selectors.missing_education_for(user=user).filter(pk=pk).first()
    if row is None:
        raise Http404("No such record")
    assert isinstance(row, MissingEducation)
    form = forms.ResolveEducationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.resolve_missing_education(row=row, by=user, resolution=form.cleaned_data["resolution"])
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, "Closed: the child is back in education.")
            return redirect("missing:education")
    return _form_page(
        request, form=form, title="Child back in education", button="Close it", back=reverse("missing:education")
    )


urlpatterns = [
    path("", episode_list, name="list"),
    path("record/", record_episode, name="record"),
    path("<id:pk>/", episode, name="episode"),
    path("<id:pk>/update/", update_episode, name="update"),
    path("<id:pk>/return/", record_return, name="return"),
    path("<id:pk>/philomena/", open_philomena, name="open-philomena"),
    path("children/<id:pk>/", child, name="child"),
    path("children/<id:pk>/philomena/", keep_philomena, name="keep-philomena"),
    path("children/<id:pk>/nrm/", refer_nrm, name="refer-nrm"),
    path("children/<id:pk>/education/", record_education, name="record-education"),
    path("nrm/<id:pk>/decision/", nrm_decision, name="nrm-decision"),
    path("digests/", digests, name="digests"),
    path("digests/<id:pk>/", digest, name="digest"),
    path("interviews/", interviews, name="interviews"),
    path("interviews/<id:pk>/", interview, name="interview"),
    path("education/", education, name="education"),
    path("education/<id:pk>/resolve/", resolve_education, name="resolve-education"),
]
