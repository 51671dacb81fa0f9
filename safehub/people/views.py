"""Pages for finding people and reading their records. Thin: each calls a selector.

Search terms are POSTed and kept out of URLs (see `safehub.core.search_state`).
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from safehub.access import policy
from safehub.access import services as access_services
from safehub.core.search_state import load_search, save_search
from safehub.partnership.models import User
from safehub.partnership.roles import Capability, has_capability
from safehub.people import selectors
from safehub.people.forms import PersonSearchForm, RollFilterForm

RESULTS_PER_PAGE = 25


def _require(request: HttpRequest, capability: Capability) -> None:
    if not has_capability(request.user, capability):  # type: ignore[arg-type]
        raise PermissionDenied


def _terms(form: PersonSearchForm | RollFilterForm) -> dict[str, str]:
    return {name: form.data.get(name, "") for name in form.fields}


@login_required
def search(request: HttpRequest) -> HttpResponse:
    _require(request, Capability.SEARCH_PEOPLE)
    user: User = request.user  # type: ignore[assignment]
    context = {
        "fields": policy.field_access(user),
        "can_break_glass": has_capability(user, Capability.BREAK_GLASS),
    }
    if request.method == "POST":
        form = PersonSearchForm(request.POST)
        if form.is_valid():
            return redirect(f"{reverse('people:search')}?q={save_search(request, _terms(form))}")
        return render(request, "people/search.html", {**context, "form": form, "page": None})
    terms = load_search(request)
    form = PersonSearchForm(terms)
    page = None
    if terms is not None and form.is_valid():
        search_terms = selectors.PersonSearch(
            name=form.cleaned_data["name"],
            date_of_birth=form.cleaned_data["date_of_birth"],
            identifier=form.cleaned_data["identifier"],
            postcode=form.cleaned_data["postcode"],
        )
        results = selectors.search_people(user=user, search=search_terms)
        page = Paginator(results, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
        # Recorded before the results are rendered, with the terms: the privacy officer sees what was sought.
        access_services.record_search(user=user, criteria=search_terms.criteria(), result_count=page.paginator.count)
    return render(request, "people/search.html", {**context, "form": form, "page": page})


@login_required
def person(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Capability.VIEW_PERSON)
    user = request.user
    record = selectors.get_person(user=user, pk=pk)  # type: ignore[arg-type]
    chronology = Paginator(selectors.chronology_for(user=user, person=record), 50).get_page(request.GET.get("page"))  # type: ignore[arg-type]
    context = {
        "mother": selectors.visible_mother(user=user, person=record),  # type: ignore[arg-type]
        "household": selectors.household_of(user=user, person=record),  # type: ignore[arg-type]
        "grant": policy.active_grant_for(user, record),  # type: ignore[arg-type]
        "fields": policy.field_access(user),  # type: ignore[arg-type]
    }
    # Recorded before anything is rendered: if the event cannot be written, nothing is shown.
    access_services.record_person_viewed(user=user, person=record)  # type: ignore[arg-type]
    return render(
        request,
        "people/person.html",
        {
            **context,
            "person": record,
            "age": record.age_on(timezone.localdate()),
            "chronology": chronology,
        },
    )


@login_required
def school_roll(request: HttpRequest) -> HttpResponse:
    _require(request, Capability.VIEW_SCHOOL_ROLL)
    if request.method == "POST":
        form = RollFilterForm(request.POST)
        if form.is_valid():
            return redirect(f"{reverse('people:school-roll')}?q={save_search(request, _terms(form))}")
    else:
        form = RollFilterForm(load_search(request))
    name = form.cleaned_data["name"] if form.is_bound and form.is_valid() else ""
    roll = selectors.school_roll(user=request.user, name=name)  # type: ignore[arg-type]
    page = Paginator(roll, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "people/school_roll.html", {"form": form, "page": page})
