"""REST API for missing children: a force's system sends its missing episodes, and whoever may
see an episode (the force, each council concerned) reads it.

- `POST /api/v1/missing/episodes/` needs an `Idempotency-Key` header, as
  `POST /api/v1/encompass/incidents/` does: resending the same episode (after a timeout, or a
  whole batch again) returns the first one with 200 and tells no one again; the same key for a
  different episode, or a police reference the force already recorded under another key, is
  refused with 409. The force is the caller's organisation; the same rules apply as on the
  police form (`safehub.missing.services.record_episode`), and every problem comes back under
  its field's path in the request, such as `child.date_of_birth`.
- `GET /api/v1/missing/episodes/` lists the episodes the caller may see (`policy.visible_episodes`),
  newest first, by reference and times, never names: open one to read it (which is audited).
- `GET /api/v1/missing/episodes/<id>/`: one episode and the child. One the caller may not see is
  404, exactly like one that does not exist.
- `POST /api/v1/missing/episodes/<id>/return/`: the force records that the child was found or
  returned (`safehub.missing.services.record_return`: the return home interview falls due 72
  hours later). An episode has one return, so a resend of the same return (same time and
  place) is answered 200 with the episode and changes nothing; a different return for an episode
  already closed is refused with 409. Only the force that recorded the episode may; an episode
  the caller may not see is 404.
"""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from safehub.core.api import ApiView, CapabilityRequired, ErrorSerializer, error_responses
from safehub.encompass.api import _flattened
from safehub.hub.api import IDEMPOTENCY_HEADER, Conflict, idempotency_key
from safehub.missing import selectors
from safehub.missing.models import Episode, EpisodeState, Indicator, Reporter, RiskGrade
from safehub.missing.services import (
    ChildDetails,
    DuplicateEpisode,
    EpisodeInput,
    ReturnInput,
    record_episode,
    record_return,
)
from safehub.partnership.models import Organisation, OrganisationKind
from safehub.partnership.roles import Capability, has_capability
from safehub.people.models import SEX_GIVEN_CHOICES

MISSING_KEY = (
    "Send an Idempotency-Key header: a unique value for this episode (such as your system's reference "
    "for the record), so that resending it never tells the councils twice."
)
UNKNOWN_COUNCIL = "Enter the LA code of a council, as GET /api/v1/organisations/ gives it."
# The service's keys for its problems, as paths in the request.
FIELD_PATHS = {
    "child_date_of_birth": "child.date_of_birth",
    "child_nhs_number": "child.nhs_number",
    "child_sex": "child.sex",
    "child_upn": "child.upn",
}


def _councils() -> Any:
    return Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY)


def _as_paths(error: DjangoValidationError, given: dict[str, Any] | None = None) -> exceptions.ValidationError:
    """The service's refusal with each problem under its field's path in the request."""
    if not hasattr(error, "error_dict"):
        return exceptions.ValidationError({"non_field_errors": error.messages})
    fields: dict[str, list[str]] = {}
    for key, messages in error.message_dict.items():
        if key == "child_name" and given is not None:
            key = "child.given_names" if not given["child"]["given_names"].strip() else "child.family_name"
        fields[FIELD_PATHS.get(key, key)] = messages
    return exceptions.ValidationError(fields)


class EpisodeChildInputSerializer(serializers.Serializer):
    given_names = serializers.CharField(allow_blank=True, max_length=150, default="")
    family_name = serializers.CharField(allow_blank=True, max_length=150, default="")
    date_of_birth = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Or your best estimate of it."
    )
    nhs_number = serializers.CharField(required=False, allow_blank=True, max_length=20, default="")
    upn = serializers.CharField(required=False, allow_blank=True, max_length=13, default="")
    postcode = serializers.CharField(required=False, allow_blank=True, max_length=10, default="")
    sex = serializers.ChoiceField(
        choices=SEX_GIVEN_CHOICES,
        required=False,
        default="",
        help_text="Used only to match the record: a different sex on record is never linked automatically.",
    )

    class Meta:
        ref_name = "MissingChildInput"


class EpisodeSummaryOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    police_reference = serializers.CharField()
    local_authority = serializers.CharField(source="local_authority.la_code", help_text="The council's LA code.")
    placing_authority = serializers.CharField(
        source="placing_authority.la_code",
        allow_null=True,
        default=None,
        help_text="The LA code of the council that placed a child in care; null if none.",
    )
    reported_at = serializers.DateTimeField()
    risk_grade = serializers.ChoiceField(choices=RiskGrade.choices)
    in_care = serializers.BooleanField()
    state = serializers.ChoiceField(choices=EpisodeState.choices)
    returned_at = serializers.DateTimeField(allow_null=True)
    repeat = serializers.BooleanField(help_text="This episode made the child's count reach the repeat threshold.")

    class Meta:
        ref_name = "MissingEpisodeSummary"


class EpisodeOutputSerializer(EpisodeSummaryOutputSerializer):
    class ChildSerializer(serializers.Serializer):
        id = serializers.IntegerField(help_text="The child's record in SafeHub.")
        given_names = serializers.CharField()
        family_name = serializers.CharField()
        date_of_birth = serializers.DateField(allow_null=True)

        class Meta:
            ref_name = "MissingEpisodeChild"

    child = ChildSerializer(source="person")
    new_record = serializers.BooleanField(
        help_text="No record matched surely and SafeHub made one: the hub checks it for a duplicate."
    )
    force = serializers.CharField(source="force.name")
    reported_by = serializers.ChoiceField(choices=Reporter.choices)
    last_seen_at = serializers.DateTimeField(allow_null=True)
    last_seen_location = serializers.CharField()
    circumstances = serializers.CharField()
    indicators = serializers.ListField(child=serializers.ChoiceField(choices=Indicator.choices))
    recorded_at = serializers.DateTimeField()
    recorded_via = serializers.CharField()
    found_location = serializers.CharField()
    found_by = serializers.CharField()
    where_had_been = serializers.CharField()
    with_whom = serializers.CharField()
    harm = serializers.CharField()
    council_told_at = serializers.DateTimeField(
        allow_null=True, help_text="When the council was first told: a high-risk alert, else its digest."
    )

    class Meta:
        ref_name = "MissingEpisode"


def _episode_response(episode: Episode, status_code: int = status.HTTP_200_OK) -> Response:
    episode = Episode.objects.select_related("person", "force", "local_authority", "placing_authority").get(
        pk=episode.pk
    )
    return Response(EpisodeOutputSerializer(episode).data, status=status_code)


