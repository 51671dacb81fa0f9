"""REST API for the hub's work on a contact: the queue, allocation, screening, the agencies'
checks and their answers, the referral decision and telling the referrer.

Thin, like the pages (`safehub.hub.views.work`): each endpoint reads through
`safehub.hub.selectors` and writes through one service of `safehub.hub.services.workflow`.

- A contact or check the caller may not see is 404, exactly like one that does not exist
  (the refusal is audited by the selector). One the caller may see but not act on (a hub
  practitioner deciding, an agency screening, the hub answering an agency's check) is 403.
- A service's refusal of the input (`ValidationError`) is 400 in the one error shape, with
  each problem under the API's own field name.
- The queue and the list of checks carry references and due times, never names: the caller
  opens a contact (`GET /api/v1/contacts/<id>/`), which is audited.
"""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from safehub.core.api import ApiView, IdField, error_responses
from safehub.hub import selectors
from safehub.hub.models import (
    AGENCY_ANSWERS,
    Contact,
    ContactState,
    Decision,
    LawfulBasis,
    Rag,
    ResearchAgency,
    ResearchRequest,
)
from safehub.hub.services import workflow
from safehub.partnership.models import User
from safehub.partnership.roles import Capability

QUEUE_STATES = [ContactState.RECEIVED, ContactState.RESEARCH, ContactState.AWAITING_DECISION]
QUEUE_STATE_CHOICES = [(s.value, s.label) for s in QUEUE_STATES]
SCREEN_AGENCIES = [agency.value for agency in workflow.DEFAULT_AGENCIES]


def _renamed(error: DjangoValidationError, names: Mapping[str, str]) -> DjangoValidationError:
    """A service's ValidationError with its field names as the API spells them."""
    if not hasattr(error, "error_dict"):
        return error
    return DjangoValidationError({names.get(name, name): errors for name, errors in error.error_dict.items()})


# Output ---------------------------------------------------------------------------------------


class ResearchRequestOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    contact_id = serializers.IntegerField()
    contact_reference = serializers.CharField(source="contact.reference")
    agency = serializers.ChoiceField(choices=ResearchAgency.choices)
    team = serializers.CharField(source="team.name")
    organisation = serializers.CharField(source="team.organisation.name")
    requested_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    answer = serializers.CharField(help_text="Blank until the agency answers.")
    information = serializers.CharField(help_text="What the agency shared (answer `shared` only).")
    reason_not_shared = serializers.CharField(help_text="Why the agency decided not to share (`not_shared` only).")
    lawful_basis = serializers.CharField()
    answered_at = serializers.DateTimeField(allow_null=True)
    answered_in_time = serializers.BooleanField(allow_null=True)

    class Meta:
        ref_name = "ResearchRequest"


class WorkflowContactOutputSerializer(serializers.Serializer):
    """Where the hub's work on a contact stands (who it is about: `GET /api/v1/contacts/<id>/`)."""

    id = serializers.IntegerField()
    reference = serializers.CharField()
    received_at = serializers.DateTimeField()
    state = serializers.ChoiceField(choices=ContactState.choices)
    allocated_to = serializers.IntegerField(source="allocated_to_id", allow_null=True, help_text="A user id.")
    rag = serializers.CharField(help_text="Blank until screened.")
    screened_at = serializers.DateTimeField(allow_null=True)
    screening_notes = serializers.CharField()
    research_due_at = serializers.DateTimeField(allow_null=True)
    decision_due_at = serializers.DateTimeField(allow_null=True)
    decision = serializers.CharField(help_text="Blank until the hub decides.")
    decision_rationale = serializers.CharField()
    late_reason = serializers.CharField()
    decided_at = serializers.DateTimeField(allow_null=True)
    referrer_told_at = serializers.DateTimeField(allow_null=True)
    research = serializers.SerializerMethodField()

    class Meta:
        ref_name = "ContactWork"

    @extend_schema_field(ResearchRequestOutputSerializer(many=True))
    def get_research(self, contact: Contact) -> Any:
        requests = contact.research_requests.select_related("contact", "team__organisation").order_by("agency")
        return ResearchRequestOutputSerializer(requests, many=True).data


