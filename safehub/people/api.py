"""REST API for finding people and reading their records. Every read goes through
`safehub.people.selectors`, so the API shows exactly what the pages show.

Search terms are personal data, so searching is a POST with the terms in the body, never
in the URL. A person the caller may not see is answered 404, the same as one that does
not exist, so the API never hints that a hidden record is there.
"""

import datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from safehub.access import policy
from safehub.access import services as access_services
from safehub.core.api import ApiView, ErrorSerializer, IdField, error_responses
from safehub.partnership.models import Organisation, OrganisationKind
from safehub.partnership.roles import Capability, has_capability
from safehub.people import identifiers, selectors
from safehub.people import services as people_services
from safehub.people.models import (
    ChronologyEntry,
    ChronologyVisibility,
    DatePrecision,
    EntryCategory,
    Identifier,
    IdentifierScheme,
    NameKind,
    Person,
    PersonAddress,
    PersonKind,
    Reach,
    Sex,
)

IDEMPOTENCY_HEADER = "Idempotency-Key"
MISSING_KEY = (
    "Send an Idempotency-Key header: a unique value for this entry (such as your system's reference), "
    "so that resending it never adds a second entry."
)
IDEMPOTENCY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_HEADER, str, OpenApiParameter.HEADER, required=True, description="A unique value for this entry."
)

IDENTIFIER_HELP = (
    "An NHS number (10 digits, spaces allowed), a UPN or a police person reference. "
    "Ten digits are always read as an NHS number and must pass its check digit."
)


def _may_see(serializer: serializers.BaseSerializer, field: str) -> bool:
    """Whether the caller may see a sensitive field (from the context; withheld if unknown)."""
    return bool(serializer.context.get("fields", {}).get(field, False))


class IdentifierSerializer(serializers.Serializer):
    scheme = serializers.ChoiceField(choices=IdentifierScheme.choices)
    withheld = serializers.BooleanField(
        help_text="True when the caller may not see this kind of identifier (a police reference): value is then null."
    )
    value = serializers.CharField(allow_null=True)
    display_value = serializers.CharField(allow_null=True)

    class Meta:
        ref_name = "PersonIdentifier"

    def to_representation(self, instance: Identifier) -> dict[str, Any]:
        if instance.scheme == IdentifierScheme.POLICE_REFERENCE and not _may_see(self, "police_reference"):
            return {"scheme": instance.scheme, "withheld": True, "value": None, "display_value": None}
        return {
            "scheme": instance.scheme,
            "withheld": False,
            "value": instance.value,
            "display_value": instance.display_value,
        }


class PostcodeSerializer(serializers.Serializer):
    withheld = serializers.BooleanField(
        help_text="True for a confidential address (such as a refuge) the caller may not see."
    )
    postcode = serializers.CharField(allow_null=True)

    class Meta:
        ref_name = "PersonCurrentPostcode"

    def to_representation(self, instance: PersonAddress) -> dict[str, Any]:
        if instance.is_confidential and not _may_see(self, "confidential_address"):
            return {"withheld": True, "postcode": None}
        return {"withheld": False, "postcode": instance.address.postcode}


class PersonSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField(help_text="Identifies the record without naming the person.")
    kind = serializers.ChoiceField(choices=PersonKind.choices)
    full_name = serializers.CharField()
    given_names = serializers.CharField()
    family_name = serializers.CharField()
    sex = serializers.ChoiceField(choices=Sex.choices)
    date_of_birth = serializers.DateField(
        allow_null=True, help_text="Unknown parts of a partial date are stored as 1: see date_of_birth_precision."
    )
    date_of_birth_precision = serializers.ChoiceField(choices=DatePrecision.choices)
    date_of_birth_display = serializers.CharField()
    expected_due_date = serializers.DateField(allow_null=True, help_text="Unborn children only.")
    identifiers = IdentifierSerializer(many=True, source="identifiers.all")

    class Meta:
        ref_name = "PersonSummary"


class PersonLinkSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    full_name = serializers.CharField()
    kind = serializers.ChoiceField(choices=PersonKind.choices)
    date_of_birth_display = serializers.CharField()

    class Meta:
        ref_name = "PersonLink"


