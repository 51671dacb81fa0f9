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
    video_provider_name: str | None = None,
    video_link_template: str | None = None,
    encompass_includes_early_years: bool | None = None,
) -> list[str]:
    """Save the partnership's names, video provider and local timescales together; returns the
    timescales changed. The video settings are left as they are when not given (None)."""
    partnership.name = name.strip()
    partnership.short_name = short_name.strip()
    partnership.hub_name = hub_name.strip()
    video_before = (partnership.video_provider_name, partnership.video_link_template)
    if video_provider_name is not None:
        partnership.video_provider_name = video_provider_name.strip()
    if video_link_template is not None:
        partnership.video_link_template = video_link_template.strip()
    early_years_before = partnership.encompass_includes_early_years
    if encompass_includes_early_years is not None:
        partnership.encompass_includes_early_years = encompass_includes_early_years
    partnership.full_clean()
    partnership.save()
    changed = set_local_timescales(partnership=partnership, values=timescales)
    detail: dict[str, object] = {"timescales_changed": {key: timescales[key] for key in changed}}
    if video_before != (partnership.video_provider_name, partnership.video_link_template):
        detail["video_changed"] = True
    if early_years_before != partnership.encompass_includes_early_years:
        detail["encompass_includes_early_years"] = partnership.encompass_includes_early_years
    record(action="partnership.settings_changed", actor=changed_by, target=partnership, detail=detail)
    return changed
