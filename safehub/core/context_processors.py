"""Values every page template needs: the service name, the partnership, the navigation
(with the user's count of unread notifications)."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from safehub.core.navigation import navigation_for
from safehub.notifications.selectors import unread_count
from safehub.partnership.models import Partnership


def service(request: HttpRequest) -> dict[str, Any]:
    partnership = Partnership.current()
    user = getattr(request, "user", None)
    inbox_unread = unread_count(user=user) if user is not None and user.is_authenticated else 0
    return {
        "service_name": "SafeHub",
        "partnership": partnership,
        "demo_mode": settings.SAFEHUB_DEMO_MODE,
        "navigation": navigation_for(request, counts={"Inbox": inbox_unread}),
        "inbox_unread": inbox_unread,
    }
