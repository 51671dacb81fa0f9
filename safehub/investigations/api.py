"""REST API for police investigations: the force's systems open investigations (with an
Idempotency-Key) and record their work; supervisors sign closures off; the council's lead
challenges. Every read goes through `safehub.investigations.selectors`: an investigation the
caller may not see is 404, as one that does not exist."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from safehub.access import policy
from safehub.core.api import ApiView, ErrorSerializer, IdField, error_responses
from safehub.investigations import selectors, services
from safehub.investigations.models import (
    Challenge,
    ChallengeOutcome,
    Closure,
    ClosureOutcome,
    ClosureState,
    Investigation,
    InvestigationState,
    OffenceCategory,
    Opportunity,
    OpportunityState,
    SubjectRole,
)
from safehub.meetings.models import Meeting
from safehub.partnership.models import User
from safehub.partnership.roles import Capability

IDEMPOTENCY_HEADER = "Idempotency-Key"
MISSING_KEY = (
    "Send an Idempotency-Key header: a unique value for this investigation (such as the crime reference), "
    "so that resending it never opens a second one."
)
IDEMPOTENCY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="A unique value for this investigation.",
)
REQUIRED = (Capability.USE_API,)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "idempotency_conflict"


def _invalid(error: DjangoValidationError) -> exceptions.ValidationError:
    return exceptions.ValidationError(
        error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}
    )


def _require_any(user: User) -> None:
    from safehub.partnership.roles import has_capability

    if not (has_capability(user, Capability.INVESTIGATE) or has_capability(user, Capability.CHALLENGE_CLOSURE)):
        raise exceptions.PermissionDenied()


class OpportunitySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    state = serializers.ChoiceField(choices=OpportunityState.choices)
    added_at = serializers.DateTimeField()
    from_challenge = serializers.IntegerField(source="from_challenge_id", allow_null=True)
    settled_at = serializers.DateTimeField(allow_null=True)
    settled_by = serializers.IntegerField(source="settled_by_id", allow_null=True)
    outcome = serializers.CharField()
    not_applicable_reason = serializers.CharField()

    class Meta:
        ref_name = "InvestigationOpportunity"


class StageSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    stage = serializers.CharField(source="label", help_text="Who the stage is between.")
    started_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.CharField()

    class Meta:
        ref_name = "EscalationStage"


class ChallengeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    raised_by = serializers.IntegerField(source="raised_by_id")
    raised_at = serializers.DateTimeField()
    reasons = serializers.CharField()
    outcome = serializers.ChoiceField(choices=ChallengeOutcome.choices, allow_blank=True)
    resolved_at = serializers.DateTimeField(allow_null=True)
    resolution = serializers.CharField()
    stages = StageSerializer(many=True, source="stages.all")

    class Meta:
        ref_name = "ClosureChallenge"


class ClosureSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    outcome = serializers.ChoiceField(choices=ClosureOutcome.choices)
    rationale = serializers.CharField()
    state = serializers.ChoiceField(choices=ClosureState.choices)
    proposed_by = serializers.IntegerField(source="proposed_by_id")
    proposed_at = serializers.DateTimeField()
    signed_off_by = serializers.IntegerField(source="signed_off_by_id", allow_null=True)
    signed_off_at = serializers.DateTimeField(allow_null=True)
    sign_off_rationale = serializers.CharField()
    challenge_window_ends = serializers.DateTimeField(allow_null=True)
    effective_at = serializers.DateTimeField(allow_null=True)
    challenge = serializers.SerializerMethodField()

    class Meta:
        ref_name = "InvestigationClosure"

    def get_challenge(self, closure: Closure) -> dict[str, Any] | None:
        challenge = getattr(closure, "challenge", None)
        return ChallengeSerializer(challenge).data if challenge is not None else None


class SubjectSerializer(serializers.Serializer):
    person = serializers.IntegerField(source="person_id")
    role = serializers.ChoiceField(choices=SubjectRole.choices)

    class Meta:
        ref_name = "InvestigationSubject"


class InvestigationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    offence_category = serializers.ChoiceField(choices=OffenceCategory.choices)
    force = serializers.IntegerField(source="force_id")
    allocated_officer = serializers.IntegerField(source="allocated_officer_id")
    supervising_officer = serializers.IntegerField(source="supervising_officer_id")
    strategy_discussion = serializers.IntegerField(source="strategy_discussion_id", allow_null=True)
    state = serializers.ChoiceField(choices=InvestigationState.choices)
    opened_at = serializers.DateTimeField()
    next_review_due = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        ref_name = "Investigation"


class InvestigationDetailSerializer(InvestigationSerializer):
    crime_reference = serializers.SerializerMethodField(help_text="The force's; null for the council.")
    subjects = SubjectSerializer(many=True, source="subjects.all")
    opportunities = OpportunitySerializer(many=True, source="opportunities.all")
    closures = ClosureSerializer(many=True, source="closures.all")

    class Meta:
        ref_name = "InvestigationDetail"

    def get_crime_reference(self, investigation: Investigation) -> str | None:
        return investigation.crime_reference if self.context.get("police") else None


def _detail(user: User, investigation: Investigation) -> dict[str, Any]:
    police = policy.can(user, "investigate", investigation)
    return InvestigationDetailSerializer(investigation, context={"police": police}).data


class InvestigationListApi(ApiView):
    """The investigations the caller may see, newest first; police systems open new ones."""

    required_capabilities = REQUIRED

    class InputSerializer(serializers.Serializer):
        class SubjectInputSerializer(serializers.Serializer):
            person = IdField(help_text="A person id.")
            role = serializers.ChoiceField(choices=SubjectRole.choices)

            class Meta:
                ref_name = "InvestigationSubjectInput"

        crime_reference = serializers.CharField(max_length=40)
        offence_category = serializers.ChoiceField(choices=OffenceCategory.choices)
        subjects = serializers.ListField(child=SubjectInputSerializer(), allow_empty=False, max_length=50)
        allocated_officer = IdField(help_text="A user id: an investigating officer of your force.")
        supervising_officer = IdField(help_text="A user id: a supervising officer of your force.")
        strategy_discussion = IdField(
            required=False, allow_null=True, default=None, help_text="The joint section 47 strategy discussion."
        )

        class Meta:
            ref_name = "InvestigationInput"

    @extend_schema(
        summary="Investigations you may see",
        responses={200: InvestigationSerializer(many=True), **error_responses(401, 403)},
    )
    def get(self, request: Request) -> Response:
        _require_any(self.user)
        return self.paginated(selectors.investigations_for(user=self.user), InvestigationSerializer)

    @extend_schema(
        summary="Open an investigation for your force",
        request=InputSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={
            201: InvestigationDetailSerializer,
            200: InvestigationDetailSerializer,
            409: OpenApiResponse(ErrorSerializer, description="The key was used for a different investigation."),
            **error_responses(400, 401, 403),
        },
    )
    def post(self, request: Request) -> Response:
        key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
        if not key or len(key) > 80:
            raise exceptions.ValidationError({IDEMPOTENCY_HEADER: [MISSING_KEY]})
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        people = {
            p.pk: p for p in policy.visible_persons(self.user).filter(pk__in=[s["person"] for s in fields["subjects"]])
        }
        missing = [s["person"] for s in fields["subjects"] if s["person"] not in people]
        if missing:
            raise exceptions.ValidationError({"subjects": [f"No person {missing[0]} that you may open."]})
        officers = {
            u.pk: u for u in User.objects.filter(pk__in=[fields["allocated_officer"], fields["supervising_officer"]])
        }
        for name in ("allocated_officer", "supervising_officer"):
            if fields[name] not in officers:
                raise exceptions.ValidationError({name: ["No such user."]})
        discussion = None
        if fields["strategy_discussion"] is not None:
            discussion = policy.visible_meetings(self.user).filter(pk=fields["strategy_discussion"]).first()
            if discussion is None:
                raise exceptions.ValidationError({"strategy_discussion": ["No such strategy discussion."]})
        scoped_key = f"api:{self.user.pk}:{key}"
        existed = Investigation.objects.filter(idempotency_key=scoped_key).exists()
        try:
            investigation = services.open_investigation(
                by=self.user,
                crime_reference=fields["crime_reference"],
                offence_category=fields["offence_category"],
                subjects=[services.SubjectInput(people[s["person"]], s["role"]) for s in fields["subjects"]],
                allocated_officer=officers[fields["allocated_officer"]],
                supervising_officer=officers[fields["supervising_officer"]],
                strategy_discussion=discussion if isinstance(discussion, Meeting) else None,
                idempotency_key=scoped_key,
            )
        except services.InvestigationIdempotencyConflict as error:
            raise Conflict(str(error)) from error
        except DjangoValidationError as error:
            raise _invalid(error) from error
        return Response(
            _detail(self.user, investigation), status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        )


class InvestigationDetailApi(ApiView):
    """One investigation: its people (ids), opportunities, closures and any challenge."""

    required_capabilities = REQUIRED

    @extend_schema(
        summary="Read an investigation",
        responses={200: InvestigationDetailSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        _require_any(self.user)
        return Response(_detail(self.user, selectors.get_investigation(user=self.user, pk=pk)))


class OpportunityAddApi(ApiView):
    required_capabilities = (Capability.USE_API, Capability.INVESTIGATE)

    class InputSerializer(serializers.Serializer):
        title = serializers.CharField(max_length=200)
        description = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)

        class Meta:
            ref_name = "OpportunityInput"

    @extend_schema(
        summary="Add an investigative opportunity",
        request=InputSerializer,
        responses={201: OpportunitySerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        investigation = selectors.get_investigation(user=self.user, pk=pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            opportunity = services.add_opportunity(investigation=investigation, by=self.user, **data.validated_data)
        except DjangoValidationError as error:
            raise _invalid(error) from error
        return Response(OpportunitySerializer(opportunity).data, status=status.HTTP_201_CREATED)


class OpportunitySettleApi(ApiView):
    required_capabilities = (Capability.USE_API, Capability.INVESTIGATE)

    class InputSerializer(serializers.Serializer):
        done = serializers.BooleanField(help_text="True: done; false: not applicable.")
        outcome = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)
        reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)

        class Meta:
            ref_name = "OpportunitySettleInput"

    @extend_schema(
        summary="Record an opportunity as done or not applicable",
        request=InputSerializer,
        responses={200: OpportunitySerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        opportunity = Opportunity.objects.filter(
            pk=pk, investigation__in=selectors.investigations_for(user=self.user)
        ).first()
        if opportunity is None:
            raise exceptions.NotFound()
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            settled = services.settle_opportunity(opportunity=opportunity, by=self.user, **data.validated_data)
        except DjangoValidationError as error:
            raise _invalid(error) from error
        return Response(OpportunitySerializer(settled).data)


class ClosureProposeApi(ApiView):
    required_capabilities = (Capability.USE_API, Capability.INVESTIGATE)

    class InputSerializer(serializers.Serializer):
        outcome = serializers.ChoiceField(choices=ClosureOutcome.choices)
        rationale = serializers.CharField(max_length=10000)

        class Meta:
            ref_name = "ClosureProposalInput"

    @extend_schema(
        summary="Propose closing an investigation (refused while an opportunity is outstanding)",
        request=InputSerializer,
        responses={201: ClosureSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        investigation = selectors.get_investigation(user=self.user, pk=pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            closure = services.propose_closure(investigation=investigation, by=self.user, **data.validated_data)
        except DjangoValidationError as error:
            raise _invalid(error) from error
        return Response(ClosureSerializer(closure).data, status=status.HTTP_201_CREATED)


def _closure(user: User, pk: int) -> Closure:
    closure = Closure.objects.filter(pk=pk, investigation__in=selectors.investigations_for(user=user)).first()
    if closure is None:
        raise exceptions.NotFound()
    return closure


class ClosureSignOffApi(ApiView):
    required_capabilities = (Capability.USE_API, Capability.SUPERVISE_INVESTIGATIONS)

    class InputSerializer(serializers.Serializer):
        sign_off = serializers.BooleanField(
            help_text="True: sign it off; false: refuse, and the investigation goes on."
        )
        rationale = serializers.CharField(max_length=10000)

        class Meta:
            ref_name = "ClosureSignOffInput"

    @extend_schema(
        summary="Sign off or refuse a proposed closure (not your own)",
        request=InputSerializer,
        responses={200: ClosureSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        closure = _closure(self.user, pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            if data.validated_data["sign_off"]:
                result = services.sign_off_closure(
                    closure=closure, by=self.user, rationale=data.validated_data["rationale"]
                )
            else:
                result = services.refuse_closure(closure=closure, by=self.user, reason=data.validated_data["rationale"])
        except DjangoValidationError as error:
            raise _invalid(error) from error
        return Response(ClosureSerializer(result).data)


class ClosureChallengeApi(ApiView):
    required_capabilities = (Capability.USE_API, Capability.CHALLENGE_CLOSURE)

    class InputSerializer(serializers.Serializer):
        reasons = serializers.CharField(max_length=10000)

        class Meta:
            ref_name = "ClosureChallengeInput"

    @extend_schema(
        summary="Challenge a signed-off closure within the council's window",
        request=InputSerializer,
        responses={201: ChallengeSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        closure = _closure(self.user, pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            challenge = services.challenge_closure(
                closure=closure, by=self.user, reasons=data.validated_data["reasons"]
            )
        except DjangoValidationError as error:
            raise _invalid(error) from error
        return Response(ChallengeSerializer(challenge).data, status=status.HTTP_201_CREATED)


class ChallengeStageApi(ApiView):
    required_capabilities = REQUIRED

    class InputSerializer(serializers.Serializer):
        decision = serializers.ChoiceField(
            choices=[("escalate", "Escalate"), ("reopen", "Reopen"), ("confirm", "Confirm")]
        )
        resolution = serializers.CharField(max_length=10000)
        missed = serializers.ListField(
            child=serializers.CharField(max_length=200), required=False, default=list, max_length=50
        )

        class Meta:
            ref_name = "ChallengeStageInput"

    @extend_schema(
        summary="End the current stage of a challenge: escalate it, reopen the investigation, or confirm the closure",
        request=InputSerializer,
        responses={200: ChallengeSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        challenge = Challenge.objects.filter(
            pk=pk, closure__investigation__in=selectors.investigations_for(user=self.user)
        ).first()
        if challenge is None:
            raise exceptions.NotFound()
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        try:
            if fields["decision"] == "escalate":
                services.escalate_challenge(challenge=challenge, by=self.user, outcome=fields["resolution"])
            else:
                services.resolve_challenge(
                    challenge=challenge,
                    by=self.user,
                    reopen=fields["decision"] == "reopen",
                    resolution=fields["resolution"],
                    missed=fields["missed"],
                )
        except DjangoValidationError as error:
            raise _invalid(error) from error
        challenge.refresh_from_db()
        return Response(ChallengeSerializer(challenge).data)
