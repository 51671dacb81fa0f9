"""REST API for Operation Encompass: a force's system sends its domestic abuse incidents, and
reads whether each child's school was told and has acknowledged; a school or the council reads
and acknowledges its notices; the partnership reads the performance figures.

- `POST /api/v1/encompass/incidents/` needs an `Idempotency-Key` header, as
  `POST /api/v1/contacts/` does: resending the same incident (after a timeout, or a whole batch
  again) returns the first one with 200 and notifies no one again; the same key for a different
  incident is refused with 409. The force is the caller's organisation; the same rules apply
  as on the police form (`safehub.encompass.services.incidents.record_incident`), and every
  problem comes back under its field's path in the request, such as `children[0].given_names`.
- `GET /api/v1/encompass/incidents/<id>/`: the force's own incident and where each child's
  notice stands. Another force's incident is 404, exactly like one that does not exist.
- `GET /api/v1/encompass/notices/` lists the notices to the caller's school or team (or, for a
  coordinator, the council's) by reference and times, never names; `GET .../notices/<id>/` is
  what the school reads (`selectors.notice_for_school`: never the address, nor the adults beyond
  their names, part and relationship to the child), and
  `POST .../notices/<id>/acknowledge/` is the Key Adult's acknowledgement.
- `GET /api/v1/encompass/performance/`: the figures of the performance page, as JSON.
"""

import re
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from safehub.audit.services import record
from safehub.core.api import ApiView, ErrorSerializer, error_responses
from safehub.encompass import measures, selectors
from safehub.encompass.models import (
    AdultRole,
    Incident,
    IncidentChild,
    LocationKind,
    NoSchoolReason,
    Notice,
    RecipientKind,
)
from safehub.encompass.services import notices
from safehub.encompass.services.incidents import (
    AdultInput,
    ChildInput,
    DuplicateIncident,
    IncidentInput,
    record_incident,
)
from safehub.hub.api import IDEMPOTENCY_HEADER, Conflict
from safehub.partnership.models import Organisation, OrganisationKind
from safehub.partnership.roles import Capability
from safehub.people.models import SEX_GIVEN_CHOICES

MISSING_KEY = (
    "Send an Idempotency-Key header: a unique value for this incident (such as your system's reference "
    "for the record), so that resending it never notifies the schools twice."
)
LONGEST_KEY = 80
UNKNOWN_COUNCIL = (
    "Enter the LA code of the council whose area the incident happened in, as GET /api/v1/organisations/ gives it."
)
MONTH_HELP = "A year and month, YYYY-MM. Both default to the last twelve months, this one included."
# The service's keys for a child's or adult's fields ("children-1-name") as request paths.
ROW_KEY = re.compile(r"^(?P<group>adults|children)-(?P<number>\d+)-(?P<field>\w+)$")


class NoticeStatus:
    """Where a notice stands, as one word."""

    ACKNOWLEDGED = "acknowledged"
    ESCALATED = "escalated"
    DELIVERED = "delivered"
    NOT_DELIVERED = "not_delivered"
    CHOICES = [
        (ACKNOWLEDGED, "The Key Adult (or the council's team) has acknowledged it."),
        (ESCALATED, "Not acknowledged in time: the coordinator was alerted to phone the school."),
        (DELIVERED, "Delivered to the Key Adults, not yet acknowledged."),
        (NOT_DELIVERED, "Reached no one (the school has no Key Adult in SafeHub): the coordinator is alerted."),
    ]

    @classmethod
    def of(cls, notice: Notice) -> str:
        if notice.acknowledged_at is not None:
            return cls.ACKNOWLEDGED
        if notice.escalated_at is not None:
            return cls.ESCALATED
        return cls.DELIVERED if notice.delivered_at is not None else cls.NOT_DELIVERED


def _flattened(detail: Any, path: str = "") -> dict[str, list[str]]:
    """DRF's nested errors as one level, keyed by the field's path in the request."""
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            if isinstance(key, int):  # a list's items' errors, by index
                inner = f"{path}[{key}]"
            elif key == "non_field_errors" and path:
                inner = path
            else:
                inner = f"{path}.{key}" if path else str(key)
            flat.update(_flattened(value, inner))
        return flat
    if isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        flat = {}
        for index, item in enumerate(detail):
            flat.update(_flattened(item, f"{path}[{index}]"))
        return flat
    items = detail if isinstance(detail, list) else [detail]
    return {path: [str(item) for item in items]} if items else {}


