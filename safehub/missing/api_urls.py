"""REST API endpoints of missing children, under /api/v1/."""

from django.urls import URLPattern, path

from safehub.missing import api

urlpatterns: list[URLPattern] = [
    path("missing/episodes/", api.EpisodeListCreateApi.as_view(), name="api-missing-episodes"),
    path("missing/episodes/<id:pk>/", api.EpisodeDetailApi.as_view(), name="api-missing-episode"),
    path("missing/episodes/<id:pk>/return/", api.EpisodeReturnApi.as_view(), name="api-missing-episode-return"),
]
