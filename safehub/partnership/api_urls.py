"""REST API endpoints of the partnership app, under /api/v1/."""

from django.urls import path

from safehub.partnership import api

urlpatterns = [
    path("organisations/", api.OrganisationListApi.as_view(), name="api-organisations"),
    path("organisations/<id:pk>/", api.OrganisationDetailApi.as_view(), name="api-organisation"),
    path("organisations/<id:pk>/teams/", api.OrganisationTeamsApi.as_view(), name="api-organisation-teams"),
    path("me/", api.MeApi.as_view(), name="api-me"),
]
