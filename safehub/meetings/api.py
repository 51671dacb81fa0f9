"""REST API for strategy discussions and child protection conferences: convening, invitations
and responses, attendance, the outcome or decision, each caller's own calendar entry, and
what the caller's teams must still convene.

Thin, like the pages: every read goes through `safehub.meetings.selectors` (which start from
`safehub.access.policy`), every write through one service of
`safehub.meetings.services.convening` or `safehub.meetings.services.recording`, which check
`access.can`, validate and write the audit trail.

- A meeting (or an invitation to one) the caller may not see is 404, exactly like one that
  does not exist (the refusal is audited by the selector). One the caller sees but may not
  act on (an invitee changing the meeting, someone answering another agency's invitation, a
  social worker overriding quorum) is 403.
- A refusal of the input is 400 in the one error shape, each problem under the API's own
  field name; an entry of a list is named by its position (`entries.0.status`).
- Children are person ids and references, never names: a client opens a child with
  `GET /api/v1/people/<id>/`, which decides what the caller may see. Professionals are user,
  team and organisation ids (the directory API names them). A parent invited by name is
  named only to those who run the meeting.
- The minutes, the information shared and the actions are given only to those the policy
  lets read the minutes (those who run the meeting and the agencies that attended); the
  others get null.
"""

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from safehub.access import policy
from safehub.core.api import ApiView, IdField, error_responses
from safehub.hub import selectors as hub_selectors
from safehub.meetings import selectors
from safehub.meetings.calendar_invites import build_invitation
from safehub.meetings.models import (
    Agency,
    AttendanceMode,
    AttendanceStatus,
    EnquiryOutcome,
    Invitation,
    Meeting,
    MeetingFormat,
    MeetingKind,
    MeetingState,
    PlanCategory,
    ResponseState,
    StrategyOutcome,
)
from safehub.meetings.services import convening, recording
from safehub.partnership.models import Organisation, Team, User
from safehub.partnership.roles import Capability
from safehub.people import selectors as people_selectors

TAGS = ["meetings"]
NO_SUCH_USER = "Choose someone with an active SafeHub account."
NO_SUCH_TEAM = "Choose one of the partnership's teams."
NO_SUCH_ORGANISATION = "Choose one of the partnership's organisations."
ONE_ADDRESSEE = "Invite a named person, a team, or (for a parent) someone by name: one of the three."
NOT_THIS_MEETINGS_INVITATION = "Record attendance only for this meeting's invitations."


# Input helpers --------------------------------------------------------------------------------


