"""Investigation performance: the closure figures and the records behind each. Thin: parse the
period, ask `safehub.investigations.measures`, audit, render."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone

from safehub.audit.services import record
from safehub.investigations import measures
from safehub.investigations.models import ClosureOutcome
from safehub.partnership.roles import Capability, require_capability

RECORDS_PER_PAGE = 50
PURPOSE = "investigation performance"


@login_required
def performance(request: HttpRequest) -> HttpResponse:
    user = require_capability(request.user, Capability.VIEW_PERFORMANCE)
    period, error = measures.period_or_default(request.GET, today=timezone.localdate())
    figures = measures.investigation_figures(period)
    record(
        action="investigations.measures_viewed",
        actor=user,
        purpose=PURPOSE,
        detail={"start": f"{period.first:%Y-%m}", "end": f"{period.last:%Y-%m}"},
    )
    context = {
        "figures": figures,
        "labels": measures.FIGURES,
        "period": period,
        "period_error": error,
        "start": request.GET.get("start", "") if error else f"{period.first:%Y-%m}",
        "end": request.GET.get("end", "") if error else f"{period.last:%Y-%m}",
        "query": urlencode(period.query),
    }
    return render(request, "investigations/performance.html", context)


@login_required
def performance_records(request: HttpRequest) -> HttpResponse:
    user = require_capability(request.user, Capability.VIEW_PERFORMANCE)
    period, error = measures.period_or_default(request.GET, today=timezone.localdate())
    if error:
        raise Http404(error)
    figure, outcome = request.GET.get("figure", ""), request.GET.get("outcome", "")
    try:
        items = measures.behind(figure, period, outcome=outcome)
    except measures.PeriodError as problem:
        raise Http404(str(problem)) from None
    record(
        action="investigations.measures_viewed",
        actor=user,
        purpose=PURPOSE,
        detail={"figure": figure, "outcome": outcome, "start": f"{period.first:%Y-%m}", "end": f"{period.last:%Y-%m}"},
    )
    page = Paginator(items, RECORDS_PER_PAGE).get_page(request.GET.get("page"))
    title = measures.FIGURES[figure] + (f": {ClosureOutcome(outcome).label.lower()}" if outcome else "")
    context = {
        "title": title,
        "page": page,
        "records": measures.describe(user, list(page.object_list)),
        "count": page.paginator.count,
        "period": period,
        "query": urlencode(period.query),
        "reviews": figure == "reviews_overdue",
    }
    return render(request, "investigations/performance_records.html", context)


urlpatterns: list[URLPattern] = [
    path("performance/", performance, name="performance"),
    path("performance/records/", performance_records, name="performance-records"),
]
