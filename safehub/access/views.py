"""Emergency access (break-glass) for practitioners, and the privacy officer's review pages.

Thin: each view parses a form, calls one service or selector, and renders. Search terms
and reasons are kept in the session, never in URLs (see `safehub.core.search_state`).
"""

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from safehub.access import selectors, services
from safehub.access.forms import BreakGlassForm, PersonReferenceForm, ReviewForm
from safehub.core.search_state import load_search, save_search
from safehub.partnership.models import User
from safehub.partnership.roles import Capability, has_capability
from safehub.people import selectors as people_selectors
from safehub.people.forms import parse_date_of_birth

# How long after re-entering the password the user may open a record from the results.
CONFIRMATION_LASTS = datetime.timedelta(minutes=10)
SEARCH_FIELDS = ("name", "date_of_birth", "identifier", "postcode")


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _require(request: HttpRequest, capability: Capability) -> None:
    if not has_capability(_user(request), capability):
        raise PermissionDenied


# Emergency access ------------------------------------------------------------------------


@login_required
def emergency_access(request: HttpRequest) -> HttpResponse:
    """The reason, the password again, and whom the user is looking for."""
    _require(request, Capability.BREAK_GLASS)
    user = _user(request)
    if request.method == "POST":
        ip_address = request.META.get("REMOTE_ADDR") or None
        form = BreakGlassForm(request.POST, user=user, ip_address=ip_address)
        valid = form.is_valid()
        if form.password_checked:
            services.record_break_glass_password_attempt(
                user=user, ip_address=ip_address, succeeded=not form.password_refused
            )
        if valid:
            state = {
                "reason": form.cleaned_data["reason"],
                "terms": {name: form.data.get(name, "") for name in SEARCH_FIELDS},
                "confirmed_at": timezone.now().isoformat(),
                "emergency": True,
            }
            return redirect(f"{reverse('access:emergency-results')}?q={save_search(request, state)}")
    else:
        form = BreakGlassForm(user=user)
    return render(request, "access/emergency_access.html", {"form": form})


def _emergency_state(request: HttpRequest) -> dict[str, Any] | None:
    state = load_search(request)
    if not state or not state.get("emergency"):
        return None
    confirmed_at = datetime.datetime.fromisoformat(state["confirmed_at"])
    if timezone.now() - confirmed_at > CONFIRMATION_LASTS:
        return None
    return state


def _search_of(state: dict[str, Any]) -> people_selectors.PersonSearch:
    terms = state["terms"]
    raw_dob = (terms.get("date_of_birth") or "").strip()
    return people_selectors.PersonSearch(
        name=terms.get("name", ""),
        date_of_birth=parse_date_of_birth(raw_dob) if raw_dob else None,
        identifier=terms.get("identifier", "").strip(),
        postcode=terms.get("postcode", "").strip(),
    )


@login_required
def emergency_results(request: HttpRequest) -> HttpResponse:
    """Matching records outside the user's scope, with minimal identity."""
    _require(request, Capability.BREAK_GLASS)
    user = _user(request)
    state = _emergency_state(request)
    if state is None:
        return render(request, "access/emergency_expired.html", status=200)
    search = _search_of(state)
    matches = people_selectors.search_outside_scope(user=user, search=search)
    count = matches.count()
    services.record_search(user=user, criteria=search.criteria(), result_count=count, purpose="emergency access search")
    return render(
        request,
        "access/emergency_results.html",
        {
            "people": list(matches[: people_selectors.BREAK_GLASS_RESULT_LIMIT]),
            "count": count,
            "limit": people_selectors.BREAK_GLASS_RESULT_LIMIT,
            "key": request.GET.get("q", ""),
            "reason": state["reason"],
        },
    )


@login_required
@require_POST
def open_with_emergency_access(request: HttpRequest) -> HttpResponse:
    _require(request, Capability.BREAK_GLASS)
    user = _user(request)
    state = _emergency_state(request)
    if state is None:
        return render(request, "access/emergency_expired.html", status=200)
    try:
        person_pk = int(request.POST.get("person", ""))
    except ValueError as error:
        raise Http404("No such person") from error
    # Only a person from this search: the reason and password were given for it.
    person = people_selectors.search_outside_scope(user=user, search=_search_of(state)).filter(pk=person_pk).first()
    if person is None:
        if people_selectors.persons_visible_to(user).filter(pk=person_pk).exists():
            # Opened already (in another tab, say): the record simply opens.
            return redirect("people:person", pk=person_pk)
        raise Http404("No such person")
    services.open_break_glass(user=user, person=person, reason=state["reason"])
    return redirect(person.get_absolute_url())


# The privacy officer ----------------------------------------------------------------------


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    _require(request, Capability.REVIEW_ACCESS)
    user = _user(request)
    reviewed = Paginator(selectors.reviewed_grants(user=user), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "access/review_queue.html",
        {"grants": list(selectors.grants_to_review(user=user)), "reviewed": reviewed},
    )


@login_required
def review_grant(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Capability.REVIEW_ACCESS)
    user = _user(request)
    grant = selectors.grant_to_review(user=user, pk=pk)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and not grant.is_reviewed and form.is_valid():
        try:
            services.review_break_glass(
                reviewer=user,
                grant=grant,
                outcome=form.cleaned_data["outcome"],
                notes=form.cleaned_data["review_notes"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Review of the emergency access to {grant.person.reference} recorded.")
            return redirect("access:review-queue")
    return render(request, "access/review_grant.html", {"grant": grant, "form": form})


@login_required
def find_access_history(request: HttpRequest) -> HttpResponse:
    _require(request, Capability.REVIEW_ACCESS)
    form = PersonReferenceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        pk = form.cleaned_data["reference"]
        if selectors.person_exists(user=_user(request), pk=pk):
            return redirect("access:history", pk=pk)
        form.add_error("reference", "There is no record with that reference. Check it against the queue or record.")
    return render(request, "access/find_history.html", {"form": form})


@login_required
def access_history(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Capability.REVIEW_ACCESS)
    user = _user(request)
    person = selectors.person_for_access_history(user=user, pk=pk)
    services.record_access_history_viewed(user=user, person=person)
    events = Paginator(selectors.access_history(user=user, person=person), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "access/history.html",
        {"person": person, "events": events, "grants": list(selectors.emergency_access_to(user=user, person=person))},
    )
