"""REST API for contacts: a partner agency's system sends concerns to the Children's Hub.

`POST /api/v1/contacts/` needs an `Idempotency-Key` header: resending the same request
(after a timeout, or a whole batch again) returns the first contact and creates nothing;
the same key with a different body is refused with 409. The same rules as the form apply
(`safehub.hub.services.contacts.record_contact`). Each child is matched as on import: an
exact NHS number or a single strong candidate links the record, else the hub matches.

`GET /api/v1/contacts/<id>/` reads through the hub's selectors: a contact the caller may
not see is 404, exactly like one that does not exist.
"""

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from safehub.core.api import ApiView, ErrorSerializer, error_responses
from safehub.hub import selectors
from safehub.hub.models import Consent, Contact, ContactSource, FamilyAwareness, LawfulBasis, SubjectRole
from safehub.hub.services.contacts import (
    IdempotencyConflict,
    SubjectInput,
    match_automatically,
    record_contact,
    source_for,
)
from safehub.partnership.roles import Capability
from safehub.people.models import SEX_GIVEN_CHOICES

IDEMPOTENCY_HEADER = "Idempotency-Key"
MISSING_KEY = (
    "Send an Idempotency-Key header: a unique value for this contact (such as your system's reference), "
    "so that resending it never creates a second contact."
)


LONGEST_IDEMPOTENCY_KEY = 80


def idempotency_key(request: Any, message: str) -> str:
    """The request's Idempotency-Key, or a 400 with `message` (what the key is for) when it is
    missing or over LONGEST_IDEMPOTENCY_KEY characters."""
    key = str(request.headers.get(IDEMPOTENCY_HEADER, "")).strip()
    if not key or len(key) > LONGEST_IDEMPOTENCY_KEY:
        raise exceptions.ValidationError({IDEMPOTENCY_HEADER: [message]})
    return key


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "idempotency_conflict"


class ContactSubjectSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=SubjectRole.choices)
    given_names = serializers.CharField(required=False, allow_blank=True, max_length=150, default="")
    family_name = serializers.CharField(required=False, allow_blank=True, max_length=150, default="")
    date_of_birth = serializers.DateField(required=False, allow_null=True, default=None)
    expected_due_date = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Unborn children only."
    )
    nhs_number = serializers.CharField(required=False, allow_blank=True, max_length=20, default="")
    upn = serializers.CharField(required=False, allow_blank=True, max_length=20, default="")
    postcode = serializers.CharField(required=False, allow_blank=True, max_length=10, default="")
    sex = serializers.ChoiceField(
        choices=SEX_GIVEN_CHOICES,
        required=False,
        default="",
        help_text="Used only to match the record: a different sex on record is never linked automatically.",
    )

    class Meta:
        ref_name = "ContactSubjectInput"


class ContactOutputSerializer(serializers.Serializer):
    class SubjectSerializer(serializers.Serializer):
        role = serializers.ChoiceField(choices=SubjectRole.choices)
        given_names = serializers.CharField()
        family_name = serializers.CharField()
        date_of_birth = serializers.DateField(allow_null=True)
        expected_due_date = serializers.DateField(allow_null=True)
        person_reference = serializers.CharField(
            allow_null=True, source="person.reference", default=None, help_text="Null until the hub links a record."
        )

        class Meta:
            ref_name = "ContactSubject"

    id = serializers.IntegerField()
    reference = serializers.CharField()
    received_at = serializers.DateTimeField()
    # DRF moves declared fields off the class, so `source` does not shadow Field.source.
    source = serializers.ChoiceField(choices=ContactSource.choices)  # type: ignore[assignment]
    external_reference = serializers.CharField()
    state = serializers.CharField()
    decision = serializers.CharField(help_text="Blank until the hub decides.")
    decided_at = serializers.DateTimeField(allow_null=True)
    hub_team = serializers.CharField(source="hub_team.name")
    subjects = SubjectSerializer(many=True, required=False)
    what_happened = serializers.CharField(
        allow_null=True,
        required=False,
        help_text="For the hub and for an agency answering a check; null for the referrer, who sees the outcome.",
    )

    class Meta:
        ref_name = "Contact"


class ContactCreateApi(ApiView):
    """Send a concern about one or more children to the Children's Hub."""

    required_capabilities = (Capability.USE_API, Capability.RECORD_CONTACT)

    class InputSerializer(serializers.Serializer):
        received_at = serializers.DateTimeField(required=False, help_text="When the concern arose; default now.")
        external_reference = serializers.CharField(
            required=False, allow_blank=True, max_length=60, default="", help_text="E.g. the occurrence number."
        )
        referrer_name = serializers.CharField(max_length=200)
        referrer_role = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
        referrer_contact = serializers.CharField(max_length=200, help_text="Phone or email the hub replies to.")
        what_happened = serializers.CharField(max_length=10000)
        family_awareness = serializers.ChoiceField(choices=FamilyAwareness.choices)
        consent = serializers.ChoiceField(choices=Consent.choices)
        lawful_basis = serializers.ChoiceField(
            choices=LawfulBasis.choices,
            help_text="Consent only when consent was given. Where a child is or may be at risk of significant "
            "harm, consent is not needed: send significant_harm.",
        )
        subjects = ContactSubjectSerializer(many=True, allow_empty=False)

        class Meta:
            ref_name = "ContactInput"

    @extend_schema(
        summary="Record a contact",
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER, OpenApiTypes.STR, OpenApiParameter.HEADER, required=True, description=MISSING_KEY
            )
        ],
        request=InputSerializer,
        responses={
            201: ContactOutputSerializer,
            200: OpenApiResponse(ContactOutputSerializer, description="The same request again: the first contact."),
            409: OpenApiResponse(ErrorSerializer, description="The key was used for a different contact."),
            **error_responses(400, 401, 403),
        },
    )
    def post(self, request: Request) -> Response:
        key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
        if not key or len(key) > 80:
            raise exceptions.ValidationError({IDEMPOTENCY_HEADER: [MISSING_KEY]})
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields: dict[str, Any] = dict(data.validated_data)
        subjects = [match_automatically(SubjectInput(**subject), user=self.user) for subject in fields.pop("subjects")]
        scoped_key = f"api:{self.user.pk}:{key}"
        existed = Contact.objects.filter(idempotency_key=scoped_key).exists()
        try:
            contact = record_contact(
                recorded_by=self.user,
                source=source_for(self.user.organisation),
                source_organisation=self.user.organisation,
                referrer_user=self.user,
                subjects=subjects,
                idempotency_key=scoped_key,
                channel="api",
                **fields,
            )
        except IdempotencyConflict as error:
            raise Conflict(str(error)) from error
        output = ContactOutputSerializer(Contact.objects.prefetch_related("subjects__person").get(pk=contact.pk))
        return Response(output.data, status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED)


class ContactDetailApi(ApiView):
    """One contact the caller may see."""

    required_capabilities = (Capability.USE_API,)

    @extend_schema(summary="Read a contact", responses={200: ContactOutputSerializer, **error_responses(401, 403, 404)})
    def get(self, request: Request, pk: int) -> Response:
        contact = selectors.get_contact(user=self.user, pk=pk, part="api")
        detail = selectors.contact_detail(user=self.user, contact=contact)
        data = ContactOutputSerializer(contact).data
        # What the caller may see of who it is about follows the page (the referrer sees the outcome only).
        data["subjects"] = (
            ContactOutputSerializer.SubjectSerializer([row.subject for row in detail.subjects], many=True).data
            if detail.shows_identity
            else []
        )
        data["what_happened"] = contact.what_happened if detail.shows_identity else None
        return Response(data)
