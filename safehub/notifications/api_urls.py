"""REST API endpoints of the notifications app, mounted at /api/v1/."""

from django.urls import path

from safehub.notifications import api

urlpatterns = [
    path("inbox/", api.InboxListApi.as_view(), name="api-inbox"),
]
