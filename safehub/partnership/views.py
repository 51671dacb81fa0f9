"""Directory pages: organisations, teams and the partnership's settings."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from safehub.partnership import selectors
from safehub.partnership.forms import DirectoryFilterForm, PartnershipSettingsForm
from safehub.partnership.roles import Capability, has_capability
from safehub.partnership.services import update_partnership_settings
from safehub.timescales.selectors import timescales_in_force


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


@login_required
def partnership_settings(request: HttpRequest) -> HttpResponse:
    _require_directory(request)
    partnership = selectors.current_partnership()
    if partnership is None:
        raise Http404("No partnership has been set up")
    return render(
        request,
        "partnership/settings.html",
        {
            "partnership": partnership,
            "members": selectors.member_counts(partnership),
            "timescales": [t for t in timescales_in_force(partnership) if t.configurable],
            "can_change": has_capability(request.user, Capability.MANAGE_SETTINGS),  # type: ignore[arg-type]
            # The rooms' join links are for meetings' invitees: only administrators see them here.
            "video_rooms": list(partnership.video_rooms.order_by("name", "pk")),
        },
    )


@login_required
def change_partnership_settings(request: HttpRequest) -> HttpResponse:
    if not has_capability(request.user, Capability.MANAGE_SETTINGS):  # type: ignore[arg-type]
        raise PermissionDenied
    partnership = selectors.current_partnership()
    if partnership is None:
        raise Http404("No partnership has been set up")
    timescales = timescales_in_force(partnership)
    initial = {
        "name": partnership.name,
        "short_name": partnership.short_name,
        "hub_name": partnership.hub_name,
        "video_provider_name": partnership.video_provider_name,
        "video_link_template": partnership.video_link_template,
        "encompass_includes_early_years": partnership.encompass_includes_early_years,
    }
    form = PartnershipSettingsForm(request.POST or None, initial=initial, timescales=timescales)
    if request.method == "POST" and form.is_valid():
        try:
            update_partnership_settings(
                partnership=partnership,
                name=form.cleaned_data["name"],
                short_name=form.cleaned_data["short_name"],
                hub_name=form.cleaned_data["hub_name"],
                timescales=form.timescale_values(),
                changed_by=request.user,  # type: ignore[arg-type]
                video_provider_name=form.cleaned_data["video_provider_name"],
                video_link_template=form.cleaned_data["video_link_template"],
                encompass_includes_early_years=form.cleaned_data["encompass_includes_early_years"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
        else:
            messages.success(request, "The partnership's settings have been saved.")
            return redirect("partnership:settings")
    return render(request, "partnership/settings_change.html", {"form": form})
