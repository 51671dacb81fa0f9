"""REST API endpoints of Operation Encompass, under /api/v1/."""

from django.urls import URLPattern, path

from safehub.encompass import api

urlpatterns: list[URLPattern] = [
    path("encompass/incidents/", api.IncidentCreateApi.as_view(), name="api-encompass-incidents"),
    path("encompass/incidents/<id:pk>/", api.IncidentDetailApi.as_view(), name="api-encompass-incident"),
    path("encompass/notices/", api.NoticeListApi.as_view(), name="api-encompass-notices"),
    path("encompass/notices/<id:pk>/", api.NoticeDetailApi.as_view(), name="api-encompass-notice"),
    path(
        "encompass/notices/<id:pk>/acknowledge/",
        api.NoticeAcknowledgeApi.as_view(),
        name="api-encompass-notice-acknowledge",
    ),
    path("encompass/notices/<id:pk>/support/", api.NoticeSupportApi.as_view(), name="api-encompass-notice-support"),
    path("encompass/performance/", api.PerformanceApi.as_view(), name="api-encompass-performance"),
]