def _paths(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """A serializer's errors with nested ones under their path: `entries.0.status`."""
    if isinstance(detail, Mapping):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = str(key)
            if prefix:
                name = prefix if name == "non_field_errors" else f"{prefix}.{name}"
            for path, messages in _paths(value, name).items():
                flat.setdefault(path, []).extend(messages)
        return flat
    if isinstance(detail, list) and any(isinstance(item, Mapping | list) for item in detail):
        flat = {}
        for index, item in enumerate(detail):
            flat.update(_paths(item, f"{prefix}.{index}"))
        return flat
    return {prefix: [str(item) for item in (detail if isinstance(detail, list) else [detail])]}


def _valid(serializer: serializers.Serializer) -> dict[str, Any]:
    """The serializer's validated data, or 400 with each problem under its path."""
    if not serializer.is_valid():
        raise exceptions.ValidationError(_paths(serializer.errors))
    return dict(serializer.validated_data)


def _renamed(error: DjangoValidationError, names: Mapping[str, str]) -> DjangoValidationError:
    """A service's ValidationError with its field names as the API spells them."""
    if not hasattr(error, "error_dict"):
        return error
    renamed: dict[str, list[str]] = {}
    for name, errors in error.message_dict.items():
        renamed.setdefault(names.get(name, name), []).extend(errors)
    return DjangoValidationError(renamed)


def _user(pk: int | None, field: str) -> User | None:
    if pk is None:
        return None
    user = User.objects.filter(pk=pk, is_active=True).select_related("organisation").first()
    if user is None:
        raise DjangoValidationError({field: NO_SUCH_USER})
    return user


def _organisation(pk: int | None, field: str) -> Organisation | None:
    if pk is None:
        return None
    organisation = Organisation.objects.open().filter(pk=pk).first()
    if organisation is None:
        raise DjangoValidationError({field: NO_SUCH_ORGANISATION})
    return organisation


def _team(pk: int | None, field: str) -> Team | None:
    if pk is None:
        return None
    team = Team.objects.filter(pk=pk).select_related("organisation").first()
    if team is None:
        raise DjangoValidationError({field: NO_SUCH_TEAM})
    return team


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 date and time with its offset: a bare local time is ambiguous when the clocks change."""

    default_error_messages = {
        "naive": "Give the time with its UTC offset, for example 2026-12-10T10:00:00+00:00.",
    }

    def to_internal_value(self, value: Any) -> datetime.datetime:
        parsed = value
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:
                parsed = None
        if isinstance(parsed, datetime.datetime) and parsed.tzinfo is None:
            self.fail("naive")
        return super().to_internal_value(value)


# Output ---------------------------------------------------------------------------------------


class ReferenceSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    reference = serializers.CharField()

    class Meta:
        ref_name = "MeetingRecordReference"


class AttendanceOutputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=AttendanceStatus.choices)
    attendee_name = serializers.CharField(help_text="For a deputy: who came.")
    late_minutes = serializers.IntegerField()
    able_to_decide = serializers.BooleanField(help_text="Present and able to make decisions for the agency.")
    recorded_at = serializers.DateTimeField()

    class Meta:
        ref_name = "MeetingAttendance"


class InvitationOutputSerializer(serializers.Serializer):
    """One agency's invitation to a meeting, its answer and (once recorded) its attendance."""

    id = serializers.IntegerField()
    agency = serializers.ChoiceField(choices=Agency.choices)
    # DRF moves declared fields off the class, so `required` does not shadow Field.required.
    required = serializers.BooleanField()  # type: ignore[assignment]
    organisation = serializers.IntegerField(source="organisation_id", allow_null=True)
    invitee = serializers.IntegerField(source="invitee_id", allow_null=True, help_text="A user id.")
    team = serializers.IntegerField(source="team_id", allow_null=True, help_text="A team id.")
    external_name = serializers.SerializerMethodField(
        help_text="Someone without a SafeHub account. A parent's name is null except for those who run the meeting."
    )
    deputy_for = serializers.IntegerField(
        source="deputy_for_id", allow_null=True, help_text="The declined invitation this one replaces."
    )
    invited_at = serializers.DateTimeField()
    response = serializers.ChoiceField(choices=ResponseState.choices)
    response_mode = serializers.CharField(help_text="How the invitee will attend (accepted only).")
    responded_at = serializers.DateTimeField(allow_null=True)
    responded_by = serializers.IntegerField(source="responded_by_id", allow_null=True)
    decline_reason = serializers.CharField()
    deputy_name = serializers.CharField(help_text="Who will attend instead (declined only).")
    reply_recorded = serializers.BooleanField(
        help_text="The answer was given outside SafeHub and recorded by an organiser (responded_by)."
    )
    reached_people = serializers.IntegerField(
        allow_null=True, help_text="How many people in SafeHub the invitation last reached."
    )
    reached_mailbox = serializers.CharField(
        help_text="The team's shared mailbox it was sent to, when no one in SafeHub could receive it."
    )
    reached_nobody = serializers.BooleanField(
        help_text="An agency's invitation that reached no one: no SafeHub user and no shared mailbox."
    )
    escalated_at = serializers.DateTimeField(allow_null=True, help_text="When its managers were alerted.")
    attendance = serializers.SerializerMethodField()

    class Meta:
        ref_name = "MeetingInvitation"

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_external_name(self, invitation: Invitation) -> str | None:
        if invitation.agency == Agency.FAMILY and not self.context.get("names_family", False):
            return None
        return invitation.external_name

    @extend_schema_field(AttendanceOutputSerializer(allow_null=True))
    def get_attendance(self, invitation: Invitation) -> Any:
        if not hasattr(invitation, "attendance"):
            return None
        return AttendanceOutputSerializer(invitation.attendance).data


class ActionOutputSerializer(serializers.Serializer):
    description = serializers.CharField()
    owner_organisation = serializers.IntegerField(source="owner_organisation_id")
    owner_name = serializers.CharField()
    due_on = serializers.DateField()
    completed_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        ref_name = "MeetingAction"


class MeetingListItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    kind = serializers.ChoiceField(choices=MeetingKind.choices)
    state = serializers.ChoiceField(choices=MeetingState.choices)
    team = serializers.IntegerField(source="team_id", help_text="The team that convened it.")
    chair = serializers.IntegerField(source="chair_id", help_text="A user id.")
    due_at = serializers.DateTimeField(help_text="When it must be held by.")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    format = serializers.ChoiceField(choices=MeetingFormat.choices)
    venue = serializers.CharField()
    video_link = serializers.CharField(help_text="The join link, for a meeting by video or hybrid.")
    held_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        ref_name = "MeetingListItem"


class MeetingOutputSerializer(MeetingListItemSerializer):
    """A meeting as the caller may see it: give the page (`selectors.meeting_page`) in the
    context as `page`."""

    class ChildSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        reference = serializers.CharField()

        class Meta:
            ref_name = "MeetingChild"

    class PlanSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        person = serializers.IntegerField(source="person_id")
        category = serializers.ChoiceField(choices=PlanCategory.choices)
        started_on = serializers.DateField()
        next_review_due = serializers.DateField()

        class Meta:
            ref_name = "MeetingPlan"

    class NextDueSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=MeetingKind.choices)
        due_at = serializers.DateTimeField()
        overdue = serializers.BooleanField()

        class Meta:
            ref_name = "MeetingNextDue"

    class MaySerializer(serializers.Serializer):
        manage = serializers.BooleanField(source="may_manage", help_text="Change, invite, withdraw, cancel.")
        chair = serializers.BooleanField(source="may_chair", help_text="Record attendance and the outcome or decision.")
        override_quorum = serializers.BooleanField(source="may_override_quorum")
        read_minutes = serializers.BooleanField(source="may_read_minutes")

        class Meta:
            ref_name = "MeetingPermissions"

    local_authority = serializers.IntegerField(source="local_authority_id")
    convened_by = serializers.IntegerField(source="convened_by_id")
    convened_at = serializers.DateTimeField()
    sequence = serializers.IntegerField(help_text="The calendar SEQUENCE: raised by every change.")
    cancelled_at = serializers.DateTimeField(allow_null=True)
    cancelled_reason = serializers.CharField()
    late_reason = serializers.CharField(help_text="Why it is not held by its due time.")
    held_on_time = serializers.BooleanField(allow_null=True)
    contact = ReferenceSerializer(allow_null=True, help_text="The hub contact it was convened from.")
    previous = ReferenceSerializer(allow_null=True, help_text="The meeting it follows.")
    children = ChildSerializer(source="subjects", many=True, help_text="Open a child with GET /api/v1/people/{id}/.")
    invitations = serializers.SerializerMethodField()
    my_invitations = serializers.SerializerMethodField(help_text="The invitations the caller may answer.")
    unsettled_required_agencies = serializers.SerializerMethodField(
        help_text="Required agencies that have not accepted (or declined with a deputy)."
    )
    escalation_at = serializers.SerializerMethodField(
        help_text="When the managers of a required agency that has not accepted are alerted."
    )
    quorum_gaps = serializers.SerializerMethodField(
        help_text="Of social care, police and health: those not represented by someone able to decide."
    )
    attendance_missing = serializers.SerializerMethodField(
        help_text="The invitations whose attendance is not recorded yet."
    )
    recorded_by = serializers.IntegerField(source="recorded_by_id", allow_null=True)
    quorate = serializers.BooleanField(allow_null=True)
    quorum_override_reason = serializers.CharField()
    quorum_overridden_by = serializers.IntegerField(source="quorum_overridden_by_id", allow_null=True)
    outcome = serializers.CharField(help_text="A strategy discussion's outcome; blank until recorded.")
    enquiry_outcome = serializers.CharField(
        help_text="How the section 47 enquiry it started ended: conference, child_in_need or not_substantiated."
    )
    enquiry_outcome_reason = serializers.CharField()
    plan_decision = serializers.BooleanField(allow_null=True, help_text="A conference's decision on a plan.")
    plan_category = serializers.CharField()
    plan_review_due = serializers.DateField(allow_null=True)
    plans = serializers.SerializerMethodField(help_text="The child protection plans this conference started.")
    next_due = serializers.SerializerMethodField(help_text="What must be convened next, after a held meeting.")
    minutes = serializers.SerializerMethodField(help_text="Null unless the caller may read the minutes.")
    information_shared = serializers.SerializerMethodField(help_text="Null unless the caller may read the minutes.")
    actions = serializers.SerializerMethodField(help_text="Null unless the caller may read the minutes.")
    may = serializers.SerializerMethodField(help_text="What the caller may do to the meeting.")

    class Meta:
        ref_name = "Meeting"

    @property
    def page(self) -> selectors.MeetingPage:
        page = self.context["page"]
        assert isinstance(page, selectors.MeetingPage)
        return page

    @extend_schema_field(InvitationOutputSerializer(many=True))
    def get_invitations(self, meeting: Meeting) -> Any:
        # A parent invited by name is named to those who run the meeting only.
        names_family = self.page.may_manage or self.page.may_chair
        return InvitationOutputSerializer(self.page.invitations, many=True, context={"names_family": names_family}).data

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_my_invitations(self, meeting: Meeting) -> list[int]:
        return [invitation.pk for invitation in self.page.my_invitations]

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=Agency.choices)))
    def get_unsettled_required_agencies(self, meeting: Meeting) -> list[str]:
        return list(self.page.unsettled_agencies)

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_escalation_at(self, meeting: Meeting) -> Any:
        return serializers.DateTimeField().to_representation(self.page.escalation_at)

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=Agency.choices)))
    def get_quorum_gaps(self, meeting: Meeting) -> list[str]:
        return list(self.page.quorum_gaps)

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_attendance_missing(self, meeting: Meeting) -> list[int]:
        return [invitation.pk for invitation in self.page.attendance_missing]

    @extend_schema_field(PlanSerializer(many=True))
    def get_plans(self, meeting: Meeting) -> Any:
        return self.PlanSerializer(self.page.plans, many=True).data

    @extend_schema_field(NextDueSerializer(many=True))
    def get_next_due(self, meeting: Meeting) -> Any:
        return self.NextDueSerializer(self.page.next_due, many=True).data

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_minutes(self, meeting: Meeting) -> str | None:
        return meeting.minutes if self.page.may_read_minutes else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_information_shared(self, meeting: Meeting) -> str | None:
        return meeting.information_shared if self.page.may_read_minutes else None

    @extend_schema_field(ActionOutputSerializer(many=True, allow_null=True))
    def get_actions(self, meeting: Meeting) -> Any:
        if not self.page.may_read_minutes:
            return None
        return ActionOutputSerializer(meeting.actions.all(), many=True).data

    @extend_schema_field(MaySerializer)
    def get_may(self, meeting: Meeting) -> Any:
        return self.MaySerializer(self.page).data


