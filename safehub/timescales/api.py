"""REST API endpoints of the timescales app: working days, school days and the timescales in force."""

import datetime
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from safehub.core.api import Pagination
from safehub.partnership.roles import Capability, has_capability
from safehub.timescales import selectors
from safehub.timescales.calendar import CalendarError, add_working_days, next_school_day_starts
from safehub.timescales.rules import Unit

MAX_WORKING_DAYS = 1000


class CanUseCalendarApi(permissions.BasePermission):
    message = "Your account cannot use the calendar API. Ask your administrator for API access."

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        return has_capability(user, Capability.USE_API) and has_capability(user, Capability.VIEW_CALENDARS)  # type: ignore[arg-type]


class WorkingDaysApi(APIView):
    """The date `days` working days after `start` (England: weekends and bank holidays do not count)."""

    permission_classes = [permissions.IsAuthenticated, CanUseCalendarApi]

    class InputSerializer(serializers.Serializer):
        start = serializers.DateField(help_text="The day to count from, as YYYY-MM-DD.")
        days = serializers.IntegerField(
            min_value=0, max_value=MAX_WORKING_DAYS, help_text="How many working days to add."
        )

    class OutputSerializer(serializers.Serializer):
        start = serializers.DateField()
        days = serializers.IntegerField()
        due = serializers.DateField(help_text="The nth working day after start.")

    @extend_schema(
        operation_id="calendar_working_days",
        parameters=[InputSerializer],
        responses={200: OutputSerializer},
        tags=["calendar"],
    )
    def get(self, request: Request) -> Response:
        params = self.InputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        start: datetime.date = params.validated_data["start"]
        days: int = params.validated_data["days"]
        try:
            due = add_working_days(start, days)
        except CalendarError as error:
            raise serializers.ValidationError({"start": [str(error)]}) from error
        return Response(self.OutputSerializer({"start": start, "days": days, "due": due}).data)


class NextSchoolDayApi(APIView):
    """When a school's next school day starts after a moment, from its terms, closures and start time."""

    permission_classes = [permissions.IsAuthenticated, CanUseCalendarApi]

    class InputSerializer(serializers.Serializer):
        after = serializers.DateTimeField(
            required=False,
            help_text="An ISO 8601 date and time; without an offset it is read as UK time. Defaults to now.",
        )

    class OutputSerializer(serializers.Serializer):
        school = serializers.IntegerField(source="school.pk", help_text="The school's id.")
        after = serializers.DateTimeField()
        next_school_day_start = serializers.DateTimeField(help_text="In UK time, with its UTC offset.")

    @extend_schema(
        operation_id="school_next_school_day",
        parameters=[InputSerializer, OpenApiParameter("id", int, OpenApiParameter.PATH, description="School id")],
        responses={200: OutputSerializer},
        tags=["calendar"],
    )
    def get(self, request: Request, id: int) -> Response:
        school = selectors.get_school(id)
        params = self.InputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        after: datetime.datetime = params.validated_data.get("after") or timezone.now()
        try:
            starts = next_school_day_starts(school, after, count=1)
        except CalendarError as error:
            raise serializers.ValidationError({"after": [str(error)]}) from error
        data: dict[str, Any] = {"school": school, "after": after, "next_school_day_start": starts[0]}
        return Response(self.OutputSerializer(data).data)


class TimescaleListApi(APIView):
    """Every timescale SafeHub works to, with the value in force for this partnership."""

    permission_classes = [permissions.IsAuthenticated, CanUseCalendarApi]

    class OutputSerializer(serializers.Serializer):
        key = serializers.CharField()
        # DRF's metaclass takes declared fields off the class, so these names are safe at run time.
        label = serializers.CharField()  # type: ignore[assignment]
        value = serializers.IntegerField(help_text="The value in force.")
        unit = serializers.ChoiceField(choices=[unit.value for unit in Unit])
        default = serializers.IntegerField()
        configurable = serializers.BooleanField(help_text="Whether the partnership may set its own value.")
        set_locally = serializers.BooleanField(help_text="Whether the partnership has set its own value.")
        source = serializers.CharField(help_text="Where the timescale comes from, such as statutory guidance.")  # type: ignore[assignment]

    @extend_schema(operation_id="timescales_list", responses={200: OutputSerializer(many=True)}, tags=["calendar"])
    def get(self, request: Request) -> Response:
        timescales = selectors.timescales_in_force()
        paginator = Pagination()
        page = paginator.paginate_queryset(timescales, request, view=self)
        return paginator.get_paginated_response(self.OutputSerializer(page, many=True).data)
