"""The partnership dashboard, the records behind each of its figures, its charts, and the
commitments tracker. Thin: parse the filters, ask the selectors, audit, render.

Filters are in the query string (months, a council's LA code, an agency: never personal
data) so a board paper can link to exactly what it quotes.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_http_methods

from safehub.audit.services import record
from safehub.hub.measures import PeriodError, period_from, period_or_default
from safehub.measures import charts, definitions, forms, selectors, services, yearly_report
from safehub.measures.models import Commitment, CommitmentStatus, EvidencePack, PackState
from safehub.measures.selectors import FilterError, Filters
from safehub.partnership.roles import Capability, has_capability, require_capability

RECORDS_PER_PAGE = 50
PURPOSE = "partnership performance"


def _filters(request: HttpRequest) -> tuple[Filters, list[tuple[str, str]]]:
    """The filters asked for; each one that cannot be applied falls back, with its reason."""
    errors = []
    today = timezone.localdate()
    period, period_error = period_or_default(request.GET, today=today)
    if not period_error:
        try:
            selectors.within_window(period, today=today)
        except FilterError as error:
            period, period_error = period_or_default({}, today=today)[0], str(error)
    if period_error:
        errors.append(("start", period_error))
    try:
        council = selectors.council_from(request.GET.get("la", ""))
    except FilterError as error:
        council = None
        errors.append(("la", str(error)))
    try:
        agency = selectors.agency_from(request.GET.get("agency", ""))
    except FilterError as error:
        agency = ""
        errors.append(("agency", str(error)))
    return Filters(period=period, council=council, agency=agency), errors


def _strict_filters(request: HttpRequest) -> Filters:
    filters, errors = _filters(request)
    if errors:
        raise Http404(errors[0][1])
    return filters


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = require_capability(request.user, Capability.VIEW_PERFORMANCE)
    filters, errors = _filters(request)
    sections = selectors.dashboard(filters)
    record(action="measures.dashboard_viewed", actor=user, purpose=PURPOSE, detail={"filters": filters.query})
    return render(
        request,
        "measures/dashboard.html",
        {
            "filters": filters,
            "errors": errors,
            "sections": sections,
            "councils": selectors.councils(),
            "agencies": definitions.AGENCY_LABELS,
            "start": request.GET.get("start", "") if errors else f"{filters.period.first:%Y-%m}",
            "end": request.GET.get("end", "") if errors else f"{filters.period.last:%Y-%m}",
            "query": filters.query_with(),
            "refreshed_at": services.last_refreshed(),
            "commitments": Commitment.objects.order_by("reference").select_related("made_by"),
            "may_list": {m.key: selectors.may_list(user, m) for m in definitions.MEASURES},
            "may_manage": has_capability(user, Capability.MANAGE_COMMITMENTS),
        },
    )


def _measure(key: str) -> definitions.Measure:
    measure = definitions.measure(key)
    if measure is None:
        raise Http404("No such measure.")
    return measure


@login_required
@csp_override({"default-src": [CSP.NONE], "style-src": [CSP.UNSAFE_INLINE], "frame-ancestors": [CSP.SELF]})
def chart(request: HttpRequest, key: str) -> HttpResponse:
    """A measure's trend as an SVG image: the page shows it with `<img>` beside its table, so the
    chart's own styles never need the page's policy relaxed."""
    require_capability(request.user, Capability.VIEW_PERFORMANCE)
    measure = _measure(key)
    figures = selectors.figures_for(measure, _strict_filters(request))
    response = HttpResponse(charts.trend_svg(figures), content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


@login_required
def records(request: HttpRequest, key: str) -> HttpResponse:
    user = require_capability(request.user, Capability.VIEW_PERFORMANCE)
    measure = _measure(key)
    if not selectors.may_list(user, measure):
        raise Http404("Only the unit that works these records may list them.")
    filters = _strict_filters(request)
    agency = request.GET.get("for", "") or measure.agency_values[0]
    part = request.GET.get("part", "all")
    month = request.GET.get("month", "")
    try:
        period = filters.period.month(month) if month else filters.period
        rows = selectors.records_behind(measure, period, council=filters.council, agency=agency, part=part)
    except (FilterError, PeriodError) as problem:
        raise Http404(str(problem)) from None
    page = Paginator(rows, RECORDS_PER_PAGE).get_page(request.GET.get("page"))
    items = list(page.object_list)
    record(
        action="measures.records_viewed",
        actor=user,
        purpose=PURPOSE,
        detail={
            "measure": measure.key,
            "agency": agency,
            "part": part,
            "start": f"{period.first:%Y-%m}",
            "end": f"{period.last:%Y-%m}",
            "records": [item.pk for item in items],
        },
    )
    return render(
        request,
        "measures/records.html",
        {
            "measure": measure,
            "agency_label": measure.agency_label(agency),
            "part_label": selectors.PARTS[part],
            "page": page,
            "count": page.paginator.count,
            "rows": selectors.describe(user, measure, items, agency),
            "period": period,
            "filters": filters,
            "back": filters.query_with(),
            "refreshed_at": services.last_refreshed(),
        },
    )


@login_required
def commitment(request: HttpRequest, pk: int) -> HttpResponse:
    user = require_capability(request.user, Capability.VIEW_PERFORMANCE)
    found = get_object_or_404(Commitment.objects.select_related("made_by", "local_authority"), pk=pk)
    record(action="commitment.viewed", actor=user, purpose=PURPOSE, detail={"commitment": found.reference})
    targets = []
    for target in found.targets.prefetch_related("months"):
        measure = definitions.measure(target.measure)
        months = list(target.months.all())
        targets.append(
            {
                "target": target,
                "measure": measure,
                "agency_label": measure.agency_label(target.agency) if measure else target.agency,
                "months": months,
                "comparison": services.before_after(target, found, today=timezone.localdate()),
                "may_list": measure is not None and selectors.may_list(user, measure),
            }
        )
    return render(
        request,
        "measures/commitment.html",
        {
            "commitment": found,
            "targets": targets,
            "statuses": CommitmentStatus,
            "may_manage": has_capability(user, Capability.MANAGE_COMMITMENTS),
        },
    )


@login_required
def record_commitment(request: HttpRequest) -> HttpResponse:
    user = require_capability(request.user, Capability.MANAGE_COMMITMENTS)
    form = forms.CommitmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.record_commitment(
                by=user,
                wording=data["wording"],
                made_by=data["made_by"],
                made_on=data["made_on"],
                made_where=data["made_where"],
                applies_from=data["applies_from"],
                review_on=data["review_on"],
                targets=data["targets"],
                local_authority=data["local_authority"],
            )
        except services.CommitmentError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            services.evaluate_commitment(created, today=timezone.localdate())
            messages.success(request, f"Commitment {created.reference} recorded; it is evaluated every night.")
            return redirect("measures:commitment", pk=created.pk)
    return render(
        request,
        "measures/commitment_form.html",
        {"form": form, "title": "Record a commitment", "button": "Record the commitment"},
    )


PACKS_PER_PAGE = 20


@login_required
@require_http_methods(["GET", "POST"])
def evidence_packs(request: HttpRequest) -> HttpResponse:
    """The packs asked for (newest first); a POST asks for one of the dashboard's period and council."""
    user = require_capability(request.user, Capability.VIEW_PERFORMANCE)
    if request.method == "POST":
        try:
            period = period_from(request.POST.get("start"), request.POST.get("end"), today=timezone.localdate())
            council = selectors.council_from(request.POST.get("la", ""))
        except (PeriodError, FilterError) as error:
            messages.error(request, f"The evidence pack could not be asked for: {error}")
            return redirect("measures:dashboard")
        services.request_evidence_pack(by=user, period=period, council=council)
        messages.success(
            request, "Your evidence pack is being made. It appears here, ready to download, in a minute or so."
        )
        return redirect("measures:evidence-packs")
    packs = EvidencePack.objects.select_related("requested_by", "local_authority").defer("pdf", "archive")
    page = Paginator(packs, PACKS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "measures/evidence_packs.html", {"page": page, "states": PackState})