def _meeting_data(user: User, meeting: Meeting) -> Any:
    page = selectors.meeting_page(user=user, meeting=meeting)
    return MeetingOutputSerializer(meeting, context={"page": page}).data


def _meeting(user: User, meeting: Meeting, *, status_code: int = status.HTTP_200_OK) -> Response:
    """The meeting after a change (the change itself was audited by the service)."""
    fresh = Meeting.objects.select_related("contact", "previous").get(pk=meeting.pk)
    return Response(_meeting_data(user, fresh), status=status_code)


def _invitation_of(meeting: Meeting, pk: int) -> Invitation:
    invitation = meeting.invitations.select_related("meeting", "team", "invitee").filter(pk=pk).first()
    if invitation is None:
        raise Http404("No such invitation")
    return invitation


class InvitationInputSerializer(serializers.Serializer):
    agency = serializers.ChoiceField(choices=Agency.choices)
    invitee = IdField(required=False, allow_null=True, default=None, help_text="A user id.")
    team = IdField(required=False, allow_null=True, default=None, help_text="A team id: all its members are invited.")
    external_name = serializers.CharField(
        required=False, allow_blank=True, max_length=200, default="", help_text="A parent or carer, by name."
    )
    required = serializers.BooleanField(  # type: ignore[assignment]
        required=False, default=False, help_text="The meeting cannot go ahead without this agency."
    )

    class Meta:
        ref_name = "MeetingInvitationInput"

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        given = [attrs["invitee"] is not None, attrs["team"] is not None, bool(attrs["external_name"].strip())]
        if sum(given) != 1:
            raise serializers.ValidationError(ONE_ADDRESSEE)
        return attrs