def _as_paths(error: DjangoValidationError, given: dict[str, Any]) -> exceptions.ValidationError:
    """The service's refusal with each problem under its field's path in the request."""
    if not hasattr(error, "error_dict"):
        return exceptions.ValidationError({"non_field_errors": error.messages})
    fields: dict[str, list[str]] = {}
    for key, messages in error.message_dict.items():
        match = ROW_KEY.match(key)
        if match is None:
            fields[key] = messages
            continue
        group, index, name = match["group"], int(match["number"]) - 1, match["field"]
        if name == "name":
            row = given[group][index]
            name = "given_names" if not row["given_names"].strip() else "family_name"
        fields[f"{group}[{index}].{name}"] = messages
    return exceptions.ValidationError(fields)


# Incidents ------------------------------------------------------------------------------------


class IncidentAdultInputSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=AdultRole.choices)
    given_names = serializers.CharField(allow_blank=True, max_length=150, default="")
    family_name = serializers.CharField(allow_blank=True, max_length=150, default="")
    date_of_birth = serializers.DateField(required=False, allow_null=True, default=None)

    class Meta:
        ref_name = "IncidentAdultInput"


class IncidentChildInputSerializer(serializers.Serializer):
    given_names = serializers.CharField(allow_blank=True, max_length=150, default="")
    family_name = serializers.CharField(allow_blank=True, max_length=150, default="")
    date_of_birth = serializers.DateField(required=False, allow_null=True, default=None)
    nhs_number = serializers.CharField(required=False, allow_blank=True, max_length=20, default="")
    upn = serializers.CharField(required=False, allow_blank=True, max_length=13, default="")
    postcode = serializers.CharField(required=False, allow_blank=True, max_length=10, default="")
    sex = serializers.ChoiceField(
        choices=SEX_GIVEN_CHOICES,
        required=False,
        default="",
        help_text="Used only to match the record: a different sex on record is never linked automatically.",
    )
    present = serializers.BooleanField(help_text="Whether the child was there during the incident.")
    whereabouts = serializers.CharField(
        required=False, allow_blank=True, max_length=300, default="", help_text="Where the child was."
    )
    voice_of_child = serializers.CharField(
        required=False, allow_blank=True, max_length=10000, default="", help_text="What the child saw, heard or said."
    )
    injuries = serializers.CharField(required=False, allow_blank=True, max_length=10000, default="")
    actions_taken = serializers.CharField(required=False, allow_blank=True, max_length=10000, default="")

    class Meta:
        ref_name = "IncidentChildInput"


class NoticeStatusOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    recipient_kind = serializers.ChoiceField(choices=RecipientKind.choices)
    recipient = serializers.CharField(source="organisation.name", help_text="The school or setting, or the council.")
    recipient_team = serializers.CharField(
        source="team.name", allow_null=True, default=None, help_text="The council's team, for a child with no school."
    )
    no_school_reason = serializers.ChoiceField(
        choices=NoSchoolReason.choices, allow_blank=True, help_text="Why the council was told; blank for a school."
    )
    due_at = serializers.DateTimeField(help_text="The start of the school's next school day after the incident.")
    delivered_at = serializers.DateTimeField(allow_null=True)
    delivered_on_time = serializers.BooleanField(allow_null=True, help_text="Delivered before the school day started.")
    acknowledge_by = serializers.DateTimeField(help_text="After this the coordinator phones the school.")
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    escalated_at = serializers.DateTimeField(allow_null=True)
    version_notified = serializers.IntegerField(help_text="The incident's version the recipient was last sent.")
    status = serializers.SerializerMethodField()

    class Meta:
        ref_name = "EncompassNoticeStatus"

    @extend_schema_field(serializers.ChoiceField(choices=NoticeStatus.CHOICES))
    def get_status(self, notice: Notice) -> str:
        return NoticeStatus.of(notice)


