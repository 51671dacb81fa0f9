"""REST API of the measures layer: each measure's definition and figures (the dashboard's, from
the measures table), and the partnership's commitments with their monthly evaluations.

Counts only: no record is named. The records behind a figure are on the dashboard's lists.
"""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from safehub.audit.services import record
from safehub.core.api import ApiView, error_responses
from safehub.hub.measures import PeriodError, period_from
from safehub.measures import definitions, selectors, services
from safehub.measures.models import Commitment, CommitmentStatus
from safehub.partnership.roles import Capability

MONTH_HELP = "A year and month, YYYY-MM. Both default to the last twelve months, this one included."
PURPOSE = "partnership performance"


class CountSerializer(serializers.Serializer):
    numerator = serializers.IntegerField(help_text="Records that met the standard.")
    denominator = serializers.IntegerField(help_text="Records counted.")
    share = serializers.IntegerField(allow_null=True, help_text="numerator / denominator, in per cent; null when 0.")

    class Meta:
        ref_name = "MeasureCount"


class MonthCountSerializer(CountSerializer):
    month = serializers.CharField(help_text="YYYY-MM (Europe/London).")

    class Meta:
        ref_name = "MeasureMonthCount"


class CouncilCountSerializer(CountSerializer):
    la_code = serializers.CharField(help_text="The council's LA code.")
    name = serializers.CharField()

    class Meta:
        ref_name = "MeasureCouncilCount"


class LineSerializer(serializers.Serializer):
    agency = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    total = CountSerializer(help_text="The whole period.")
    months = MonthCountSerializer(many=True)
    councils = CouncilCountSerializer(many=True, help_text="Empty for a measure kept for the force, not by council.")

    class Meta:
        ref_name = "MeasureAgencyLine"


class MeasureSerializer(serializers.Serializer):
    key = serializers.CharField()
    process = serializers.ChoiceField(choices=[(p.value, p.label) for p in definitions.Process])
    title = serializers.CharField()
    numerator_definition = serializers.CharField()
    denominator_definition = serializers.CharField()
    exclusions = serializers.CharField()
    target = serializers.IntegerField(allow_null=True, help_text="The target share in per cent, if it has one.")
    by_council = serializers.BooleanField(help_text="False for a measure kept for the force as a whole.")
    agencies = LineSerializer(many=True)

    class Meta:
        ref_name = "Measure"


class MeasureListSerializer(serializers.Serializer):
    first_month = serializers.CharField()
    last_month = serializers.CharField()
    refreshed_at = serializers.DateTimeField(allow_null=True, help_text="When the figures were last calculated.")
    measures = MeasureSerializer(many=True)

    class Meta:
        ref_name = "MeasureList"


def _count(cell: selectors.Cell) -> dict[str, Any]:
    return {"numerator": cell.numerator, "denominator": cell.denominator, "share": cell.share}


def measure_json(figures: selectors.MeasureFigures) -> dict[str, Any]:
    measure = figures.measure
    codes = dict(selectors.councils().values_list("pk", "la_code"))
    return {
        "key": measure.key,
        "process": measure.process.value,
        "title": measure.title,
        "numerator_definition": measure.numerator,
        "denominator_definition": measure.denominator,
        "exclusions": measure.exclusions,
        "target": measure.target,
        "by_council": measure.council_field is not None,
        "agencies": [
            {
                "agency": line.agency,
                "label": line.label,
                "total": _count(line.total),
                "months": [{"month": f"{month:%Y-%m}", **_count(cells[index])} for month, cells in figures.month_rows],
                "councils": [
                    {"la_code": codes.get(pk, ""), "name": name, **_count(cells[index])}
                    for pk, name, cells in figures.council_rows
                ],
            }
            for index, line in enumerate(figures.lines)
        ],
    }


def _filters(request: Request) -> selectors.Filters:
    try:
        today = timezone.localdate()
        period = selectors.within_window(
            period_from(request.query_params.get("from"), request.query_params.get("to"), today=today), today=today
        )
        council = selectors.council_from(request.query_params.get("la", ""))
        agency = selectors.agency_from(request.query_params.get("agency", ""))
    except (PeriodError, selectors.FilterError) as error:
        raise DjangoValidationError(str(error)) from None
    return selectors.Filters(period=period, council=council, agency=agency)


FILTER_PARAMETERS = [
    OpenApiParameter("from", OpenApiTypes.STR, description=f"The first month. {MONTH_HELP}", required=False),
    OpenApiParameter("to", OpenApiTypes.STR, description=f"The last month. {MONTH_HELP}", required=False),
    OpenApiParameter(
        "la", OpenApiTypes.STR, description="A council's LA code; all councils if left out.", required=False
    ),
    OpenApiParameter(
        "agency",
        OpenApiTypes.STR,
        description="One agency: " + ", ".join(definitions.AGENCY_LABELS) + "; all if left out.",
        required=False,
    ),
]


