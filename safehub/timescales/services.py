"""Writes to the partnership's local timescales."""

from django.core.exceptions import ValidationError
from django.db import transaction

from safehub.partnership.models import Partnership
from safehub.timescales.models import TimescaleSetting
from safehub.timescales.rules import TIMESCALES


@transaction.atomic
def set_local_timescales(*, partnership: Partnership, values: dict[str, int | None]) -> list[str]:
    """Set (or, with None, return to the default) each local timescale given.

    Returns the keys that changed. A statutory timescale or an unknown key is refused and
    nothing is changed.
    """
    for key in values:
        if key not in TIMESCALES:
            raise ValidationError(f"There is no timescale called {key!r}.")
        if not TIMESCALES[key].configurable:
            raise ValidationError(f"{TIMESCALES[key].label} is set in law and cannot be changed locally.")
    existing = {s.key: s for s in TimescaleSetting.objects.filter(partnership=partnership, key__in=list(values))}
    changed = []
    for key, value in values.items():
        rule = TIMESCALES[key]
        setting = existing.get(key)
        if value is None or value == rule.default:
            if setting is not None:
                setting.delete()
                changed.append(key)
            continue
        if setting is None:
            setting = TimescaleSetting(partnership=partnership, key=key, value=value)
        elif setting.value == value:
            continue
        setting.value = value
        setting.full_clean()
        setting.save()
        changed.append(key)
    return changed