class IncidentOutputSerializer(serializers.Serializer):
    class AdultSerializer(serializers.Serializer):
        role = serializers.ChoiceField(choices=AdultRole.choices)
        given_names = serializers.CharField()
        family_name = serializers.CharField()
        date_of_birth = serializers.DateField(allow_null=True)

        class Meta:
            ref_name = "IncidentAdult"

    class ChildSerializer(serializers.Serializer):
        given_names = serializers.CharField()
        family_name = serializers.CharField()
        date_of_birth = serializers.DateField(allow_null=True)
        present = serializers.BooleanField()
        whereabouts = serializers.CharField()
        voice_of_child = serializers.CharField()
        injuries = serializers.CharField()
        actions_taken = serializers.CharField()
        notice = NoticeStatusOutputSerializer(help_text="The child's notice to their school, or to the council.")

        class Meta:
            ref_name = "IncidentChild"

    id = serializers.IntegerField()
    reference = serializers.CharField()
    police_reference = serializers.CharField()
    occurred_at = serializers.DateTimeField()
    recorded_at = serializers.DateTimeField()
    recorded_via = serializers.CharField()
    local_authority = serializers.CharField(source="local_authority.la_code", help_text="The council's LA code.")
    location = serializers.CharField(help_text="The place: the force's only; schools are told only its kind.")
    location_kind = serializers.ChoiceField(choices=LocationKind.choices)
    circumstances = serializers.CharField()
    version = serializers.IntegerField()
    corrected_at = serializers.DateTimeField(allow_null=True)
    correction_note = serializers.CharField()
    adults = AdultSerializer(many=True, source="adults.all")
    children = ChildSerializer(many=True, source="children.all")

    class Meta:
        ref_name = "EncompassIncident"


def _incident_response(incident: Incident, status_code: int = status.HTTP_200_OK) -> Response:
    children = IncidentChild.objects.select_related("notice__organisation", "notice__team")
    incident = (
        Incident.objects.select_related("local_authority")
        .prefetch_related("adults", Prefetch("children", queryset=children))
        .get(pk=incident.pk)
    )
    return Response(IncidentOutputSerializer(incident).data, status=status_code)


