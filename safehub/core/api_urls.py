"""The versioned REST API: each app's endpoints, the OpenAPI document and its docs page."""

from django.urls import include, path
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView

# Redoc renders with styles it injects at run time and a web worker from a blob, so its one
# page gets a looser style and worker policy; scripts stay 'self' only.
REDOC_CSP: dict[str, list[str]] = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF, "data:"],
    "worker-src": [CSP.SELF, "blob:"],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "object-src": [CSP.NONE],
}

redoc = csp_override(REDOC_CSP)(SpectacularRedocView.as_view(url_name="api-schema", template_name="core/redoc.html"))

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", redoc, name="api-redoc"),
    path("", include("safehub.partnership.api_urls")),
    path("", include("safehub.people.api_urls")),
    path("", include("safehub.timescales.api_urls")),
    path("", include("safehub.notifications.api_urls")),
    path("", include("safehub.hub.api_urls")),
    path("", include("safehub.meetings.api_urls")),
    path("", include("safehub.encompass.api_urls")),
    path("", include("safehub.missing.api_urls")),
    path("", include("safehub.dbs.api_urls")),
    path("", include("safehub.measures.api_urls")),
    path("", include("safehub.investigations.api_urls")),
]
