"""REST API endpoints of the investigations app, under /api/v1/."""

from django.urls import path

from safehub.investigations import api

urlpatterns = [
    path("investigations/", api.InvestigationListApi.as_view(), name="api-investigations"),
    path("investigations/<id:pk>/", api.InvestigationDetailApi.as_view(), name="api-investigation"),
    path(
        "investigations/<id:pk>/opportunities/", api.OpportunityAddApi.as_view(), name="api-investigation-opportunities"
    ),
    path("investigations/<id:pk>/closure/", api.ClosureProposeApi.as_view(), name="api-investigation-closure"),
    path(
        "investigation-opportunities/<id:pk>/settle/", api.OpportunitySettleApi.as_view(), name="api-opportunity-settle"
    ),
    path("investigation-closures/<id:pk>/sign-off/", api.ClosureSignOffApi.as_view(), name="api-closure-sign-off"),
    path("investigation-closures/<id:pk>/challenge/", api.ClosureChallengeApi.as_view(), name="api-closure-challenge"),
    path("closure-challenges/<id:pk>/", api.ChallengeStageApi.as_view(), name="api-challenge-stage"),
]
