"""Operation Encompass performance: the partnership's (or one school's) figures by month, and
the notices behind each figure.

The period and the school are in the query string (months and an id, never personal data), as
on the hub's performance page. Thin: parse, ask `safehub.encompass.measures`, audit, render.
"""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone

from safehub.audit.services import record
from safehub.encompass import measures
from safehub.partnership.models import Organisation
from safehub.partnership.roles import Capability, require_capability
from safehub.timescales.rules import timescale_value

RECORDS_PER_PAGE = 50
PURPOSE = "Operation Encompass performance"


def _query(period: measures.Period, school: Organisation | None) -> str:
    return urlencode({**period.query, **({"school": str(school.pk)} if school is not None else {})})


def _acknowledge_by_text() -> str:
    minutes = timescale_value("encompass_acknowledgement")
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@login_required
def performance(request: HttpRequest) -> HttpResponse:
    user = require_capability(request.user, Capability.VIEW_PERFORMANCE)
    period, period_error = measures.period_or_default(request.GET, today=timezone.localdate())
    school_error = ""
    try:
        school = measures.school_from(request.GET.get("school"))
    except measures.FigureError as error:
        school, school_error = None, str(error)
    figures = measures.encompass_figures(period, school=school)
    record(
        action="encompass.measures_viewed",
        actor=user,
        purpose=PURPOSE,
        detail={
            "start": f"{period.first:%Y-%m}",
            "end": f"{period.last:%Y-%m}",
            "school": school.pk if school is not None else None,
        },
    )
    return render(
        request,
        "encompass/performance.html",
        {
            "figures": figures,
            "period": period,
            "period_error": period_error,
            "school_error": school_error,
            "schools": measures.schools_notified(),
            "query": _query(period, school),
            "period_query": urlencode(period.query),
            "acknowledge_by": _acknowledge_by_text(),
        },
    )


@login_required
def performance_records(request: HttpRequest) -> HttpResponse:
    user = require_capability(request.user, Capability.VIEW_PERFORMANCE)
    period, error = measures.period_or_default(request.GET, today=timezone.localdate())
    if error:
        raise Http404(error)
    figure, value, month = request.GET.get("figure", ""), request.GET.get("value", ""), request.GET.get("month", "")
    try:
        title = measures.figure_title(figure, value)
        school = measures.school_from(request.GET.get("school"))
        chosen = period.month(month) if month else period
    except (measures.FigureError, measures.PeriodError) as problem:
        raise Http404(str(problem)) from None
    notices = measures.notices_behind(chosen, figure, value, school=school)
    record(
        action="encompass.measures_viewed",
        actor=user,
        purpose=PURPOSE,
        detail={
            "figure": figure,
            "value": value,
            "school": school.pk if school is not None else None,
            "start": f"{chosen.first:%Y-%m}",
            "end": f"{chosen.last:%Y-%m}",
        },
    )
    page = Paginator(notices, RECORDS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "encompass/performance_records.html",
        {
            "title": title,
            "page": page,
            "records": measures.describe(user, list(page.object_list)),
            "count": page.paginator.count,
            "period": chosen,
            "school": school,
            "query": _query(period, school),
        },
    )


urlpatterns: list[URLPattern] = [
    path("performance/", performance, name="performance"),
    path("performance/records/", performance_records, name="performance-records"),
]