class MeasureListApi(ApiView):
    """Every measure of the partnership dashboard, with its definition and its figures by
    agency, month and council, from the measures table (refreshed every night)."""

    required_capabilities = (Capability.USE_API, Capability.VIEW_PERFORMANCE)

    @extend_schema(
        summary="The partnership's measures",
        operation_id="measures_list",
        parameters=FILTER_PARAMETERS,
        responses={200: MeasureListSerializer, **error_responses(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        filters = _filters(request)
        shown = [m for m in definitions.MEASURES if not filters.agency or filters.agency in m.agency_values]
        record(
            action="measures.dashboard_viewed", actor=self.user, purpose=PURPOSE, detail={"via": "api", **filters.query}
        )
        return Response(
            MeasureListSerializer(
                {
                    "first_month": f"{filters.period.first:%Y-%m}",
                    "last_month": f"{filters.period.last:%Y-%m}",
                    "refreshed_at": services.last_refreshed(),
                    "measures": [measure_json(selectors.figures_for(m, filters)) for m in shown],
                }
            ).data
        )


class MeasureDetailApi(ApiView):
    """One measure's definition and figures."""

    required_capabilities = (Capability.USE_API, Capability.VIEW_PERFORMANCE)

    @extend_schema(
        summary="One of the partnership's measures",
        operation_id="measure_retrieve",
        parameters=FILTER_PARAMETERS,
        responses={200: MeasureSerializer, **error_responses(400, 401, 403, 404)},
    )
    def get(self, request: Request, key: str) -> Response:
        measure = definitions.measure(key)
        if measure is None:
            raise Http404("No such measure.")
        filters = _filters(request)
        record(
            action="measures.dashboard_viewed",
            actor=self.user,
            purpose=PURPOSE,
            detail={"via": "api", "measure": key, **filters.query},
        )
        return Response(MeasureSerializer(measure_json(selectors.figures_for(measure, filters))).data)


class TargetMonthSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    numerator = serializers.IntegerField()
    denominator = serializers.IntegerField()
    met = serializers.BooleanField(allow_null=True, help_text="Null when there was nothing to measure that month.")

    class Meta:
        ref_name = "CommitmentTargetMonth"


class TargetSerializer(serializers.Serializer):
    measure = serializers.CharField()
    agency = serializers.CharField()
    target_percent = serializers.IntegerField()
    months = TargetMonthSerializer(many=True, help_text="Each whole month since the commitment applied.")

    class Meta:
        ref_name = "CommitmentTarget"


class CommitmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    wording = serializers.CharField()
    made_by = serializers.CharField(help_text="The agency that made it.")
    made_on = serializers.DateField()
    made_where = serializers.CharField()
    applies_from = serializers.DateField()
    review_on = serializers.DateField()
    la_code = serializers.CharField(allow_null=True, help_text="The council it is about; null for the partnership.")
    status = serializers.ChoiceField(choices=CommitmentStatus.choices)
    evaluated_month = serializers.CharField(allow_null=True, help_text="YYYY-MM: the last whole month evaluated.")
    targets = TargetSerializer(many=True)

    class Meta:
        ref_name = "Commitment"


def commitment_json(commitment: Commitment) -> dict[str, Any]:
    return {
        "id": commitment.pk,
        "reference": commitment.reference,
        "wording": commitment.wording,
        "made_by": commitment.made_by.name,
        "made_on": commitment.made_on,
        "made_where": commitment.made_where,
        "applies_from": commitment.applies_from,
        "review_on": commitment.review_on,
        "la_code": commitment.local_authority.la_code if commitment.local_authority else None,
        "status": commitment.status,
        "evaluated_month": f"{commitment.evaluated_month:%Y-%m}" if commitment.evaluated_month else None,
        "targets": [
            {
                "measure": target.measure,
                "agency": target.agency,
                "target_percent": target.target_percent,
                "months": [
                    {
                        "month": f"{row.month:%Y-%m}",
                        "numerator": row.numerator,
                        "denominator": row.denominator,
                        "met": row.met,
                    }
                    for row in target.months.all()
                ],
            }
            for target in commitment.targets.all()
        ],
    }


def _commitments() -> Any:
    return Commitment.objects.select_related("made_by", "local_authority").prefetch_related("targets__months")


class CommitmentListApi(ApiView):
    """The partnership's commitments, each with its status and its targets' monthly evaluations."""

    required_capabilities = (Capability.USE_API, Capability.VIEW_PERFORMANCE)

    @extend_schema(
        summary="The partnership's commitments",
        operation_id="commitments_list",
        responses={200: CommitmentSerializer(many=True), **error_responses(401, 403)},
    )
    def get(self, request: Request) -> Response:
        record(action="commitment.viewed", actor=self.user, purpose=PURPOSE, detail={"via": "api"})
        paginator = self.pagination_class()
        page: list[Commitment] = (
            paginator.paginate_queryset(_commitments().order_by("reference"), self.request, view=self) or []
        )
        return paginator.get_paginated_response([CommitmentSerializer(commitment_json(c)).data for c in page])


class CommitmentDetailApi(ApiView):
    required_capabilities = (Capability.USE_API, Capability.VIEW_PERFORMANCE)

    @extend_schema(
        summary="One commitment",
        operation_id="commitment_retrieve",
        responses={200: CommitmentSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        commitment = _commitments().filter(pk=pk).first()
        if commitment is None:
            raise Http404("No such commitment.")
        record(
            action="commitment.viewed",
            actor=self.user,
            purpose=PURPOSE,
            detail={"via": "api", "commitment": commitment.reference},
        )
        return Response(CommitmentSerializer(commitment_json(commitment)).data)
