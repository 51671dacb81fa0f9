"""The service navigation: which sections a user sees, from their capabilities."""

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse

from safehub.partnership.roles import Capability, has_capability


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool


_SECTIONS = [
    ("Home", "core:home", None),
    ("Inbox", "notifications:inbox", None),
    ("People", "people:search", Capability.SEARCH_PEOPLE),
    ("Pupils", "people:school-roll", Capability.VIEW_SCHOOL_ROLL),
    ("Duplicate records", "people:duplicates", Capability.MERGE_PEOPLE),
    ("Record a concern", "hub:contact-start", Capability.RECORD_CONTACT),
    ("Hub", "hub:queue", Capability.WORK_HUB_QUEUE),
    ("Checks", "hub:checks", Capability.ANSWER_RESEARCH),
    ("Meetings", "meetings:list", Capability.ATTEND_MEETINGS),
    ("Domestic abuse incidents", "encompass:incidents", Capability.RECORD_INCIDENT),
    ("Encompass notices", "encompass:notices", Capability.RECEIVE_ENCOMPASS),
    ("Investigations", "investigations:list", (Capability.INVESTIGATE, Capability.CHALLENGE_CLOSURE)),
    ("Missing children", "missing:list", (Capability.RECORD_MISSING, Capability.COORDINATE_MISSING)),
    ("Return home interviews", "missing:interviews", Capability.RECORD_RETURN_INTERVIEW),
    ("Missing education", "missing:education", Capability.COORDINATE_MISSING),
    ("DBS checks", "dbs:queue", Capability.WORK_DBS_CHECKS),
    ("Partnership dashboard", "measures:dashboard", Capability.VIEW_PERFORMANCE),
    ("Hub performance", "hub:performance", Capability.VIEW_PERFORMANCE),
    ("Meeting attendance", "meetings:attendance", Capability.VIEW_PERFORMANCE),
    ("Encompass performance", "encompass:performance", Capability.VIEW_PERFORMANCE),
    ("Investigation performance", "investigations:performance", Capability.VIEW_PERFORMANCE),
    ("Missing children performance", "missing:performance", Capability.VIEW_PERFORMANCE),
    ("DBS performance", "dbs:performance", Capability.WORK_DBS_CHECKS),
    ("Access reviews", "access:review-queue", Capability.REVIEW_ACCESS),
    ("Directory", "partnership:directory", Capability.VIEW_DIRECTORY),
    ("Calendars", "timescales:calendars", Capability.VIEW_CALENDARS),
    ("API", "core:api-docs", Capability.USE_API),
]


def _label(label: str, counts: dict[str, int]) -> str:
    """A section's label, with its count of things waiting ("Inbox (2 unread)") if any."""
    count = counts.get(label, 0)
    return f"{label} ({count} unread)" if count else label


def navigation_for(request: HttpRequest, counts: dict[str, int] | None = None) -> list[NavItem]:
    """The sections the user may open; `counts` adds a number of unread items to a section."""
    counts = counts or {}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    items = []
    for label, name, capability in _SECTIONS:
        needed = capability if isinstance(capability, tuple) else (capability,) if capability else ()
        if needed and not any(has_capability(user, c) for c in needed):
            continue
        url = reverse(name)
        active = request.path == url if url == "/" else request.path.startswith(url)
        items.append(NavItem(_label(label, counts), url, active))
    # Only the most specific section is current ("/hub/performance/" is not also "/hub/").
    current = max((item.url for item in items if item.active), key=len, default=None)
    return [NavItem(item.label, item.url, item.url == current) for item in items]
