"""What every SafeHub API endpoint shares: the `ApiView` base (token or session sign-in,
capabilities checked through `has_capability`), one error shape and one pagination style.

Errors are always `{"error": {"status": 400, "code": "invalid", "message": "...",
"fields": {"name": ["..."]}}}`; lists are `{"count", "next", "previous", "results"}`.
"""

from collections.abc import Sequence
from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from safehub.core.converters import MAX_ID
from safehub.partnership.models import User
from safehub.partnership.roles import Capability, has_capability


class IdField(serializers.IntegerField):
    """An input that names a record by its id: a positive whole number within the database's
    64-bit integer, so that an absurd one is a 400 naming the field, never a crash."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        # OpenAPI 3.1 spells "may be null" as a type list, not 3.0's `nullable`.
        return {
            "type": "object",
            "required": ["count", "next", "previous", "results"],
            "properties": {
                "count": {"type": "integer", "example": 123},
                "next": {"type": ["string", "null"], "format": "uri"},
                "previous": {"type": ["string", "null"], "format": "uri"},
                "results": schema,
            },
        }


def _field_errors(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {
            str(key): [str(item) for item in (value if isinstance(value, list) else [value])]
            for key, value in detail.items()
        }
    return {}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, OverflowError):
        # The last guard: a number too large for the database, from an input not bounded yet.
        exc = exceptions.ValidationError({"non_field_errors": ["A number in the request is too large."]})
    elif isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {}
        exc = exceptions.ValidationError(fields or {"non_field_errors": exc.messages})
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.PermissionDenied):
        from safehub.access.services import record_forbidden

        request = context.get("request")
        if request is not None:
            record_forbidden(user=request.user, path=request.path, method=request.method)
    assert isinstance(exc, exceptions.APIException)
    if isinstance(exc, exceptions.ValidationError):
        fields = _field_errors(exc.detail)
        non_field = fields.pop("non_field_errors", [])
        message = " ".join(non_field) or "Check the highlighted fields and try again."
        if isinstance(exc.detail, list):
            message = " ".join(str(item) for item in exc.detail)
    else:
        fields = {}
        message = str(exc.detail)
    response.data = {
        "error": {
            "status": response.status_code,
            "code": exc.get_codes() if isinstance(exc.get_codes(), str) else _code_for(response.status_code),
            "message": message,
            "fields": fields,
        }
    }
    return response


def _code_for(status_code: int) -> str:
    return {
        status.HTTP_400_BAD_REQUEST: "invalid",
        status.HTTP_401_UNAUTHORIZED: "not_authenticated",
        status.HTTP_403_FORBIDDEN: "permission_denied",
        status.HTTP_404_NOT_FOUND: "not_found",
    }.get(status_code, "error")


class CapabilityRequired(BasePermission):
    """Lets a request through when the user has every capability the view lists."""

    message = "Your roles in SafeHub do not allow this. Ask your SafeHub administrator if you need it."

    def has_permission(self, request: Request, view: APIView) -> bool:
        required: Sequence[Capability] = getattr(view, "required_capabilities", ())
        return all(has_capability(request.user, capability) for capability in required)  # type: ignore[arg-type]


class ErrorSerializer(serializers.Serializer):
    """The one error shape of the API (see `safehub.core.api.exception_handler`)."""

    class DetailSerializer(serializers.Serializer):
        status = serializers.IntegerField()
        code = serializers.CharField()
        message = serializers.CharField(help_text="What is wrong and what to do, for a person to read.")
        # DRF moves declared fields off the class, so `fields` does not shadow Serializer.fields.
        fields = serializers.DictField(  # type: ignore[assignment]
            child=serializers.ListField(child=serializers.CharField()), help_text="Problems with each input field."
        )

        class Meta:
            ref_name = "ErrorDetail"

    error = DetailSerializer()

    class Meta:
        ref_name = "Error"


ERROR_DESCRIPTIONS = {
    400: "The input is not valid: `fields` says what is wrong with each field.",
    401: "No valid credentials: send `Authorization: Token <key>`.",
    403: "The caller's roles do not allow this.",
    404: "There is no such record, or the caller may not see it.",
}


def error_responses(*status_codes: int) -> dict[int, OpenApiResponse]:
    """Schema entries for the error responses an endpoint may give."""
    return {code: OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[code]) for code in status_codes}


class ApiView(APIView):
    # The base of SafeHub's API views. Token authentication comes first so that a request
    # without credentials gets 401 with `WWW-Authenticate: Token`: DRF takes that header
    # from the first class, and with session authentication first it would answer 403.

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated, CapabilityRequired]
    pagination_class = Pagination
    required_capabilities: ClassVar[tuple[Capability, ...]] = (Capability.USE_API,)

    def paginated(
        self, queryset: QuerySet[Any] | Sequence[Any], serializer_class: type[serializers.Serializer]
    ) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(queryset, self.request, view=self)
        return paginator.get_paginated_response(serializer_class(page, many=True).data)

    @property
    def user(self) -> User:
        return self.request.user  # type: ignore[return-value]