def _invitation_input(data: Mapping[str, Any]) -> convening.InvitationInput:
    return convening.InvitationInput(
        agency=data["agency"],
        invitee=_user(data["invitee"], "invitee"),
        team=_team(data["team"], "team"),
        external_name=data["external_name"],
        required=data["required"],
    )


class ActionInputSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=5000)
    owner_organisation = IdField(help_text="The organisation that will do it.")
    owner_name = serializers.CharField(max_length=200, help_text="The person who will do it.")
    due_on = serializers.DateField()

    class Meta:
        ref_name = "MeetingActionInput"


def _actions(given: Sequence[Mapping[str, Any]]) -> list[recording.ActionInput]:
    actions = []
    for index, action in enumerate(given):
        organisation = _organisation(action["owner_organisation"], f"actions.{index}.owner_organisation")
        assert organisation is not None
        actions.append(
            recording.ActionInput(
                description=action["description"],
                owner_organisation=organisation,
                owner_name=action["owner_name"],
                due_on=action["due_on"],
            )
        )
    return actions


# Meetings -------------------------------------------------------------------------------------


class MeetingListApi(ApiView):
    """The meetings the caller may see: those their teams run and those they are invited to,
    by start time. `POST` convenes one (children's social care and the hub only)."""

    class FilterSerializer(serializers.Serializer):
        state = serializers.ChoiceField(choices=MeetingState.choices, required=False)
        kind = serializers.ChoiceField(choices=MeetingKind.choices, required=False)

        class Meta:
            ref_name = "MeetingFilters"

    class InputSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=MeetingKind.choices)
        contact = IdField(
            required=False,
            allow_null=True,
            default=None,
            help_text="The hub contact decided for a strategy discussion: its children are the meeting's.",
        )
        previous = IdField(
            required=False,
            allow_null=True,
            default=None,
            help_text="The meeting this one follows: the strategy discussion that started the section 47 enquiry "
            "(initial conference), the previous conference (review) or the initial conference (core group).",
        )
        subjects = serializers.ListField(
            child=IdField(),
            max_length=100,
            required=False,
            default=list,
            help_text="Person ids of the children, for a meeting convened directly.",
        )
        team = IdField(
            required=False,
            allow_null=True,
            default=None,
            help_text="The caller's social-care team to hold it (default: the contact's hub, or the previous "
            "meeting's team).",
        )
        chair = IdField(help_text="A user id: a social-care team manager or social worker.")
        starts_at = AwareDateTimeField()
        ends_at = AwareDateTimeField()
        format = serializers.ChoiceField(choices=MeetingFormat.choices)
        venue = serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=200,
            default="",
            help_text="In person or hybrid: a room or building, never a family's address.",
        )
        late_reason = serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=5000,
            default="",
            help_text="Needed when it starts after it is due.",
        )
        invitations = InvitationInputSerializer(
            many=True,
            required=False,
            help_text="Leave out to invite the agencies the rules require (social care, police, health, the "
            "school, and the referrer or the parents).",
        )

        class Meta:
            ref_name = "ConveneMeetingInput"

    @extend_schema(
        tags=TAGS,
        summary="Meetings",
        parameters=[FilterSerializer],
        responses={200: MeetingListItemSerializer(many=True), **error_responses(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        filters = _valid(self.FilterSerializer(data=request.query_params))
        meetings = selectors.meetings_visible_to(self.user).filter(**filters).order_by("starts_at", "pk")
        return self.paginated(meetings, MeetingListItemSerializer)

    @extend_schema(
        tags=TAGS,
        summary="Convene a strategy discussion or conference",
        request=InputSerializer,
        responses={201: MeetingOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request: Request) -> Response:
        data = _valid(self.InputSerializer(data=request.data))
        contact = (
            hub_selectors.get_contact(user=self.user, pk=data["contact"], part="strategy discussion")
            if data["contact"] is not None
            else None
        )
        previous = selectors.get_meeting(user=self.user, pk=data["previous"]) if data["previous"] is not None else None
        subjects = [
            people_selectors.get_person(user=self.user, pk=pk, part="meeting") for pk in dict.fromkeys(data["subjects"])
        ]
        chair = _user(data["chair"], "chair")
        assert chair is not None
        given = data.get("invitations")
        invitations: list[convening.InvitationInput] | None = None
        if given is not None:
            invitations = []
            for index, invitation in enumerate(given):
                try:
                    invitations.append(_invitation_input(invitation))
                except DjangoValidationError as error:
                    names = {name: f"invitations.{index}.{name}" for name in ("invitee", "team")}
                    raise _renamed(error, names) from error
        try:
            meeting = convening.convene(
                kind=data["kind"],
                by=self.user,
                chair=chair,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                format=data["format"],
                venue=data["venue"],
                subjects=subjects,
                contact=contact,
                previous=previous,
                team=_team(data["team"], "team"),
                invitations=invitations,
                late_reason=data["late_reason"],
            )
        except DjangoValidationError as error:
            raise _renamed(error, {"invitee": "invitations", "agency": "invitations"}) from error
        return _meeting(self.user, meeting, status_code=status.HTTP_201_CREATED)


class MeetingDetailApi(ApiView):
    """One meeting: its invitations with their answers and attendance, what is still unsettled,
    quorum, the outcome or decision, and the minutes for those who may read them."""

    @extend_schema(
        tags=TAGS,
        summary="Read a meeting",
        responses={200: MeetingOutputSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        meeting = selectors.get_meeting(user=self.user, pk=pk)
        return Response(_meeting_data(self.user, meeting))


class MeetingRescheduleApi(ApiView):
    """Change when, where or how the meeting is held: every invitee's calendar is updated, and
    a new time asks those who had accepted to accept again."""

    class InputSerializer(serializers.Serializer):
        starts_at = AwareDateTimeField()
        ends_at = AwareDateTimeField()
        format = serializers.ChoiceField(choices=MeetingFormat.choices)
        venue = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
        late_reason = serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=5000,
            default="",
            help_text="Needed when the new time is after the meeting is due.",
        )

        class Meta:
            ref_name = "RescheduleMeetingInput"

    @extend_schema(
        tags=TAGS,
        summary="Reschedule a meeting",
        request=InputSerializer,
        responses={200: MeetingOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        data = _valid(self.InputSerializer(data=request.data))
        meeting = selectors.get_meeting(user=self.user, pk=pk)
        convening.reschedule(meeting=meeting, by=self.user, **data)
        return _meeting(self.user, meeting)


class MeetingCancelApi(ApiView):
    """Cancel the meeting: every invitee's calendar entry is cancelled."""

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")

        class Meta:
            ref_name = "CancelMeetingInput"

    @extend_schema(
        tags=TAGS,
        summary="Cancel a meeting",
        request=InputSerializer,
        responses={200: MeetingOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        data = _valid(self.InputSerializer(data=request.data))
        meeting = selectors.get_meeting(user=self.user, pk=pk)
        try:
            convening.cancel(meeting=meeting, by=self.user, reason=data["reason"])
        except DjangoValidationError as error:
            raise _renamed(error, {"cancelled_reason": "reason"}) from error
        return _meeting(self.user, meeting)


class MeetingEnquiryOutcomeApi(ApiView):
    """How the section 47 enquiry a strategy discussion started ended, when it ended without a
    conference (a conference is recorded by convening it, with `previous` set)."""

    class InputSerializer(serializers.Serializer):
        outcome = serializers.ChoiceField(choices=[(o.value, o.label) for o in EnquiryOutcome])
        reason = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")

        class Meta:
            ref_name = "EnquiryOutcomeInput"

    @extend_schema(
        tags=TAGS,
        summary="Record how a section 47 enquiry ended",
        request=InputSerializer,
        responses={200: MeetingOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        data = _valid(self.InputSerializer(data=request.data))
        meeting = selectors.get_meeting(user=self.user, pk=pk)
        try:
            recording.record_enquiry_outcome(
                meeting=meeting, by=self.user, outcome=data["outcome"], reason=data["reason"]
            )
        except DjangoValidationError as error:
            raise _renamed(error, {"enquiry_outcome": "outcome", "enquiry_outcome_reason": "reason"}) from error
        meeting.refresh_from_db()
        return _meeting(self.user, meeting)


class MeetingInviteApi(ApiView):
    """Invite one more agency, person or team to a scheduled meeting."""

    @extend_schema(
        tags=TAGS,
        summary="Invite to a meeting",
        request=InvitationInputSerializer,
        responses={201: InvitationOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        data = _valid(InvitationInputSerializer(data=request.data))
        meeting = selectors.get_meeting(user=self.user, pk=pk)
        invitation = convening.invite(meeting=meeting, invitation=_invitation_input(data), by=self.user)
        return Response(
            InvitationOutputSerializer(invitation, context={"names_family": True}).data,
            status=status.HTTP_201_CREATED,
        )


class InvitationWithdrawApi(ApiView):
    """Take back an invitation: its recipients' calendars are told it is cancelled for them."""

    @extend_schema(
        tags=TAGS,
        summary="Withdraw an invitation",
        request=None,
        responses={200: InvitationOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request: Request, pk: int, invitation_pk: int) -> Response:
        meeting = selectors.get_meeting(user=self.user, pk=pk)
        invitation = convening.withdraw_invitation(invitation=_invitation_of(meeting, invitation_pk), by=self.user)
        return Response(InvitationOutputSerializer(invitation, context={"names_family": True}).data)


class MeetingCalendarApi(ApiView):
    """The caller's own calendar entry for the meeting (iCalendar, RFC 5545): the same object
    the invitation email carries, for the caller's address; a cancelled meeting's is a CANCEL."""

    class CalendarRenderer(BaseRenderer):
        media_type = "text/calendar"
        format = "ics"
        charset = "utf-8"

        def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
            return str(data).encode(self.charset)

    renderer_classes = [JSONRenderer, CalendarRenderer]

    @extend_schema(
        tags=TAGS,
        summary="Your calendar entry for a meeting",
        responses={
            (200, "text/calendar"): OpenApiResponse(OpenApiTypes.STR, description="An iCalendar object."),
            **error_responses(401, 403, 404),
        },
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        meeting = selectors.get_meeting(user=self.user, pk=pk)
        cancelled = meeting.state == MeetingState.CANCELLED
        text = build_invitation(meeting=meeting, attendee_email=self.user.email, cancel=cancelled)
        method = "CANCEL" if cancelled else "REQUEST"
        response = HttpResponse(text, content_type=f"text/calendar; charset=utf-8; method={method}")
        response["Content-Disposition"] = f'attachment; filename="{meeting.reference}.ics"'
        return response

    def handle_exception(self, exc: Exception) -> Response:
        response = super().handle_exception(exc)
        # Errors keep the one JSON error shape, whatever the client asked for.
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response


class MeetingsDueApi(ApiView):
    """What the caller's teams must still convene, soonest due first: strategy discussions the
    hub decided on, initial conferences after a section 47 enquiry, reviews and core groups."""

    required_capabilities = (Capability.USE_API, Capability.CONVENE_MEETINGS)

    class OutputSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=MeetingKind.choices)
        follows = serializers.CharField(source="reference", help_text="The contact or meeting it follows.")
        contact = serializers.IntegerField(source="contact.pk", allow_null=True, default=None)
        previous = serializers.IntegerField(source="previous.pk", allow_null=True, default=None)
        due_at = serializers.DateTimeField()
        overdue = serializers.BooleanField()

        class Meta:
            ref_name = "MeetingDue"

    @extend_schema(
        tags=TAGS,
        summary="Meetings to convene",
        responses={200: OutputSerializer(many=True), **error_responses(401, 403)},
    )
    def get(self, request: Request) -> Response:
        return self.paginated(selectors.meetings_to_convene(user=self.user), self.OutputSerializer)


# Invitations ----------------------------------------------------------------------------------


class MyInvitationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    meeting = serializers.IntegerField(source="meeting_id")
    meeting_reference = serializers.CharField(source="meeting.reference")
    meeting_kind = serializers.ChoiceField(source="meeting.kind", choices=MeetingKind.choices)
    meeting_state = serializers.ChoiceField(source="meeting.state", choices=MeetingState.choices)
    starts_at = serializers.DateTimeField(source="meeting.starts_at")
    ends_at = serializers.DateTimeField(source="meeting.ends_at")
    format = serializers.ChoiceField(source="meeting.format", choices=MeetingFormat.choices)
    video_link = serializers.CharField(source="meeting.video_link")
    agency = serializers.ChoiceField(choices=Agency.choices)
    required = serializers.BooleanField()  # type: ignore[assignment]
    team = serializers.IntegerField(source="team_id", allow_null=True, help_text="Addressed to this team.")
    response = serializers.ChoiceField(choices=ResponseState.choices)
    response_mode = serializers.CharField()
    responded_at = serializers.DateTimeField(allow_null=True)
    decline_reason = serializers.CharField()
    deputy_name = serializers.CharField()

    class Meta:
        ref_name = "MyMeetingInvitation"


class InvitationListApi(ApiView):
    """The invitations addressed to the caller by name or to one of their teams, by meeting start."""

    class FilterSerializer(serializers.Serializer):
        response = serializers.ChoiceField(
            choices=[(s.value, s.label) for s in ResponseState if s != ResponseState.WITHDRAWN], required=False
        )
        upcoming = serializers.BooleanField(
            required=False, default=True, help_text="Only scheduled meetings that have not ended (default)."
        )

        class Meta:
            ref_name = "MyInvitationFilters"

    @extend_schema(
        tags=TAGS,
        summary="Your invitations",
        parameters=[FilterSerializer],
        responses={200: MyInvitationOutputSerializer(many=True), **error_responses(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        filters = _valid(self.FilterSerializer(data=request.query_params))
        invitations = policy.open_invitations_to(self.user).select_related("meeting")
        if "response" in filters:
            invitations = invitations.filter(response=filters["response"])
        if filters["upcoming"]:
            invitations = invitations.filter(
                meeting__state=MeetingState.SCHEDULED, meeting__ends_at__gte=timezone.now()
            )
        return self.paginated(invitations.order_by("meeting__starts_at", "pk"), MyInvitationOutputSerializer)


class InvitationRespondApi(ApiView):
    """Accept (saying how you will attend) or decline (with the reason and who will attend
    instead). Accepting a team's invitation makes it yours; a deputy with a SafeHub account
    is sent an invitation of their own."""

    class InputSerializer(serializers.Serializer):
        accept = serializers.BooleanField(error_messages={"required": "Say whether you will attend."})
        mode = serializers.ChoiceField(
            choices=AttendanceMode.choices,
            required=False,
            allow_blank=True,
            default="",
            help_text="How you will attend (accepting only).",
        )
        decline_reason = serializers.CharField(
            required=False, allow_blank=True, max_length=5000, default="", help_text="Declining: why."
        )
        deputy_name = serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=200,
            default="",
            help_text="Declining: who will attend for your agency instead.",
        )
        deputy = IdField(
            required=False,
            allow_null=True,
            default=None,
            help_text="Declining: a colleague's user id; they are sent an invitation of their own.",
        )

        class Meta:
            ref_name = "RespondToInvitationInput"

    @extend_schema(
        tags=TAGS,
        summary="Answer an invitation",
        request=InputSerializer,
        responses={200: MyInvitationOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        data = _valid(self.InputSerializer(data=request.data))
        meeting_id = Invitation.objects.filter(pk=pk).values_list("meeting_id", flat=True).first()
        if meeting_id is None:
            raise Http404("No such invitation")
        # Audited, and 404 for an invitation to a meeting the caller may not see.
        invitation = _invitation_of(selectors.get_meeting(user=self.user, pk=meeting_id), pk)
        try:
            answered = convening.respond(
                invitation=invitation,
                by=self.user,
                accept=data["accept"],
                mode=data["mode"],
                decline_reason=data["decline_reason"],
                deputy_name=data["deputy_name"],
                deputy=_user(data["deputy"], "deputy"),
            )
        except DjangoValidationError as error:
            raise _renamed(error, {"response_mode": "mode"}) from error
        answered = Invitation.objects.select_related("meeting").get(pk=answered.pk)
        return Response(MyInvitationOutputSerializer(answered).data)


# Holding and recording ------------------------------------------------------------------------


class MeetingAttendanceApi(ApiView):
    """The chair's record of who came and how, one entry per invitation; recording again
    replaces an earlier entry until the outcome is recorded."""

    class InputSerializer(serializers.Serializer):
        class EntrySerializer(serializers.Serializer):
            invitation = IdField(help_text="One of this meeting's invitation ids.")
            status = serializers.ChoiceField(choices=AttendanceStatus.choices)
            attendee_name = serializers.CharField(
                required=False, allow_blank=True, max_length=200, default="", help_text="For a deputy: who came."
            )
            late_minutes = serializers.IntegerField(required=False, min_value=0, max_value=1440, default=0)
            able_to_decide = serializers.BooleanField(
                required=False, default=False, help_text="Able to make decisions for the agency."
            )

            class Meta:
                ref_name = "AttendanceEntryInput"

        entries = EntrySerializer(many=True, allow_empty=False)

        class Meta:
            ref_name = "RecordAttendanceInput"

    @extend_schema(
        tags=TAGS,
        summary="Record attendance",
        request=InputSerializer,
        responses={200: MeetingOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        data = _valid(self.InputSerializer(data=request.data))
        meeting = selectors.get_meeting(user=self.user, pk=pk)
        entries = data["entries"]
        invitations = meeting.invitations.in_bulk([entry["invitation"] for entry in entries])
        unknown = {
            f"entries.{index}.invitation": [NOT_THIS_MEETINGS_INVITATION]
            for index, entry in enumerate(entries)
            if entry["invitation"] not in invitations
        }
        if unknown:
            raise exceptions.ValidationError(unknown)
        names = {f"status-{entry['invitation']}": f"entries.{index}.status" for index, entry in enumerate(entries)}
        try:
            recording.record_attendance(
                meeting=meeting,
                entries=[
                    recording.AttendanceInput(
                        invitation=invitations[entry["invitation"]],
                        status=entry["status"],
                        attendee_name=entry["attendee_name"],
                        late_minutes=entry["late_minutes"],
                        able_to_decide=entry["able_to_decide"],
                    )
                    for entry in entries
                ],
                by=self.user,
            )
        except DjangoValidationError as error:
            raise _renamed(error, names) from error
        return _meeting(self.user, meeting)


class MeetingAttendeeApi(ApiView):
    """Someone who came without an invitation (an officer who joined late, a parent's
    advocate), added so that their attendance can be recorded."""

    class InputSerializer(serializers.Serializer):
        agency = serializers.ChoiceField(choices=Agency.choices)
        name = serializers.CharField(max_length=200, error_messages={"blank": "Enter the attendee's name."})
        organisation = IdField(required=False, allow_null=True, default=None)

        class Meta:
            ref_name = "AddAttendeeInput"

    @extend_schema(
        tags=TAGS,
        summary="Add an attendee",
        request=InputSerializer,
        responses={201: InvitationOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        data = _valid(self.InputSerializer(data=request.data))
        meeting = selectors.get_meeting(user=self.user, pk=pk)
        invitation = recording.add_attendee(
            meeting=meeting,
            agency=data["agency"],
            name=data["name"],
            organisation=_organisation(data["organisation"], "organisation"),
            by=self.user,
        )
        return Response(
            InvitationOutputSerializer(invitation, context={"names_family": True}).data,
            status=status.HTTP_201_CREATED,
        )


class RecordingInputSerializer(serializers.Serializer):
    minutes = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100_000,
        default="",
        help_text="Shared with the attendees' agencies.",
    )
    information_shared = serializers.CharField(required=False, allow_blank=True, max_length=50_000, default="")
    actions = ActionInputSerializer(many=True, required=False, default=list)
    quorum_override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=5000,
        default="",
        help_text="A team manager's reason for deciding although social care, police or health were not "
        "represented by someone able to decide.",
    )


class MeetingOutcomeApi(ApiView):
    """A strategy discussion's outcome, with the actions agreed and the minutes. Deciding on a
    section 47 enquiry needs quorum, or a team manager's reason."""

    class InputSerializer(RecordingInputSerializer):
        outcome = serializers.ChoiceField(
            choices=StrategyOutcome.choices,
            error_messages={"required": "Choose the outcome of the strategy discussion."},
        )

        class Meta:
            ref_name = "StrategyOutcomeInput"

    @extend_schema(
        tags=TAGS,
        summary="Record a strategy discussion's outcome",
        request=InputSerializer,
        responses={200: MeetingOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        data = _valid(self.InputSerializer(data=request.data))
        meeting = selectors.get_meeting(user=self.user, pk=pk)
        recording.record_strategy_outcome(
            meeting=meeting,
            by=self.user,
            outcome=data["outcome"],
            minutes=data["minutes"],
            information_shared=data["information_shared"],
            actions=_actions(data["actions"]),
            quorum_override_reason=data["quorum_override_reason"],
        )
        return _meeting(self.user, meeting)


class MeetingDecisionApi(ApiView):
    """A conference's decision: a child protection plan or not, its category and the date of
    its review. It needs quorum, or a team manager's reason."""

    class InputSerializer(RecordingInputSerializer):
        plan = serializers.BooleanField(error_messages={"required": "Say whether the child needs a plan."})
        category = serializers.ChoiceField(
            choices=PlanCategory.choices, required=False, allow_blank=True, default="", help_text="With a plan."
        )
        review_on = serializers.DateField(
            required=False,
            allow_null=True,
            default=None,
            help_text="With a plan; default and latest: 3 months after an initial conference, 6 after a review.",
        )

        class Meta:
            ref_name = "ConferenceDecisionInput"

    @extend_schema(
        tags=TAGS,
        summary="Record a conference's decision",
        request=InputSerializer,
        responses={200: MeetingOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        data = _valid(self.InputSerializer(data=request.data))
        meeting = selectors.get_meeting(user=self.user, pk=pk)
        try:
            recording.record_conference_decision(
                meeting=meeting,
                by=self.user,
                plan=data["plan"],
                category=data["category"],
                review_on=data["review_on"],
                minutes=data["minutes"],
                information_shared=data["information_shared"],
                actions=_actions(data["actions"]),
                quorum_override_reason=data["quorum_override_reason"],
            )
        except DjangoValidationError as error:
            raise _renamed(
                error, {"plan_category": "category", "plan_review_due": "review_on", "plan_decision": "plan"}
            ) from error
        return _meeting(self.user, meeting)
