"""REST API endpoints of the measures layer, under /api/v1/."""

from django.urls import URLPattern, path

from safehub.measures import api

urlpatterns: list[URLPattern] = [
    path("measures/", api.MeasureListApi.as_view(), name="api-measures"),
    path("measures/<slug:key>/", api.MeasureDetailApi.as_view(), name="api-measure"),
    path("commitments/", api.CommitmentListApi.as_view(), name="api-commitments"),
    path("commitments/<id:pk>/", api.CommitmentDetailApi.as_view(), name="api-commitment"),
]
