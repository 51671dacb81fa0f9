"""REST API endpoints of the hub, under /api/v1/."""

from django.urls import path

from safehub.hub import api

urlpatterns = [
    path("contacts/", api.ContactCreateApi.as_view(), name="api-contacts"),
    path("contacts/<int:pk>/", api.ContactDetailApi.as_view(), name="api-contact"),
]
