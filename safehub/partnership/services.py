"""Writes to the partnership directory's settings."""

from django.db import transaction

from safehub.audit.services import record
from safehub.partnership.models import Partnership, User
from safehub.timescales.services import set_local_timescales


@transaction.atomic
def update_partnership_settings(
    *,
    partnership: Partnership,
    name: str,
    short_name: str,
    hub_name: str,
    timescales: dict[str, int | None],
    changed_by: User | None = None,
) -> list[str]:
    """Save the partnership's names and local timescales together; returns the timescales changed."""
    partnership.name = name.strip()
    partnership.short_name = short_name.strip()
    partnership.hub_name = hub_name.strip()
    partnership.full_clean()
    partnership.save()
    changed = set_local_timescales(partnership=partnership, values=timescales)
    record(
        action="partnership.settings_changed",
        actor=changed_by,
        target=partnership,
        detail={"timescales_changed": {key: timescales[key] for key in changed}},
    )
    return changed
