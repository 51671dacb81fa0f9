"""Calendar pages: timescales in force, bank holidays, term dates and a school's calendar."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from safehub.partnership import selectors as partnership_selectors
from safehub.partnership.roles import Capability, has_capability


def _require(request: HttpRequest) -> None:
    if not has_capability(request.user, Capability.VIEW_CALENDARS):  # type: ignore[arg-type]
        raise PermissionDenied


@login_required
def calendars(request: HttpRequest) -> HttpResponse:
    _require(request)
    return render(request, "timescales/calendars.html", {})


@login_required
def school_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request)
    school = partnership_selectors.get_organisation(pk)
    return render(request, "timescales/school_calendar.html", {"school": school})
