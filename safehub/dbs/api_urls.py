"""REST API endpoints of DBS local checks, under /api/v1/."""

from django.urls import URLPattern, path

from safehub.dbs import api

urlpatterns: list[URLPattern] = [
    path("dbs/checks/", api.CheckListCreateApi.as_view(), name="api-dbs-checks"),
    path("dbs/checks/<id:pk>/", api.CheckDetailApi.as_view(), name="api-dbs-check"),
]