class HouseholdMemberSerializer(serializers.Serializer):
    relationship = serializers.CharField(help_text="How this person stands to the record's subject, e.g. 'Parent'.")
    current = serializers.BooleanField()
    visible = serializers.BooleanField(help_text="False when the caller may not open this person's record.")
    kind = serializers.ChoiceField(choices=PersonKind.choices, source="person.kind")
    person = PersonLinkSerializer(allow_null=True, help_text="Null when the person is not visible to the caller.")

    class Meta:
        ref_name = "PersonRelationship"

    def to_representation(self, instance: selectors.HouseholdMember) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not instance.visible:
            data["person"] = None
        return data


class CurrentAddressSerializer(serializers.Serializer):
    withheld = serializers.BooleanField(
        help_text="True for a confidential address the caller may not see: the other fields are then null."
    )
    line_1 = serializers.CharField(allow_null=True)
    line_2 = serializers.CharField(allow_null=True)
    town = serializers.CharField(allow_null=True)
    postcode = serializers.CharField(allow_null=True)
    start_date = serializers.DateField(allow_null=True)

    class Meta:
        ref_name = "PersonCurrentAddress"

    def to_representation(self, instance: PersonAddress) -> dict[str, Any]:
        if instance.is_confidential and not _may_see(self, "confidential_address"):
            return dict.fromkeys(("line_1", "line_2", "town", "postcode", "start_date"), None) | {"withheld": True}
        address = instance.address
        return {
            "withheld": False,
            "line_1": address.line_1,
            "line_2": address.line_2,
            "town": address.town,
            "postcode": address.postcode,
            "start_date": instance.start_date,
        }


class PersonSearchApi(ApiView):
    """Find people by any mix of name, date of birth, identifier and postcode."""

    required_capabilities = (Capability.USE_API, Capability.SEARCH_PEOPLE)

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(required=False, allow_blank=True, max_length=200)
        date_of_birth = serializers.DateField(
            required=False,
            allow_null=True,
            input_formats=["iso-8601"],
            error_messages={"invalid": "Enter the date of birth as year-month-day, like 2015-03-27."},
            help_text="A partial date of birth on record matches its month or year.",
        )
        identifier = serializers.CharField(required=False, allow_blank=True, max_length=40, help_text=IDENTIFIER_HELP)
        postcode = serializers.CharField(required=False, allow_blank=True, max_length=10)

        class Meta:
            ref_name = "PersonSearch"

        def validate_date_of_birth(self, value: datetime.date | None) -> datetime.date | None:
            if value and value > timezone.localdate():
                raise serializers.ValidationError("Date of birth must be today or in the past.")
            return value

        def validate_identifier(self, value: str) -> str:
            value = value.strip()
            if not value:
                return ""
            digits = identifiers.normalise_nhs_number(value)
            if digits.isdigit() and len(digits) == 10:
                return identifiers.validate_nhs_number(digits)
            for validate in (identifiers.validate_upn, identifiers.validate_police_reference):
                try:
                    return validate(value)
                except DjangoValidationError:
                    continue
            raise serializers.ValidationError(
                "Enter an NHS number (10 digits), a UPN (13 characters) or a police person reference."
            )

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if not any(attrs.get(name) for name in ("name", "date_of_birth", "identifier", "postcode")):
                raise serializers.ValidationError("Enter a name, date of birth, identifier or postcode to search for.")
            return attrs

    class OutputSerializer(PersonSummarySerializer):
        current_addresses = PostcodeSerializer(many=True, source="addresses.all")

        class Meta:
            ref_name = "PersonSearchResult"

    @extend_schema(
        summary="Find people",
        description=(
            "People matching every term given. Terms go in the body so that personal data stays out of URLs; "
            "ask for further pages by sending the same body to `?page=2` and so on."
        ),
        request=InputSerializer,
        responses={200: OutputSerializer(many=True), **error_responses(400, 401, 403)},
    )
    def post(self, request: Request) -> Response:
        terms = self.InputSerializer(data=request.data)
        terms.is_valid(raise_exception=True)
        search = selectors.PersonSearch(
            name=terms.validated_data.get("name", ""),
            date_of_birth=terms.validated_data.get("date_of_birth"),
            identifier=terms.validated_data.get("identifier", ""),
            postcode=terms.validated_data.get("postcode", ""),
        )
        results = selectors.search_people(user=self.user, search=search)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(results, request, view=self)
        assert page is not None
        assert paginator.page is not None
        # Recorded before the results are returned, with the terms searched for.
        access_services.record_search(
            user=self.user, criteria=search.criteria(), result_count=paginator.page.paginator.count
        )
        context = {"fields": policy.field_access(self.user)}
        return paginator.get_paginated_response(self.OutputSerializer(page, many=True, context=context).data)


