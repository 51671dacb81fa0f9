"""Meeting attendance: the partnership's attendance and timeliness figures for strategy
discussions and conferences, and the meetings behind each figure.

The period is in the query string (months, never personal data), as on the hub's performance
page. Thin: parse the period, ask `safehub.meetings.measures`, audit, render.
"""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone

from safehub.audit.services import record
from safehub.meetings import measures
from safehub.meetings.models import Agency
from safehub.partnership.roles import Capability, require_capability

RECORDS_PER_PAGE = 50
PURPOSE = "meeting attendance"


@login_required
def attendance(request: HttpRequest) -> HttpResponse:
    user = require_capability(request.user, Capability.VIEW_PERFORMANCE)
    period, error = measures.period_or_default(request.GET, today=timezone.localdate())
    figures = measures.meeting_figures(period)
    record(
        action="meetings.measures_viewed",
        actor=user,
        purpose=PURPOSE,
        detail={"start": f"{period.first:%Y-%m}", "end": f"{period.last:%Y-%m}"},
    )
    return render(
        request,
        "meetings/attendance.html",
        {
            "figures": figures,
            "period": period,
            "period_error": error,
            # A period that cannot be shown stays in the form as entered, to be corrected.
            "start": request.GET.get("start", "") if error else f"{period.first:%Y-%m}",
            "end": request.GET.get("end", "") if error else f"{period.last:%Y-%m}",
            "query": urlencode(period.query),
        },
    )


@login_required
def attendance_records(request: HttpRequest) -> HttpResponse:
    user = require_capability(request.user, Capability.VIEW_PERFORMANCE)
    period, error = measures.period_or_default(request.GET, today=timezone.localdate())
    if error:
        raise Http404(error)
    figure, group = request.GET.get("figure", ""), request.GET.get("group", "")
    agency, month = request.GET.get("agency", ""), request.GET.get("month", "")
    try:
        title = measures.figure_title(figure, group, agency)
        chosen = period.month(month) if month else period
    except (measures.FigureError, measures.PeriodError) as problem:
        raise Http404(str(problem)) from None
    meetings = measures.meetings_behind(chosen, figure, group, agency)
    record(
        action="meetings.measures_viewed",
        actor=user,
        purpose=PURPOSE,
        detail={
            "figure": figure,
            "group": group,
            "agency": agency,
            "start": f"{chosen.first:%Y-%m}",
            "end": f"{chosen.last:%Y-%m}",
        },
    )
    page = Paginator(meetings, RECORDS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "meetings/attendance_records.html",
        {
            "title": title,
            "page": page,
            "records": measures.describe(user, list(page.object_list)),
            "agencies": [Agency(agency).label for agency in measures.ALWAYS_SHOWN],
            "count": page.paginator.count,
            "period": chosen,
            "query": urlencode(period.query),
        },
    )


urlpatterns: list[URLPattern] = [
    path("attendance/", attendance, name="attendance"),
    path("attendance/records/", attendance_records, name="attendance-records"),
]
