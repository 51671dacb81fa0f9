"""REST API for the partnership's meeting attendance figures: the same figures as the
Meeting attendance page (`safehub.meetings.views.measures`), as JSON.

Counts only, for the whole partnership: no meeting is named and no child either. The
meetings behind a figure are on the page's records list, where each is shown by reference.
"""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from safehub.audit.services import record
from safehub.core.api import ApiView, error_responses
from safehub.meetings import measures
from safehub.meetings.models import Agency
from safehub.partnership.roles import Capability

MONTH_HELP = "A year and month, YYYY-MM. Both default to the last twelve months, this one included."


class AttendanceMonthSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM; the month the meetings were held (Europe/London).")
    held = serializers.IntegerField(help_text="Meetings of the group held in the month.")
    attended = serializers.IntegerField(help_text="Of those, the meetings someone attended for the agency.")
    remote = serializers.IntegerField(help_text="Of those attended, the ones someone joined by video or phone.")
    share = serializers.IntegerField(allow_null=True, help_text="attended / held, in per cent; null when none held.")

    class Meta:
        ref_name = "MeetingAttendanceMonth"


class AttendanceTotalSerializer(serializers.Serializer):
    held = serializers.IntegerField()
    attended = serializers.IntegerField()
    remote = serializers.IntegerField()
    share = serializers.IntegerField(allow_null=True)

    class Meta:
        ref_name = "MeetingAttendanceTotal"


class AgencyAttendanceSerializer(serializers.Serializer):
    agency = serializers.ChoiceField(choices=Agency.choices)
    # DRF moves declared fields off the class, so `label` does not shadow Field.label.
    label = serializers.CharField()  # type: ignore[assignment]
    months = AttendanceMonthSerializer(many=True)
    total = AttendanceTotalSerializer(help_text="The whole period.")

    class Meta:
        ref_name = "MeetingAgencyAttendance"


class GroupAttendanceSerializer(serializers.Serializer):
    group = serializers.ChoiceField(choices=list(measures.GROUPS.items()))
    label = serializers.CharField()  # type: ignore[assignment]
    held = serializers.IntegerField(help_text="Meetings of the group held in the period.")
    agencies = AgencyAttendanceSerializer(
        many=True,
        help_text="Children's social care, police, health and school or setting always; other agencies once "
        "they attended one of the group's meetings in the period.",
    )

    class Meta:
        ref_name = "MeetingGroupAttendance"


class HeldMonthSerializer(serializers.Serializer):
    month = serializers.CharField(allow_null=True, help_text="YYYY-MM; null for the whole period.")
    held = serializers.IntegerField()
    on_time = serializers.IntegerField(help_text="Held (started) by their due time.")
    on_time_share = serializers.IntegerField(allow_null=True, help_text="on_time / held, in per cent.")
    not_quorate = serializers.IntegerField(
        help_text="Without children's social care, police and health each represented by a decision-maker."
    )
    without_quorum = serializers.IntegerField(help_text="Decided without quorum on a team manager's override.")

    class Meta:
        ref_name = "MeetingHeldMonth"


class GroupHeldSerializer(serializers.Serializer):
    group = serializers.ChoiceField(choices=list(measures.GROUPS.items()))
    label = serializers.CharField()  # type: ignore[assignment]
    months = HeldMonthSerializer(many=True)
    total = HeldMonthSerializer(help_text="The whole period (`month` is null).")

    class Meta:
        ref_name = "MeetingGroupHeld"


class PeriodSerializer(serializers.Serializer):
    first_month = serializers.CharField(help_text="YYYY-MM: `from`, or its default.")
    last_month = serializers.CharField(help_text="YYYY-MM: `to`, or its default.")
    months = serializers.ListField(child=serializers.CharField(), help_text="Every month of the period, YYYY-MM.")

    class Meta:
        ref_name = "MeetingMeasuresPeriod"


class MeetingMeasuresOutputSerializer(serializers.Serializer):
    period = PeriodSerializer()
    attendance = GroupAttendanceSerializer(many=True, help_text="Attendance by agency, one entry per group.")
    timeliness_and_quorum = GroupHeldSerializer(
        many=True, help_text="Meetings held by their due time, and quorum, one entry per group."
    )

    class Meta:
        ref_name = "MeetingMeasures"


def _month(month: Any) -> str | None:
    return f"{month:%Y-%m}" if month else None


def _attendance_cell(cell: measures.AttendanceCell) -> dict[str, Any]:
    return {"held": cell.held, "attended": cell.attended, "remote": cell.remote, "share": cell.share}


def _held_cell(cell: measures.HeldCell) -> dict[str, Any]:
    return {
        "month": _month(cell.month),
        "held": cell.held,
        "on_time": cell.on_time,
        "on_time_share": cell.on_time_share,
        "not_quorate": cell.not_quorate,
        "without_quorum": cell.without_quorum,
    }


def as_json(figures: measures.MeetingFigures) -> dict[str, Any]:
    period = figures.period
    return {
        "period": {
            "first_month": f"{period.first:%Y-%m}",
            "last_month": f"{period.last:%Y-%m}",
            "months": [f"{month:%Y-%m}" for month in period.months],
        },
        "attendance": [
            {
                "group": group.group,
                "label": group.label,
                "held": group.held,
                "agencies": [
                    {
                        "agency": row.agency,
                        "label": row.label,
                        "months": [{"month": _month(cell.month), **_attendance_cell(cell)} for cell in row.months],
                        "total": _attendance_cell(row.total),
                    }
                    for row in group.agencies
                ],
            }
            for group in figures.attendance
        ],
        "timeliness_and_quorum": [
            {
                "group": group.group,
                "label": group.label,
                "months": [_held_cell(cell) for cell in group.months],
                "total": _held_cell(group.total),
            }
            for group in figures.held
        ],
    }


class MeetingAttendanceApi(ApiView):
    """The partnership's attendance by agency at strategy discussions and child protection
    conferences, meetings held by their due time, and quorum, month by month: the figures of
    the Meeting attendance page. Counts held meetings by the month they started in
    (Europe/London); an agency not invited to a meeting did not attend it."""

    required_capabilities = (Capability.USE_API, Capability.VIEW_PERFORMANCE)

    @extend_schema(
        summary="Meeting attendance and timeliness figures",
        parameters=[
            OpenApiParameter("from", OpenApiTypes.STR, description=f"The first month. {MONTH_HELP}", required=False),
            OpenApiParameter("to", OpenApiTypes.STR, description=f"The last month. {MONTH_HELP}", required=False),
        ],
        responses={200: MeetingMeasuresOutputSerializer, **error_responses(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        try:
            period = measures.period_from(
                request.query_params.get("from"), request.query_params.get("to"), today=timezone.localdate()
            )
        except measures.PeriodError as error:
            raise DjangoValidationError(str(error)) from None
        figures = measures.meeting_figures(period)
        record(
            action="meetings.measures_viewed",
            actor=self.user,
            purpose="meeting attendance",
            detail={"via": "api", "start": f"{period.first:%Y-%m}", "end": f"{period.last:%Y-%m}"},
        )
        return Response(MeetingMeasuresOutputSerializer(as_json(figures)).data)
