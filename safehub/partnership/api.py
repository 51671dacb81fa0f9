"""REST API of the partnership directory: organisations, their teams, and the caller.

Each endpoint is an APIView with its input and output serializers nested inside it
(HackSoftware style) and calls one selector.
"""

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from safehub.core.api import ApiView, error_responses
from safehub.partnership import selectors
from safehub.partnership.models import OrganisationKind, User
from safehub.partnership.roles import Capability


class LocalAuthoritySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    la_code = serializers.CharField()

    class Meta:
        ref_name = "OrganisationLocalAuthority"


class OrganisationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=OrganisationKind.choices)
    kind_display = serializers.CharField(source="get_kind_display")
    name = serializers.CharField()
    is_open = serializers.BooleanField()
    urn = serializers.IntegerField(allow_null=True)
    la_code = serializers.CharField()
    ods_code = serializers.CharField()
    local_authority = LocalAuthoritySerializer(allow_null=True)
    phase = serializers.CharField()
    establishment_type = serializers.CharField()
    school_day_starts = serializers.TimeField(allow_null=True, help_text="Schools and settings only.")
    postcode = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()

    class Meta:
        ref_name = "Organisation"

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not instance.is_education:
            data["school_day_starts"] = None
        return data


class OrganisationListApi(ApiView):
    """The partnership's organisations, by kind and name. Closed schools are included, marked `is_open: false`."""

    required_capabilities = (Capability.USE_API, Capability.VIEW_DIRECTORY)

    class FilterSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=OrganisationKind.choices, required=False, allow_blank=True)
        q = serializers.CharField(required=False, allow_blank=True, max_length=100)

    class OutputSerializer(OrganisationOutputSerializer):
        team_count = serializers.IntegerField()

        class Meta:
            ref_name = "OrganisationListItem"

    @extend_schema(
        summary="List the partnership's organisations",
        parameters=[
            OpenApiParameter("kind", enum=OrganisationKind.values, description="Only organisations of this kind."),
            OpenApiParameter("q", str, description="Part of the name, the start of the postcode, or an exact URN."),
        ],
        responses={200: OutputSerializer(many=True), **error_responses(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        organisations = selectors.directory(
            kind=filters.validated_data.get("kind", ""), name=filters.validated_data.get("q", "").strip()
        )
        return self.paginated(organisations, self.OutputSerializer)


class OrganisationDetailApi(ApiView):
    """One organisation of the partnership."""

    required_capabilities = (Capability.USE_API, Capability.VIEW_DIRECTORY)

    @extend_schema(
        summary="One organisation",
        responses={200: OrganisationOutputSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(OrganisationOutputSerializer(selectors.get_organisation(pk)).data)


class OrganisationTeamsApi(ApiView):
    """The teams of one organisation, with how many active members each has."""

    required_capabilities = (Capability.USE_API, Capability.VIEW_DIRECTORY)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        name = serializers.CharField()
        email = serializers.CharField()
        phone = serializers.CharField()
        is_duty_team = serializers.BooleanField(help_text="Receives invitations addressed to the agency.")
        member_count = serializers.IntegerField(help_text="Active users in the team.")

        class Meta:
            ref_name = "Team"

    @extend_schema(
        summary="The teams of one organisation",
        responses={200: OutputSerializer(many=True), **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        organisation = selectors.get_organisation(pk)
        return self.paginated(selectors.teams_of(organisation), self.OutputSerializer)


class MeApi(ApiView):
    """Who the caller is and what they may do. Open to every signed-in user, so that a
    client can discover its own capabilities, including whether it may use the API."""

    required_capabilities = ()

    class OutputSerializer(serializers.Serializer):
        class OrganisationSerializer(serializers.Serializer):
            id = serializers.IntegerField()
            name = serializers.CharField()
            kind = serializers.ChoiceField(choices=OrganisationKind.choices)

            class Meta:
                ref_name = "MeOrganisation"

        class TeamSerializer(serializers.Serializer):
            id = serializers.IntegerField()
            name = serializers.CharField()

            class Meta:
                ref_name = "MeTeam"

        class RoleSerializer(serializers.Serializer):
            code = serializers.CharField(source="value")
            label = serializers.CharField()  # type: ignore[assignment]  # a declared field, not Field.label

            class Meta:
                ref_name = "MeRole"

        id = serializers.IntegerField()
        username = serializers.CharField()
        full_name = serializers.CharField(source="get_full_name")
        email = serializers.CharField()
        job_title = serializers.CharField()
        organisation = OrganisationSerializer(allow_null=True)
        teams = TeamSerializer(many=True, source="teams.all")
        roles = RoleSerializer(many=True)
        capabilities = serializers.SerializerMethodField()

        class Meta:
            ref_name = "Me"

        def get_capabilities(self, user: User) -> list[str]:
            return sorted(str(capability) for capability in user.capabilities)

    @extend_schema(
        summary="The caller: user, organisation, teams, roles and capabilities",
        responses={200: OutputSerializer, **error_responses(401)},
    )
    def get(self, request: Request) -> Response:
        return Response(self.OutputSerializer(self.user).data)