class PersonDetailApi(ApiView):
    """One person's record: identifiers, other names, current address, relationships and schools."""

    required_capabilities = (Capability.USE_API, Capability.VIEW_PERSON)

    class OutputSerializer(PersonSummarySerializer):
        class OtherNameSerializer(serializers.Serializer):
            kind = serializers.ChoiceField(choices=NameKind.choices)
            given_names = serializers.CharField()
            family_name = serializers.CharField()
            used_from = serializers.DateField(allow_null=True)
            used_until = serializers.DateField(allow_null=True)

            class Meta:
                ref_name = "PersonOtherName"

        class EnrolmentSerializer(serializers.Serializer):
            class OrganisationSerializer(serializers.Serializer):
                id = serializers.IntegerField()
                name = serializers.CharField()
                kind = serializers.ChoiceField(choices=OrganisationKind.choices)

                class Meta:
                    ref_name = "EnrolmentOrganisation"

            organisation = OrganisationSerializer()
            start_date = serializers.DateField()
            end_date = serializers.DateField(allow_null=True)

            class Meta:
                ref_name = "PersonEnrolment"

        date_of_death = serializers.DateField(allow_null=True)
        mother = serializers.SerializerMethodField(help_text="Unborn children: the mother, if visible to the caller.")
        other_names = OtherNameSerializer(many=True, source="other_names.all")
        current_address = serializers.SerializerMethodField()
        relationships = serializers.SerializerMethodField()
        enrolments = EnrolmentSerializer(many=True, source="enrolments.all")

        class Meta:
            ref_name = "PersonDetail"

        @extend_schema_field(PersonLinkSerializer(allow_null=True))
        def get_mother(self, person: Person) -> dict[str, Any] | None:
            mother = self.context["mother"]
            return PersonLinkSerializer(mother).data if mother else None

        @extend_schema_field(CurrentAddressSerializer(allow_null=True))
        def get_current_address(self, person: Person) -> dict[str, Any] | None:
            today = timezone.localdate()
            current = [
                pa
                for pa in person.addresses.all()
                if (pa.start_date is None or pa.start_date <= today) and (pa.end_date is None or pa.end_date >= today)
            ]
            if not current:
                return None
            latest = max(current, key=lambda pa: pa.start_date or datetime.date.min)
            return CurrentAddressSerializer(latest, context=self.context).data

        @extend_schema_field(HouseholdMemberSerializer(many=True))
        def get_relationships(self, person: Person) -> list[dict[str, Any]]:
            return HouseholdMemberSerializer(self.context["household"], many=True).data  # type: ignore[return-value]

    @extend_schema(
        summary="One person's record",
        description="A person the caller may not see is answered 404, exactly like one that does not exist.",
        responses={200: OutputSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        person = selectors.get_person(user=self.user, pk=pk)
        context = {
            "household": selectors.household_of(user=self.user, person=person),
            "mother": selectors.visible_mother(user=self.user, person=person),
            "fields": policy.field_access(self.user),
        }
        access_services.record_person_viewed(user=self.user, person=person)
        return Response(self.OutputSerializer(person, context=context).data)


class PersonChronologyApi(ApiView):
    """One person's multi-agency timeline: only the entries the caller's agency may read (its own,
    those shared with it, and for council, police and health the partnership-wide ones)."""

    required_capabilities = (Capability.USE_API, Capability.VIEW_PERSON)

    class OutputSerializer(serializers.Serializer):
        class OrganisationSerializer(serializers.Serializer):
            id = serializers.IntegerField()
            name = serializers.CharField()

            class Meta:
                ref_name = "ChronologyOrganisation"

        id = serializers.IntegerField()
        occurred_at = serializers.DateTimeField()
        category = serializers.CharField()
        summary = serializers.CharField()
        organisation = OrganisationSerializer(allow_null=True)
        visibility = serializers.ChoiceField(choices=ChronologyVisibility.choices)
        reach = serializers.ChoiceField(choices=Reach.choices, help_text="Who may read it, as its agency chose.")
        intelligence = serializers.BooleanField(help_text="Police intelligence: the police only, unless shared.")

        class Meta:
            ref_name = "ChronologyEntry"

    class InputSerializer(serializers.Serializer):
        occurred_at = serializers.DateTimeField(help_text="When it happened; not in the future.")
        category = serializers.ChoiceField(choices=EntryCategory.choices)
        summary = serializers.CharField(max_length=300, help_text="What happened; read by those it is shared with.")
        reach = serializers.ChoiceField(choices=Reach.choices)
        agencies = serializers.ListField(
            child=IdField(), required=False, default=list, max_length=200, help_text="Organisation ids, for 'named'."
        )
        reason = serializers.CharField(
            required=False,
            allow_blank=True,
            default="",
            max_length=5000,
            help_text="Why it is shared: needed to share police intelligence beyond the police.",
        )

        class Meta:
            ref_name = "ChronologyEntryInput"

    @extend_schema(
        summary="One person's chronology, newest first",
        responses={200: OutputSerializer(many=True), **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        person = selectors.get_person(user=self.user, pk=pk, part="chronology")
        access_services.record_person_viewed(user=self.user, person=person, part="chronology")
        return self.paginated(selectors.chronology_for(user=self.user, person=person), self.OutputSerializer)

    @extend_schema(
        summary="Add an entry to the person's chronology for your agency",
        description="Needs an Idempotency-Key header: resending the same request adds nothing (200); the same "
        "key with a different entry is refused (409).",
        request=InputSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={
            201: OutputSerializer,
            200: OutputSerializer,
            409: OpenApiResponse(ErrorSerializer, description="The key was used for a different entry."),
            **error_responses(400, 401, 403, 404),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        if not has_capability(self.user, Capability.ADD_CHRONOLOGY) or self.user.organisation is None:
            raise exceptions.PermissionDenied(people_services.NO_AGENCY)
        key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
        if not key or len(key) > 80:
            raise exceptions.ValidationError({IDEMPOTENCY_HEADER: [MISSING_KEY]})
        person = selectors.get_person(user=self.user, pk=pk, part="chronology")
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        agencies = _organisations(fields.pop("agencies"))
        scoped_key = f"api:{self.user.pk}:{key}"
        existed = ChronologyEntry.objects.filter(idempotency_key=scoped_key).exists()
        try:
            entry = people_services.add_chronology_entry(
                person=person, by=self.user, agencies=agencies, idempotency_key=scoped_key, **fields
            )
        except people_services.EntryIdempotencyConflict as error:
            raise Conflict(str(error)) from error
        except DjangoValidationError as error:
            raise exceptions.ValidationError(_messages(error)) from error
        entry = ChronologyEntry.objects.select_related("organisation").prefetch_related("shared_with").get(pk=entry.pk)
        return Response(
            self.OutputSerializer(entry).data, status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        )


def _organisations(ids: list[int]) -> list[Organisation]:
    found = {o.pk: o for o in Organisation.objects.filter(pk__in=ids)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise exceptions.ValidationError({"agencies": [f"No such organisation: {missing[0]}."]})
    return [found[i] for i in ids]


def _messages(error: DjangoValidationError) -> Any:
    return error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "idempotency_conflict"


class ChronologyReachApi(ApiView):
    """The recording agency's decision on who may read one of its chronology entries."""

    required_capabilities = (Capability.USE_API, Capability.ADD_CHRONOLOGY)

    class InputSerializer(serializers.Serializer):
        reach = serializers.ChoiceField(choices=Reach.choices)
        agencies = serializers.ListField(child=IdField(), required=False, default=list, max_length=200)
        reason = serializers.CharField(max_length=5000, help_text="Why: who needs to know, and the lawful basis.")

        class Meta:
            ref_name = "ChronologyReachInput"

    class DecisionSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        entry = serializers.IntegerField(source="entry_id")
        decided_by = serializers.IntegerField(source="decided_by_id")
        decided_at = serializers.DateTimeField()
        reach_before = serializers.ChoiceField(choices=Reach.choices)
        reach_after = serializers.ChoiceField(choices=Reach.choices)
        agencies_before = serializers.ListField(child=serializers.IntegerField())
        agencies_after = serializers.ListField(child=serializers.IntegerField())
        reason = serializers.CharField()

        class Meta:
            ref_name = "ChronologySharingDecision"

    @extend_schema(
        summary="Change who may read one of your agency's chronology entries",
        request=InputSerializer,
        responses={200: DecisionSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        entry = selectors.chronology_entry_of_own_agency(user=self.user, pk=pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        agencies = _organisations(fields.pop("agencies"))
        try:
            decision = people_services.change_reach(entry=entry, by=self.user, agencies=agencies, **fields)
        except DjangoValidationError as error:
            raise exceptions.ValidationError(_messages(error)) from error
        return Response(self.DecisionSerializer(decision).data)
