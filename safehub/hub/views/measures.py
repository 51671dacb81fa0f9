"""Hub pages: measures. The hub performance page, and the records behind each figure.

The period is in the query string (months, never personal data). Thin: parse the period,
ask `safehub.hub.measures`, render.
"""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone

from safehub.audit.services import record
from safehub.hub import measures
from safehub.partnership.models import User
from safehub.partnership.roles import Capability, has_capability

RECORDS_PER_PAGE = 50


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@login_required
def performance(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not has_capability(user, Capability.VIEW_PERFORMANCE):
        raise PermissionDenied
    period, error = measures.period_or_default(request.GET, today=timezone.localdate())
    figures = measures.hub_figures(user, period, now=timezone.now())
    return render(
        request,
        "hub/measures.html",
        {"figures": figures, "period": period, "period_error": error, "query": urlencode(period.query)},
    )


@login_required
def performance_records(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not has_capability(user, Capability.VIEW_PERFORMANCE):
        raise PermissionDenied
    period, error = measures.period_or_default(request.GET, today=timezone.localdate())
    if error:
        raise Http404(error)
    figure, value = request.GET.get("figure", ""), request.GET.get("value", "")
    month = request.GET.get("month", "")
    try:
        title = measures.figure_title(figure, value)
        chosen = period.month(month) if month else period
    except (measures.FigureError, measures.PeriodError) as problem:
        raise Http404(str(problem)) from None
    records = measures.records_behind(user, chosen, figure, value, now=timezone.now())
    record(
        action="performance.records_listed",
        actor=user,
        purpose="hub performance",
        detail={"figure": figure, "value": value, "start": f"{chosen.first:%Y-%m}", "end": f"{chosen.last:%Y-%m}"},
    )
    page = Paginator(records, RECORDS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "hub/measures_records.html",
        {
            "title": title,
            "page": page,
            "count": len(records),
            "period": chosen,
            "query": urlencode(period.query),
            "is_checks": figure in measures.CHECK_FIGURES,
            "partnership_wide": measures.scope_of(user) == measures.Scope.PARTNERSHIP,
        },
    )


urlpatterns: list[URLPattern] = [
    path("performance/", performance, name="performance"),
    path("performance/records/", performance_records, name="performance-records"),
]
