"""The versioned REST API: each app's endpoints, the OpenAPI document and its docs page."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("", include("safehub.partnership.api_urls")),
    path("", include("safehub.people.api_urls")),
    path("", include("safehub.timescales.api_urls")),
]
