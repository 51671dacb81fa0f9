"""Calendar pages: timescales in force, bank holidays, term dates and a school's calendar."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from safehub.partnership.roles import Capability, has_capability
from safehub.timescales import selectors


def _require(request: HttpRequest) -> None:
    if not has_capability(request.user, Capability.VIEW_CALENDARS):  # type: ignore[arg-type]
        raise PermissionDenied


@login_required
def calendars(request: HttpRequest) -> HttpResponse:
    _require(request)
    today = timezone.localdate()
    context = {
        "timescales": selectors.timescales_in_force(),
        "bank_holiday_years": [(year, selectors.bank_holidays(year)) for year in (today.year, today.year + 1)],
        "authorities": selectors.local_authority_terms(today),
    }
    return render(request, "timescales/calendars.html", context)


@login_required
def school_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request)
    school = selectors.get_school(pk)
    summary = selectors.school_calendar(school, timezone.now())
    return render(request, "timescales/school_calendar.html", {"school": school, "calendar": summary})
