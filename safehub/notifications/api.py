"""REST API of the notifications app: the signed-in user's own inbox.

Built on `safehub.core.api.ApiView` (token auth, capabilities, pagination, the error shape).
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from safehub.core.api import ApiView, error_responses
from safehub.notifications import selectors


class InboxListApi(ApiView):
    """The caller's delivered in-app notifications, newest first. Each names a kind, a
    reference and a path inside SafeHub; none holds personal data."""

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        kind = serializers.CharField()
        kind_label = serializers.CharField(help_text="What the notification is about, in words.")
        reference = serializers.CharField()
        link = serializers.CharField(help_text="The path inside SafeHub of the thing it is about.")
        sent_at = serializers.DateTimeField()
        read_at = serializers.DateTimeField(allow_null=True)

        class Meta:
            ref_name = "InboxNotification"

    @extend_schema(
        summary="Your inbox",
        parameters=[
            OpenApiParameter("page", int, description="Page number, from 1."),
            OpenApiParameter("page_size", int, description="Notifications per page (at most 200)."),
        ],
        responses={
            200: inline_serializer(
                "PaginatedInboxNotificationList",
                fields={
                    "count": serializers.IntegerField(),
                    "next": serializers.URLField(allow_null=True),
                    "previous": serializers.URLField(allow_null=True),
                    "results": OutputSerializer(many=True),
                },
            ),
            **error_responses(401, 403),
        },
        tags=["notifications"],
    )
    def get(self, request: Request) -> Response:
        return self.paginated(selectors.inbox_for(user=self.user), self.OutputSerializer)
