"""The site's URL map: pages per app, the admin, and the versioned API."""

from django.contrib import admin
from django.urls import include, path

import safehub.core.converters  # noqa: F401  (registers <id:pk> before the apps' URLs load)

urlpatterns = [
    path("", include("safehub.core.urls")),
    path("partnership/", include("safehub.partnership.urls")),
    path("people/", include("safehub.people.urls")),
    path("access/", include("safehub.access.urls")),
    path("calendars/", include("safehub.timescales.urls")),
    path("inbox/", include("safehub.notifications.urls")),
    path("hub/", include("safehub.hub.urls")),
    path("meetings/", include("safehub.meetings.urls")),
    path("encompass/", include("safehub.encompass.urls")),
    path("investigations/", include("safehub.investigations.urls")),
    path("missing/", include("safehub.missing.urls")),
    path("dbs/", include("safehub.dbs.urls")),
    path("partnership/dashboard/", include("safehub.measures.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("safehub.core.api_urls")),
]

# A lock timeout answers "busy, try again" (503); under /api/ every failure is the JSON error.
handler500 = "safehub.core.errors.server_error"
handler404 = "safehub.core.errors.page_not_found"
handler400 = "safehub.core.errors.bad_request"
handler403 = "safehub.core.errors.permission_denied"
