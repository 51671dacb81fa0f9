"""REST API for DBS local checks: the force's interface with DBS sends each request, and the
disclosure unit's tools read the queue.

- `POST /api/v1/dbs/checks/` needs an `Idempotency-Key` header, as the other intake endpoints
  do: resending the same request returns the first check with 200; the same key for different
  details, or a DBS reference already recorded with different details, is refused with 409.
  The force is the caller's organisation, and the caller must be of its disclosure unit.
- `GET /api/v1/dbs/checks/` lists the open checks the caller may see (`policy.visible_checks`:
  only the disclosure unit's own force's), soonest due first, by reference and clocks (no
  names); anyone else gets an empty list. Which checks were listed to whom is audited.
- `GET /api/v1/dbs/checks/<id>/`: one check, with its stages. One the caller may not see is 404,
  exactly like one that does not exist; opening one is audited.
"""

import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from safehub.audit.services import record
from safehub.core.api import ApiView, CapabilityRequired, ErrorSerializer, error_responses
from safehub.dbs import selectors
from safehub.dbs.models import CheckState, Decision, LocalCheck, ReviewOutcome, Workforce
from safehub.dbs.services import CheckInput, DuplicateCheck, receive_check
from safehub.encompass.api import _flattened
from safehub.hub.api import IDEMPOTENCY_HEADER, Conflict, idempotency_key
from safehub.partnership.roles import Capability, has_capability

CHECK_KEY = (
    "Send an Idempotency-Key header: a unique value for this request (such as DBS's reference), so that "
    "resending it never records the check twice."
)
FIELD_PATHS = {"applicant_name": "given_names"}


class CheckSummaryOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    dbs_reference = serializers.CharField()
    workforce = serializers.ChoiceField(choices=Workforce.choices)
    received_on = serializers.DateField()
    standard_due_on = serializers.DateField(help_text="Received plus the standard (14 calendar days by default).")
    limit_due_on = serializers.DateField(help_text="Received plus the limit (60 calendar days by default).")
    state = serializers.ChoiceField(choices=CheckState.choices)
    returned_on = serializers.DateField(allow_null=True)
    days_to_return = serializers.IntegerField(allow_null=True)

    class Meta:
        ref_name = "DbsCheckSummary"


class CheckOutputSerializer(CheckSummaryOutputSerializer):
    given_names = serializers.CharField()
    family_name = serializers.CharField()
    other_names = serializers.CharField()
    date_of_birth = serializers.DateField()
    postcode = serializers.CharField()
    role_applied_for = serializers.CharField()
    matched_record = serializers.IntegerField(
        source="person_id", allow_null=True, help_text="The force's record of the applicant, when the match was sure."
    )
    recorded_via = serializers.CharField()
    records_found = serializers.BooleanField(allow_null=True)
    fast_tracked = serializers.BooleanField()
    decision = serializers.ChoiceField(choices=[("", "Not decided"), *Decision.choices])
    review_outcome = serializers.ChoiceField(choices=[("", "Not reviewed"), *ReviewOutcome.choices])

    class Meta:
        ref_name = "DbsCheck"


class CheckListCreateApi(ApiView):
    """The DBS local checks the caller may see; the force's DBS interface records new ones."""

    class InputSerializer(serializers.Serializer):
        dbs_reference = serializers.CharField(max_length=20, help_text="DBS's application reference.")
        given_names = serializers.CharField(max_length=150)
        family_name = serializers.CharField(max_length=150)
        other_names = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")
        date_of_birth = serializers.DateField()
        postcode = serializers.CharField(required=False, allow_blank=True, max_length=10, default="")
        workforce = serializers.ChoiceField(choices=Workforce.choices)
        role_applied_for = serializers.CharField(max_length=200)
        received_on = serializers.DateField(help_text="The day DBS sent the check: both clocks count from it.")

        class Meta:
            ref_name = "DbsCheckInput"

    @extend_schema(
        summary="Open DBS local checks the caller may see",
        responses={200: CheckSummaryOutputSerializer(many=True), **error_responses(401, 403)},
    )
    def get(self, request: Request) -> Response:
        rows = selectors.queue(user=self.user, filters=selectors.QueueFilter(), today=_today())
        response = self.paginated(rows, CheckSummaryOutputSerializer)
        listed = [row["id"] for row in response.data["results"]]
        if listed:
            record(
                action="dbs.queue_viewed", actor=self.user, purpose="DBS local checks queue", detail={"checks": listed}
            )
        return response

    @extend_schema(
        summary="Record a DBS local check request",
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER, OpenApiTypes.STR, OpenApiParameter.HEADER, required=True, description=CHECK_KEY
            )
        ],
        request=InputSerializer,
        responses={
            201: CheckOutputSerializer,
            200: OpenApiResponse(CheckOutputSerializer, description="The same request again: the first check."),
            409: OpenApiResponse(
                ErrorSerializer,
                description="The key, or the DBS reference, was used for a check with different details.",
            ),
            **error_responses(400, 401, 403),
        },
    )
    def post(self, request: Request) -> Response:
        if not has_capability(self.user, Capability.WORK_DBS_CHECKS):
            raise exceptions.PermissionDenied(CapabilityRequired.message)
        key = idempotency_key(request, CHECK_KEY)
        data = self.InputSerializer(data=request.data)
        if not data.is_valid():
            raise exceptions.ValidationError(_flattened(data.errors))
        given = CheckInput(**data.validated_data)
        scoped_key = f"api:{self.user.pk}:{key}"
        try:
            try:
                check, created = receive_check(given=given, by=self.user, idempotency_key=scoped_key, via="api")
            except IntegrityError:
                # The same request twice at once, and the other saved first: now it is a resend.
                check, created = receive_check(given=given, by=self.user, idempotency_key=scoped_key, via="api")
        except DuplicateCheck as error:
            raise Conflict(" ".join(error.messages)) from error
        except DjangoValidationError as error:
            raise _as_paths(error) from error
        return Response(CheckOutputSerializer(check).data, status=status.HTTP_201_CREATED if created else 200)


class CheckDetailApi(ApiView):
    """One DBS local check the caller may see (opening it is audited)."""

    @extend_schema(
        summary="Read a DBS local check", responses={200: CheckOutputSerializer, **error_responses(401, 403, 404)}
    )
    def get(self, request: Request, pk: int) -> Response:
        check: LocalCheck = selectors.get_check(user=self.user, pk=pk)
        return Response(CheckOutputSerializer(check).data)


def _today() -> datetime.date:
    return timezone.localdate()


def _as_paths(error: DjangoValidationError) -> exceptions.ValidationError:
    if not hasattr(error, "error_dict"):
        return exceptions.ValidationError({"non_field_errors": error.messages})
    return exceptions.ValidationError(
        {FIELD_PATHS.get(key, key): messages for key, messages in error.message_dict.items()}
    )