class IncidentCreateApi(ApiView):
    """Record a domestic abuse incident for the caller's force: each child's school (or the council,
    for a child with no school) is notified, due at the start of its next school day."""

    required_capabilities = (Capability.USE_API, Capability.RECORD_INCIDENT)

    class InputSerializer(serializers.Serializer):
        police_reference = serializers.CharField(
            allow_blank=True, max_length=60, help_text="The force's occurrence or incident number."
        )
        occurred_at = serializers.DateTimeField(help_text="When it happened (with its UTC offset).")
        local_authority = serializers.SlugRelatedField(
            slug_field="la_code",
            queryset=Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY),
            help_text="The LA code of the council whose area it happened in.",
            error_messages={"does_not_exist": UNKNOWN_COUNCIL, "required": UNKNOWN_COUNCIL},
        )
        location = serializers.CharField(
            allow_blank=True, max_length=300, help_text="The address: never sent to schools."
        )
        location_kind = serializers.ChoiceField(choices=LocationKind.choices, help_text="What schools are told.")
        circumstances = serializers.CharField(
            allow_blank=True, max_length=10000, help_text="What happened, as the school needs to know it."
        )
        adults = IncidentAdultInputSerializer(many=True)
        children = IncidentChildInputSerializer(
            many=True, help_text="Every child related to either adult, whether or not present."
        )

        class Meta:
            ref_name = "EncompassIncidentInput"

    @extend_schema(
        summary="Record a domestic abuse incident",
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER, OpenApiTypes.STR, OpenApiParameter.HEADER, required=True, description=MISSING_KEY
            )
        ],
        request=InputSerializer,
        responses={
            201: IncidentOutputSerializer,
            200: OpenApiResponse(
                IncidentOutputSerializer, description="The same incident again: the first one; no one is told again."
            ),
            409: OpenApiResponse(
                ErrorSerializer,
                description="The key was used for a different incident, or the force already recorded this police "
                "reference under another key.",
            ),
            **error_responses(400, 401, 403),
        },
    )
    def post(self, request: Request) -> Response:
        key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
        if not key or len(key) > LONGEST_KEY:
            raise exceptions.ValidationError({IDEMPOTENCY_HEADER: [MISSING_KEY]})
        data = self.InputSerializer(data=request.data)
        if not data.is_valid():
            raise exceptions.ValidationError(_flattened(data.errors))
        given: dict[str, Any] = dict(data.validated_data)
        incident = IncidentInput(
            **{name: value for name, value in given.items() if name not in ("adults", "children")},
            adults=[AdultInput(**adult) for adult in given["adults"]],
            children=[ChildInput(**child) for child in given["children"]],
        )
        scoped_key = f"api:{self.user.pk}:{key}"
        try:
            try:
                recorded, created = record_incident(
                    incident=incident, by=self.user, idempotency_key=scoped_key, via="api"
                )
            except IntegrityError:
                # The same request arrived twice at once and the other one saved first: now it is a resend.
                recorded, created = record_incident(
                    incident=incident, by=self.user, idempotency_key=scoped_key, via="api"
                )
        except DuplicateIncident as error:
            raise Conflict(" ".join(error.messages)) from error
        except DjangoValidationError as error:
            raise _as_paths(error, given) from error
        return _incident_response(recorded, status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class IncidentDetailApi(ApiView):
    """One of the caller's force's incidents, and where each child's notice stands."""

    required_capabilities = (Capability.USE_API, Capability.RECORD_INCIDENT)

    @extend_schema(
        summary="Read an incident and its notices",
        responses={200: IncidentOutputSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        return _incident_response(selectors.get_incident(user=self.user, pk=pk))


# Notices --------------------------------------------------------------------------------------


class NoticeAdultOutputSerializer(serializers.Serializer):
    name = serializers.CharField()
    role = serializers.ChoiceField(choices=AdultRole.choices, help_text="Their part in the incident.")
    relationship = serializers.CharField(
        help_text="To the child, as SafeHub's records hold it (parent, step-parent, carer), or not known."
    )

    class Meta:
        ref_name = "EncompassNoticeAdult"


class NoticeOutputSerializer(NoticeStatusOutputSerializer):
    """A notice as the school reads it (`selectors.notice_for_school`, set on the notice as
    `for_school`): never the address, the adults' dates of birth or other children."""

    incident_reference = serializers.CharField(source="incident.reference")
    child_name = serializers.CharField(source="for_school.child_name")
    date_of_birth = serializers.DateField(source="for_school.date_of_birth", allow_null=True)
    police_reference = serializers.CharField(source="for_school.police_reference")
    occurred_at = serializers.DateTimeField(source="for_school.occurred_at")
    location_kind = serializers.CharField(source="for_school.location_kind", help_text="The kind of place only.")
    present = serializers.BooleanField(source="for_school.present")
    whereabouts = serializers.CharField(source="for_school.whereabouts")
    voice_of_child = serializers.CharField(
        source="for_school.voice_of_child", help_text="What the child saw, heard or said."
    )
    injuries = serializers.CharField(source="for_school.injuries")
    circumstances = serializers.CharField(source="for_school.circumstances")
    actions_taken = serializers.CharField(source="for_school.actions_taken")
    version = serializers.IntegerField(
        source="for_school.version", help_text="The incident's version: above 1 once the force corrected it."
    )
    corrected_at = serializers.DateTimeField(source="for_school.corrected_at", allow_null=True)
    correction_note = serializers.CharField(source="for_school.correction_note")
    adults = NoticeAdultOutputSerializer(
        source="for_school.adults", many=True, help_text="Who was involved: who may come to collect the child."
    )
    support = serializers.CharField(help_text="The support the school will give; blank until recorded.")

    class Meta:
        ref_name = "EncompassNotice"


def _notice_response(notice: Notice) -> Response:
    notice.for_school = selectors.notice_for_school(notice)  # type: ignore[attr-defined]
    return Response(NoticeOutputSerializer(notice).data)


class NoticeListApi(ApiView):
    """The notices to the caller's school or team (a coordinator: every one in the council's area),
    soonest due first; references and times only: open one to read it (which is audited)."""

    required_capabilities = (Capability.USE_API, Capability.RECEIVE_ENCOMPASS)

    class FilterSerializer(serializers.Serializer):
        acknowledged = serializers.ChoiceField(
            choices=[("yes", "Acknowledged"), ("no", "Not acknowledged")], required=False
        )

        class Meta:
            ref_name = "EncompassNoticeFilters"

    @extend_schema(
        summary="Notices to the caller's school or team",
        parameters=[FilterSerializer],
        responses={200: NoticeStatusOutputSerializer(many=True), **error_responses(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        found = selectors.notices_visible_to(self.user).select_related("team").order_by("due_at", "pk")
        match filters.validated_data.get("acknowledged"):
            case "yes":
                found = found.filter(acknowledged_at__isnull=False)
            case "no":
                found = found.filter(acknowledged_at__isnull=True)
        return self.paginated(found, NoticeStatusOutputSerializer)


class NoticeDetailApi(ApiView):
    """One notice to the caller's school or team, as the Key Adult reads it (opening it is audited)."""

    required_capabilities = (Capability.USE_API, Capability.RECEIVE_ENCOMPASS)

    @extend_schema(summary="Read a notice", responses={200: NoticeOutputSerializer, **error_responses(401, 403, 404)})
    def get(self, request: Request, pk: int) -> Response:
        return _notice_response(selectors.get_notice(user=self.user, pk=pk))


class NoticeAcknowledgeApi(ApiView):
    """The Key Adult has read the notice; optionally, the support the school will give the child.
    Only the notice's own school (or the council's team it was sent to) may acknowledge it."""

    required_capabilities = (Capability.USE_API, Capability.RECEIVE_ENCOMPASS)

    class InputSerializer(serializers.Serializer):
        support = serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=10000,
            default="",
            help_text="The support the school will give the child (may be added later).",
        )

        class Meta:
            ref_name = "EncompassAcknowledgeInput"

    @extend_schema(
        summary="Acknowledge a notice",
        request=InputSerializer,
        responses={200: NoticeOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        notice = selectors.get_notice(user=self.user, pk=pk)
        notices.acknowledge(notice=notice, by=self.user, support=data.validated_data["support"])
        return _notice_response(selectors.get_notice(user=self.user, pk=pk))


class NoticeSupportApi(ApiView):
    """Add or change the support the school will give (acknowledging the notice if it was not yet)."""

    required_capabilities = (Capability.USE_API, Capability.RECEIVE_ENCOMPASS)

    class InputSerializer(serializers.Serializer):
        support = serializers.CharField(
            max_length=10000, error_messages={"blank": "Describe the support the school will give."}
        )

        class Meta:
            ref_name = "EncompassSupportInput"

    @extend_schema(
        summary="Record the support the school will give",
        request=InputSerializer,
        responses={200: NoticeOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        notice = selectors.get_notice(user=self.user, pk=pk)
        notices.record_support(notice=notice, by=self.user, support=data.validated_data["support"])
        return _notice_response(selectors.get_notice(user=self.user, pk=pk))


# Performance ----------------------------------------------------------------------------------


class TallyOutputSerializer(serializers.Serializer):
    month = serializers.CharField(allow_null=True, help_text="YYYY-MM, the month the notices were due; null for all.")
    sent = serializers.IntegerField(help_text="Notices sent (one per child per incident).")
    delivered = serializers.IntegerField()
    delivered_before_school_day = serializers.IntegerField(
        source="on_time", help_text="Delivered to the Key Adults before the school day started."
    )
    delivered_before_school_day_percent = serializers.IntegerField(
        source="percent_on_time", allow_null=True, help_text="Of the notices sent; null when none were."
    )
    acknowledged = serializers.IntegerField()
    acknowledged_percent = serializers.IntegerField(source="percent_acknowledged", allow_null=True)
    acknowledged_in_time = serializers.IntegerField(help_text="Acknowledged by the acknowledge-by time.")
    acknowledged_in_time_percent = serializers.IntegerField(source="percent_acknowledged_in_time", allow_null=True)
    escalated = serializers.IntegerField(help_text="The coordinator was alerted (not acknowledged in time).")
    no_school = serializers.IntegerField(help_text="Children with no school found: the council was told.")
    median_minutes_incident_to_delivery = serializers.SerializerMethodField()

    class Meta:
        ref_name = "EncompassTally"

    @extend_schema_field(serializers.IntegerField(allow_null=True, help_text="Null when none was delivered."))
    def get_median_minutes_incident_to_delivery(self, tally: measures.Tally) -> int | None:
        median = tally.median_to_delivery
        return round(median.total_seconds() / 60) if median is not None else None

    def to_representation(self, tally: measures.Tally) -> dict[str, Any]:
        data = super().to_representation(tally)
        data["month"] = f"{tally.month:%Y-%m}" if tally.month else None
        return data


class SchoolTallyOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="school_id")
    name = serializers.CharField()
    figures = TallyOutputSerializer(source="tally", help_text="The whole period.")

    class Meta:
        ref_name = "EncompassSchoolTally"


class NoSchoolOutputSerializer(serializers.Serializer):
    no_school_reason = serializers.ChoiceField(source="value", choices=NoSchoolReason.choices)
    # DRF moves declared fields off the class, so `label` does not shadow Field.label.
    label = serializers.CharField()  # type: ignore[assignment]
    count = serializers.IntegerField()
    share = serializers.IntegerField(allow_null=True, help_text="Of the children with no school, in per cent.")

    class Meta:
        ref_name = "EncompassNoSchool"


class PerformanceOutputSerializer(serializers.Serializer):
    class PeriodSerializer(serializers.Serializer):
        first_month = serializers.CharField(help_text="YYYY-MM: `from`, or its default.")
        last_month = serializers.CharField(help_text="YYYY-MM: `to`, or its default.")
        months = serializers.ListField(child=serializers.CharField(), help_text="Every month of the period.")

        class Meta:
            ref_name = "EncompassPeriod"

    class SchoolSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        name = serializers.CharField()

        class Meta:
            ref_name = "EncompassPerformanceSchool"

    period = PeriodSerializer()
    school = SchoolSerializer(allow_null=True, help_text="The school chosen, or null for the partnership.")
    total = TallyOutputSerializer(help_text="The whole period.")
    months = TallyOutputSerializer(many=True, help_text="Month by month, by the month the notices were due.")
    schools = SchoolTallyOutputSerializer(many=True, help_text="Each school or setting sent a notice in the period.")
    no_school = NoSchoolOutputSerializer(many=True, help_text="Children with no school found, by reason.")

    class Meta:
        ref_name = "EncompassPerformance"


class PerformanceApi(ApiView):
    """The partnership's (or one school's) Operation Encompass figures, by the month each notice
    was due (Europe/London): the figures of the performance page. Counts only, no names."""

    required_capabilities = (Capability.USE_API, Capability.VIEW_PERFORMANCE)

    @extend_schema(
        summary="Operation Encompass performance figures",
        parameters=[
            OpenApiParameter("from", OpenApiTypes.STR, description=f"The first month. {MONTH_HELP}", required=False),
            OpenApiParameter("to", OpenApiTypes.STR, description=f"The last month. {MONTH_HELP}", required=False),
            OpenApiParameter(
                "school", OpenApiTypes.INT, description="A school's id, for its figures only.", required=False
            ),
        ],
        responses={200: PerformanceOutputSerializer, **error_responses(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        try:
            period = measures.period_from(params.get("from"), params.get("to"), today=timezone.localdate())
        except measures.PeriodError as error:
            raise DjangoValidationError(str(error)) from None
        try:
            school = measures.school_from(params.get("school"))
        except measures.FigureError as error:
            raise exceptions.ValidationError({"school": [str(error)]}) from None
        figures = measures.encompass_figures(period, school=school)
        record(
            action="encompass.measures_viewed",
            actor=self.user,
            purpose="Operation Encompass performance",
            detail={
                "via": "api",
                "start": f"{period.first:%Y-%m}",
                "end": f"{period.last:%Y-%m}",
                "school": school.pk if school is not None else None,
            },
        )
        data = {
            "period": {
                "first_month": f"{period.first:%Y-%m}",
                "last_month": f"{period.last:%Y-%m}",
                "months": [f"{month:%Y-%m}" for month in period.months],
            },
            "school": {"id": school.pk, "name": school.name} if school is not None else None,
            "total": figures.total,
            "months": figures.by_month,
            "schools": figures.by_school,
            "no_school": figures.no_school,
        }
        return Response(PerformanceOutputSerializer(data).data)
