"""Directory pages: organisations, teams and the partnership's settings."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from safehub.partnership import selectors
from safehub.partnership.forms import DirectoryFilterForm
from safehub.partnership.roles import Capability, has_capability


def _require_directory(request: HttpRequest) -> None:
    if not has_capability(request.user, Capability.VIEW_DIRECTORY):  # type: ignore[arg-type]
        raise PermissionDenied


@login_required
def directory(request: HttpRequest) -> HttpResponse:
    _require_directory(request)
    form = DirectoryFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    organisations = selectors.directory(kind=filters.get("kind", ""), name=filters.get("name", ""))
    page = Paginator(organisations, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "partnership/directory.html",
        {"form": form, "page": page, "partnership": selectors.current_partnership()},
    )


@login_required
def organisation(request: HttpRequest, pk: int) -> HttpResponse:
    _require_directory(request)
    org = selectors.get_organisation(pk)
    context: dict[str, object] = {"organisation": org, "teams": selectors.teams_of(org)}
    if org.is_education:
        from safehub.timescales.calendar import next_school_day_start

        context["next_school_day"] = next_school_day_start(org, timezone.now())
    return render(request, "partnership/organisation.html", context)


@login_required
def team(request: HttpRequest, pk: int) -> HttpResponse:
    _require_directory(request)
    team = selectors.get_team(pk)
    return render(request, "partnership/team.html", {"team": team, "members": selectors.members_of(team)})
