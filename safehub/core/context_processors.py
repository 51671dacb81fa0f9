"""Values every page template needs: the service name, the partnership, the navigation."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from safehub.core.navigation import navigation_for
from safehub.partnership.models import Partnership


def service(request: HttpRequest) -> dict[str, Any]:
    partnership = Partnership.current()
    return {
        "service_name": "SafeHub",
        "partnership": partnership,
        "demo_mode": settings.SAFEHUB_DEMO_MODE,
        "navigation": navigation_for(request),
    }
