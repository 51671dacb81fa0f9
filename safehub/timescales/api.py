"""REST API of the timescales app: working days, a school's next school day and the timescales in force.

Views build on `safehub.partnership.api.ApiView` (capabilities, pagination, the error shape)
and call the calendar functions or one selector.
"""

import datetime

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from safehub.core.api import ApiView, error_responses
from safehub.partnership.roles import Capability
from safehub.timescales import selectors
from safehub.timescales.calendar import CalendarError, add_working_days, next_school_day_starts
from safehub.timescales.rules import Unit

MAX_WORKING_DAYS = 1000
CALENDAR_CAPABILITIES = (Capability.USE_API, Capability.VIEW_CALENDARS)


class WorkingDaysApi(ApiView):
    """The date `days` working days after `start`. Weekends and England's bank holidays do not count."""

    required_capabilities = CALENDAR_CAPABILITIES

    class InputSerializer(serializers.Serializer):
        start = serializers.DateField(
            input_formats=["iso-8601"],
            error_messages={"invalid": "Enter the start as year-month-day, like 2026-12-24."},
            help_text="The day to count from, as YYYY-MM-DD.",
        )
        days = serializers.IntegerField(
            min_value=0, max_value=MAX_WORKING_DAYS, help_text=f"How many working days to add, 0 to {MAX_WORKING_DAYS}."
        )

        class Meta:
            ref_name = "WorkingDaysQuery"

    class OutputSerializer(serializers.Serializer):
        start = serializers.DateField()
        days = serializers.IntegerField()
        due = serializers.DateField(help_text="The last day of the period: the nth working day after start.")

        class Meta:
            ref_name = "WorkingDays"

    @extend_schema(
        summary="Add working days to a date",
        parameters=[InputSerializer],
        responses={200: OutputSerializer, **error_responses(400, 401, 403)},
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


class NextSchoolDayApi(ApiView):
    """When a school's next school day starts after a moment, from its terms, closure days and start time."""

    required_capabilities = CALENDAR_CAPABILITIES

    class InputSerializer(serializers.Serializer):
        after = serializers.DateTimeField(
            required=False,
            error_messages={"invalid": "Enter a date and time like 2026-10-23T18:00:00+01:00."},
            help_text="An ISO 8601 date and time; without an offset it is read as UK time. Defaults to now.",
        )

        class Meta:
            ref_name = "NextSchoolDayQuery"

    class OutputSerializer(serializers.Serializer):
        school = serializers.IntegerField(source="school.pk", help_text="The school's id.")
        after = serializers.DateTimeField()
        next_school_day_start = serializers.DateTimeField(help_text="UK time, with its UTC offset.")

        class Meta:
            ref_name = "NextSchoolDay"

    @extend_schema(
        summary="A school's next school-day start",
        parameters=[
            InputSerializer,
            OpenApiParameter("id", int, OpenApiParameter.PATH, description="The school's id."),
        ],
        responses={200: OutputSerializer, **error_responses(400, 401, 403, 404)},
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
        return Response(
            self.OutputSerializer({"school": school, "after": after, "next_school_day_start": starts[0]}).data
        )


class TimescaleListApi(ApiView):
    """Every timescale SafeHub works to, with the value in force for this partnership."""

    required_capabilities = CALENDAR_CAPABILITIES

    class OutputSerializer(serializers.Serializer):
        key = serializers.CharField()
        # DRF's metaclass takes declared fields off the class, so these names are safe at run time.
        label = serializers.CharField()  # type: ignore[assignment]
        value = serializers.IntegerField(help_text="The value in force.")
        unit = serializers.ChoiceField(choices=[unit.value for unit in Unit])
        default = serializers.IntegerField()
        configurable = serializers.BooleanField(help_text="Whether the partnership may set its own value.")
        set_locally = serializers.BooleanField(help_text="Whether the partnership has set its own value.")
        source = serializers.CharField(help_text="Where it comes from, such as statutory guidance.")  # type: ignore[assignment]

        class Meta:
            ref_name = "Timescale"

    @extend_schema(
        summary="Timescales in force",
        parameters=[
            OpenApiParameter("page", int, description="Page number, from 1."),
            OpenApiParameter("page_size", int, description="Timescales per page (at most 200)."),
        ],
        responses={
            200: inline_serializer(
                "PaginatedTimescaleList",
                fields={
                    "count": serializers.IntegerField(),
                    "next": serializers.URLField(allow_null=True),
                    "previous": serializers.URLField(allow_null=True),
                    "results": OutputSerializer(many=True),
                },
            ),
            **error_responses(401, 403),
        },
        tags=["calendar"],
    )
    def get(self, request: Request) -> Response:
        return self.paginated(selectors.timescales_in_force(), self.OutputSerializer)