@login_required
def evidence_pack_file(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    user = require_capability(request.user, Capability.VIEW_PERFORMANCE)
    pack = get_object_or_404(EvidencePack, pk=pk, state=PackState.READY)
    record(
        action="measures.evidence_pack_downloaded",
        actor=user,
        purpose=PURPOSE,
        detail={"pack": pack.pk, "file": kind},
    )
    body, content_type = (
        (bytes(pack.pdf), "application/pdf") if kind == "pdf" else (bytes(pack.archive), "application/zip")
    )
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{pack.stem}.{kind}"'
    return response


@login_required
def yearly_report_draft(request: HttpRequest) -> HttpResponse:
    """The yearly report's draft for the dashboard's period, as a Markdown file to edit."""
    user = require_capability(request.user, Capability.VIEW_PERFORMANCE)
    filters = _strict_filters(request)
    record(action="measures.yearly_report_made", actor=user, purpose=PURPOSE, detail=filters.query)
    response = HttpResponse(yearly_report.draft(filters.period), content_type="text/markdown; charset=utf-8")
    name = f"yearly-report-{filters.period.first:%Y-%m}-to-{filters.period.last:%Y-%m}.md"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


urlpatterns: list[URLPattern] = [
    path("yearly-report.md", yearly_report_draft, name="yearly-report"),
    path("evidence-packs/", evidence_packs, name="evidence-packs"),
    path("evidence-packs/<id:pk>/pack.pdf", evidence_pack_file, {"kind": "pdf"}, name="evidence-pack-pdf"),
    path("evidence-packs/<id:pk>/pack.zip", evidence_pack_file, {"kind": "zip"}, name="evidence-pack-zip"),
    path("commitments/new/", record_commitment, name="commitment-new"),
    path("", dashboard, name="dashboard"),
    path("charts/<slug:key>.svg", chart, name="chart"),
    path("records/<slug:key>/", records, name="records"),
    path("commitments/<id:pk>/", commitment, name="commitment"),
]
