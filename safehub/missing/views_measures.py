"""Missing children performance: the figures by council and risk, and the records behind each.
Thin: parse the period and council, ask `safehub.missing.measures`, audit, render."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone

from safehub.audit.services import record
from safehub.missing import measures
from safehub.missing.models import RiskGrade
from safehub.partnership.models import Organisation, OrganisationKind
from safehub.partnership.roles import Capability, require_capability

RECORDS_PER_PAGE = 50
PURPOSE = "missing children performance"


def _council(request: HttpRequest) -> Organisation | None:
    raw = request.GET.get("la", "")
    if not raw:
        return None
    council = (
        Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY, pk=raw).first() if raw.isdigit() else None
    )
    if council is None:
        raise Http404("Choose a council shown on the page.")
    return council


def _query(period: measures.Period, council: Organisation | None) -> dict[str, str]:
    return {**period.query, **({"la": str(council.pk)} if council else {})}


@login_required
def performance(request: HttpRequest) -> HttpResponse:
    user = require_capability(request.user, Capability.VIEW_PERFORMANCE)
    period, error = measures.period_or_default(request.GET, today=timezone.localdate())
    council = _council(request)
    figures = measures.missing_figures(period, council=council)
    record(
        action="missing.measures_viewed",
        actor=user,
        purpose=PURPOSE,
        detail={"start": f"{period.first:%Y-%m}", "end": f"{period.last:%Y-%m}", "la": council.pk if council else None},
    )
    context = {
        "figures": figures,
        "labels": measures.FIGURES,
        "risks": RiskGrade.choices,
        "period": period,
        "period_error": error,
        "council": council,
        "councils": Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY).order_by("name"),
        "start": request.GET.get("start", "") if error else f"{period.first:%Y-%m}",
        "end": request.GET.get("end", "") if error else f"{period.last:%Y-%m}",
        "query": urlencode(_query(period, council)),
        "period_query": urlencode(period.query),
    }
    return render(request, "missing/performance.html", context)


@login_required
def performance_records(request: HttpRequest) -> HttpResponse:
    user = require_capability(request.user, Capability.VIEW_PERFORMANCE)
    period, error = measures.period_or_default(request.GET, today=timezone.localdate())
    if error:
        raise Http404(error)
    council = _council(request)
    figure, risk = request.GET.get("figure", ""), request.GET.get("risk", "")
    try:
        items = measures.behind(figure, period, council=council, risk=risk)
    except measures.PeriodError as problem:
        raise Http404(str(problem)) from None
    record(
        action="missing.measures_viewed",
        actor=user,
        purpose=PURPOSE,
        detail={"figure": figure, "risk": risk, "start": f"{period.first:%Y-%m}", "end": f"{period.last:%Y-%m}"},
    )
    page = Paginator(items, RECORDS_PER_PAGE).get_page(request.GET.get("page"))
    title = measures.FIGURES[figure] + (f": {RiskGrade(risk).label.lower()} risk" if risk else "")
    if council is not None:
        title += f", {council.name}"
    context = {
        "title": title,
        "page": page,
        "records": measures.describe(user, list(page.object_list)),
        "count": page.paginator.count,
        "period": period,
        "query": urlencode(_query(period, council)),
    }
    return render(request, "missing/performance_records.html", context)


urlpatterns: list[URLPattern] = [
    path("performance/", performance, name="performance"),
    path("performance/records/", performance_records, name="performance-records"),
]