def _work(contact: Contact) -> Response:
    contact.refresh_from_db()
    return Response(WorkflowContactOutputSerializer(contact).data)


# The queue ------------------------------------------------------------------------------------


class HubQueueApi(ApiView):
    """The open contacts of the caller's hub team, soonest due first (as the hub queue page)."""

    required_capabilities = (Capability.USE_API, Capability.WORK_HUB_QUEUE)

    class FilterSerializer(serializers.Serializer):
        state = serializers.ChoiceField(choices=QUEUE_STATE_CHOICES, required=False)
        rag = serializers.ChoiceField(
            choices=[*Rag.choices, ("none", "Not yet rated")], required=False, help_text="`none`: not yet rated."
        )
        mine = serializers.BooleanField(required=False, default=False, help_text="Allocated to the caller.")
        unlinked = serializers.BooleanField(
            required=False, default=False, help_text="Someone in it is not yet linked to a record."
        )

        class Meta:
            ref_name = "HubQueueFilters"

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        reference = serializers.CharField()
        received_at = serializers.DateTimeField()
        state = serializers.ChoiceField(choices=ContactState.choices)
        rag = serializers.CharField(help_text="Blank until screened.")
        allocated_to = serializers.IntegerField(source="allocated_to_id", allow_null=True, help_text="A user id.")
        due_at = serializers.DateTimeField(
            source="queue_due_at", help_text="The checks' due time while under way, else the decision's."
        )
        overdue = serializers.SerializerMethodField()
        unlinked = serializers.SerializerMethodField()

        class Meta:
            ref_name = "HubQueueItem"

        @extend_schema_field(OpenApiTypes.BOOL)
        def get_overdue(self, contact: Contact) -> bool:
            return bool(contact.queue_due_at < timezone.now())  # type: ignore[attr-defined]

        @extend_schema_field(OpenApiTypes.BOOL)
        def get_unlinked(self, contact: Contact) -> bool:
            return any(subject.person_id is None for subject in contact.subjects.all())

    @extend_schema(
        summary="The hub queue",
        parameters=[FilterSerializer],
        responses={200: OutputSerializer(many=True), **error_responses(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        contacts = selectors.hub_queue(
            user=self.user,
            filters=selectors.QueueFilters(
                state=filters.validated_data.get("state", ""),
                rag=filters.validated_data.get("rag", ""),
                mine=filters.validated_data["mine"],
                unlinked=filters.validated_data["unlinked"],
            ),
        )
        return self.paginated(contacts, self.OutputSerializer)


# The work on one contact ----------------------------------------------------------------------


class ContactAllocateApi(ApiView):
    """Give the contact to a member of its hub team who works the queue."""

    class InputSerializer(serializers.Serializer):
        allocated_to = IdField(help_text="The user id of a member of the contact's hub team.")

        class Meta:
            ref_name = "AllocateInput"

    @extend_schema(
        summary="Allocate a contact",
        request=InputSerializer,
        responses={200: WorkflowContactOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        contact = selectors.get_contact(user=self.user, pk=pk, part="allocation")
        to = User.objects.filter(pk=data.validated_data["allocated_to"], is_active=True).first()
        if to is None:
            raise DjangoValidationError({"allocated_to": workflow.NOT_IN_HUB_TEAM})
        workflow.allocate(contact=contact, to=to, by=self.user)
        return _work(contact)


class ContactScreenApi(ApiView):
    """Rate the contact and ask the agencies to check their records."""

    class InputSerializer(serializers.Serializer):
        rag = serializers.ChoiceField(
            choices=Rag.choices,
            help_text="Sets when the checks are due: red in hours, amber and green in working days.",
            error_messages={"required": workflow.CHOOSE_RAG, "invalid_choice": workflow.CHOOSE_RAG},
        )
        notes = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")
        agencies = serializers.ListField(
            child=serializers.ChoiceField(choices=SCREEN_AGENCIES),
            required=False,
            default=list,
            help_text="The agencies asked to check their records; each one's safeguarding team is asked.",
        )

        class Meta:
            ref_name = "ScreenInput"

    @extend_schema(
        summary="Screen a contact",
        request=InputSerializer,
        responses={200: WorkflowContactOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        contact = selectors.get_contact(user=self.user, pk=pk, part="screening")
        workflow.screen(
            contact=contact,
            rag=data.validated_data["rag"],
            notes=data.validated_data["notes"],
            agencies=[ResearchAgency(agency) for agency in data.validated_data["agencies"]],
            by=self.user,
        )
        return _work(contact)


class ContactDecisionApi(ApiView):
    """A social-care team manager's referral decision, due 1 working day after the contact arrived."""

    class InputSerializer(serializers.Serializer):
        decision = serializers.ChoiceField(
            choices=Decision.choices, error_messages={"required": "Choose the decision."}
        )
        rationale = serializers.CharField(
            max_length=10000,
            error_messages={"required": workflow.ENTER_RATIONALE, "blank": workflow.ENTER_RATIONALE},
        )
        late_reason = serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=5000,
            default="",
            help_text="Needed when the decision is made after it was due.",
        )
        close_open_checks = serializers.BooleanField(
            required=False,
            default=False,
            help_text="Needed when a check is still open: the decision closes it as not needed.",
        )

        class Meta:
            ref_name = "DecisionInput"

    @extend_schema(
        summary="Decide a contact",
        request=InputSerializer,
        responses={200: WorkflowContactOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        contact = selectors.get_contact(user=self.user, pk=pk, part="decision")
        try:
            workflow.decide(
                contact=contact,
                decision=data.validated_data["decision"],
                rationale=data.validated_data["rationale"],
                late_reason=data.validated_data["late_reason"],
                close_open_checks=data.validated_data["close_open_checks"],
                by=self.user,
            )
        except DjangoValidationError as error:
            raise _renamed(error, {"decision_rationale": "rationale"}) from error
        return _work(contact)


class ContactReferrerToldApi(ApiView):
    """The hub has phoned or emailed the referrer with the outcome."""

    @extend_schema(
        summary="Record that the referrer was told",
        request=None,
        responses={200: WorkflowContactOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        contact = selectors.get_contact(user=self.user, pk=pk, part="referrer feedback")
        workflow.record_referrer_told(contact=contact, by=self.user)
        return _work(contact)


# The agencies' checks -------------------------------------------------------------------------


class ResearchRequestListApi(ApiView):
    """The checks waiting for the caller's teams to answer, soonest due first."""

    required_capabilities = (Capability.USE_API, Capability.ANSWER_RESEARCH)

    @extend_schema(
        summary="Checks to answer",
        responses={200: ResearchRequestOutputSerializer(many=True), **error_responses(401, 403)},
    )
    def get(self, request: Request) -> Response:
        return self.paginated(selectors.research_requests_for(user=self.user), ResearchRequestOutputSerializer)


class ResearchAnswerApi(ApiView):
    """An agency's answer to the hub's check: shared, nothing known, or a decision not to share
    with its reason; always with the lawful basis."""

    class InputSerializer(serializers.Serializer):
        answer = serializers.ChoiceField(
            choices=AGENCY_ANSWERS, error_messages={"required": "Choose what your agency's records show."}
        )
        information = serializers.CharField(
            required=False, allow_blank=True, max_length=10000, default="", help_text="Only when sharing."
        )
        reason_not_shared = serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=5000,
            default="",
            help_text="Only for a decision not to share: it is recorded either way.",
        )
        lawful_basis = serializers.ChoiceField(
            choices=LawfulBasis.choices,
            error_messages={"required": "Record the lawful basis, whether or not you share."},
        )

        class Meta:
            ref_name = "ResearchAnswerInput"

    @extend_schema(
        summary="Answer a check",
        request=InputSerializer,
        responses={200: ResearchRequestOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        research = selectors.get_research_request(user=self.user, pk=pk)
        answered = workflow.answer_research(request=research, by=self.user, **data.validated_data)
        answered = ResearchRequest.objects.select_related("contact", "team__organisation").get(pk=answered.pk)
        return Response(ResearchRequestOutputSerializer(answered).data)
