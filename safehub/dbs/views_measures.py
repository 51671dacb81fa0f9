"""The disclosure unit's figures and the checks behind each. Thin: parse the period, ask
`safehub.dbs.measures` for the user's force, audit, render. Only the unit sees them: the
records behind them are checks."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone

from safehub.audit.services import record
from safehub.dbs import measures
from safehub.partnership.roles import Capability, require_capability

RECORDS_PER_PAGE = 50
PURPOSE = "DBS local check performance"
TITLES = {**measures.FIGURES, "backlog": "The backlog today: open checks past their standard"}


@login_required
def performance(request: HttpRequest) -> HttpResponse:
    user = require_capability(request.user, Capability.WORK_DBS_CHECKS)
    today = timezone.localdate()
    period, error = measures.period_or_default(request.GET, today=today)
    assert user.organisation_id is not None
    figures = measures.dbs_figures(user.organisation_id, period, today=today)
    record(
        action="dbs.measures_viewed",
        actor=user,
        purpose=PURPOSE,
        detail={"start": f"{period.first:%Y-%m}", "end": f"{period.last:%Y-%m}"},
    )
    context = {
        "figures": figures,
        "period": period,
        "labels": measures.FIGURES,
        "period_error": error,
        "start": request.GET.get("start", "") if error else f"{period.first:%Y-%m}",
        "end": request.GET.get("end", "") if error else f"{period.last:%Y-%m}",
        "query": urlencode(period.query),
        "backlog_today": measures.backlog_on(user.organisation_id, today).count(),
        "peak": max(figures.backlog_by_month, key=lambda pair: pair[1], default=None),
    }
    return render(request, "dbs/performance.html", context)


@login_required
def performance_records(request: HttpRequest) -> HttpResponse:
    user = require_capability(request.user, Capability.WORK_DBS_CHECKS)
    today = timezone.localdate()
    period, error = measures.period_or_default(request.GET, today=today)
    if error:
        raise Http404(error)
    figure, age, month = request.GET.get("figure", ""), request.GET.get("age", ""), request.GET.get("month", "")
    assert user.organisation_id is not None
    try:
        scope = period.month(month) if month else period
        items = measures.records(figure, user.organisation_id, scope, today=today, age=age)
    except measures.PeriodError as problem:
        raise Http404(str(problem)) from None
    record(
        action="dbs.measures_viewed",
        actor=user,
        purpose=PURPOSE,
        detail={"figure": figure, "age": age, "month": month, "start": f"{period.first:%Y-%m}"},
    )
    page = Paginator(items.select_related("allocated_to"), RECORDS_PER_PAGE).get_page(request.GET.get("page"))
    title = f"Open checks {age} since receipt" if age else TITLES[figure]
    if month and not age:
        title = (
            TITLES[figure].replace("today", f"at the end of {scope.first:%B %Y}")
            if figure == "backlog"
            else (f"{title}, {scope.first:%B %Y}")
        )
    context = {
        "title": title,
        "page": page,
        "count": page.paginator.count,
        "period": period,
        "query": urlencode(period.query),
    }
    return render(request, "dbs/performance_records.html", context)


urlpatterns: list[URLPattern] = [
    path("performance/", performance, name="performance"),
    path("performance/records/", performance_records, name="performance-records"),
]