class EpisodeListCreateApi(ApiView):
    """The missing episodes the caller may see; a force's system records new ones."""

    class InputSerializer(serializers.Serializer):
        police_reference = serializers.CharField(
            allow_blank=True, max_length=60, help_text="The force's reference for the missing report."
        )
        child = EpisodeChildInputSerializer(help_text="Matched to the child's record as at the front door.")
        reported_at = serializers.DateTimeField(help_text="When the child was reported missing (with its UTC offset).")
        reported_by = serializers.ChoiceField(choices=Reporter.choices)
        last_seen_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
        last_seen_location = serializers.CharField(allow_blank=True, max_length=300)
        risk_grade = serializers.ChoiceField(choices=RiskGrade.choices)
        local_authority = serializers.SlugRelatedField(
            slug_field="la_code",
            queryset=_councils(),
            help_text="The LA code of the council where the child lives or is placed.",
            error_messages={"does_not_exist": UNKNOWN_COUNCIL, "required": UNKNOWN_COUNCIL},
        )
        in_care = serializers.BooleanField(default=False)
        placing_authority = serializers.SlugRelatedField(
            slug_field="la_code",
            queryset=_councils(),
            required=False,
            allow_null=True,
            default=None,
            help_text="For a child in care placed by another council: its LA code. Both councils are told.",
            error_messages={"does_not_exist": UNKNOWN_COUNCIL},
        )
        circumstances = serializers.CharField(required=False, allow_blank=True, max_length=10000, default="")
        indicators = serializers.ListField(
            child=serializers.ChoiceField(choices=Indicator.choices),
            required=False,
            default=list,
            help_text="Signs of exploitation the police saw.",
        )

        class Meta:
            ref_name = "MissingEpisodeInput"

    @extend_schema(
        summary="Missing episodes the caller may see",
        responses={200: EpisodeSummaryOutputSerializer(many=True), **error_responses(401, 403)},
    )
    def get(self, request: Request) -> Response:
        return self.paginated(selectors.episodes_for(user=self.user), EpisodeSummaryOutputSerializer)

    @extend_schema(
        summary="Record a missing episode",
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER, OpenApiTypes.STR, OpenApiParameter.HEADER, required=True, description=MISSING_KEY
            )
        ],
        request=InputSerializer,
        responses={
            201: EpisodeOutputSerializer,
            200: OpenApiResponse(
                EpisodeOutputSerializer, description="The same episode again: the first one; no one is told again."
            ),
            409: OpenApiResponse(
                ErrorSerializer,
                description="The key was used for a different episode, or the force already recorded this police "
                "reference under another key.",
            ),
            **error_responses(400, 401, 403),
        },
    )
    def post(self, request: Request) -> Response:
        # Anyone with the API lists what they may see; only the police record.
        if not has_capability(self.user, Capability.RECORD_MISSING):
            raise exceptions.PermissionDenied(CapabilityRequired.message)
        key = idempotency_key(request, MISSING_KEY)
        data = self.InputSerializer(data=request.data)
        if not data.is_valid():
            raise exceptions.ValidationError(_flattened(data.errors))
        given: dict[str, Any] = dict(data.validated_data)
        episode = EpisodeInput(
            **{name: value for name, value in given.items() if name != "child"},
            child=ChildDetails(**given["child"]),
        )
        scoped_key = f"api:{self.user.pk}:{key}"
        try:
            try:
                recorded, created = record_episode(episode=episode, by=self.user, idempotency_key=scoped_key, via="api")
            except IntegrityError:
                # The same request arrived twice at once and the other one saved first: now it is a resend.
                recorded, created = record_episode(episode=episode, by=self.user, idempotency_key=scoped_key, via="api")
        except DuplicateEpisode as error:
            raise Conflict(" ".join(error.messages)) from error
        except DjangoValidationError as error:
            raise _as_paths(error, given) from error
        return _episode_response(recorded, status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class EpisodeDetailApi(ApiView):
    """One missing episode the caller may see, and the child (opening it is audited)."""

    @extend_schema(
        summary="Read a missing episode",
        responses={200: EpisodeOutputSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        return _episode_response(selectors.get_episode(user=self.user, pk=pk))


class EpisodeReturnApi(ApiView):
    """The force records that the child was found or came back."""

    class InputSerializer(serializers.Serializer):
        returned_at = serializers.DateTimeField(help_text="When the child was found or returned (with its UTC offset).")
        found_location = serializers.CharField(max_length=300, help_text="Where the child was found or returned to.")
        found_postcode = serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=10,
            default="",
            help_text="Used to see a child found at the same place again.",
        )
        found_by = serializers.CharField(
            max_length=200, help_text="Who found the child or who they returned to (police, carer, parent, self)."
        )
        where_had_been = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
        with_whom = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
        harm = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
        indicators = serializers.ListField(
            child=serializers.ChoiceField(choices=Indicator.choices),
            required=False,
            default=list,
            help_text="Signs of exploitation seen on return.",
        )

        class Meta:
            ref_name = "MissingReturnInput"

    @extend_schema(
        summary="Record that a missing child was found or returned",
        request=InputSerializer,
        responses={
            201: EpisodeOutputSerializer,
            200: OpenApiResponse(
                EpisodeOutputSerializer, description="The same return again: the episode as it is; nothing changed."
            ),
            409: OpenApiResponse(
                ErrorSerializer, description="The episode was already closed with a different return."
            ),
            **error_responses(400, 401, 403, 404),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        episode = selectors.get_episode(user=self.user, pk=pk)
        data = self.InputSerializer(data=request.data)
        if not data.is_valid():
            raise exceptions.ValidationError(_flattened(data.errors))
        given = ReturnInput(**data.validated_data)
        if episode.state == EpisodeState.RETURNED:
            if episode.returned_at == given.returned_at and episode.found_location == given.found_location.strip():
                return _episode_response(episode)
            raise Conflict(
                f"Episode {episode.reference} was already closed: the child was recorded as found or returned "
                f"at {episode.returned_at:%Y-%m-%d %H:%M} UTC. Record anything new as an update."
            )
        try:
            returned = record_return(episode=episode, by=self.user, given=given)
        except DjangoValidationError as error:
            raise _as_paths(error) from error
        return _episode_response(returned, status.HTTP_201_CREATED)
