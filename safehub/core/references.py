"""Human references such as SD-2026-00123: the next number of a prefix, allocated under the
model's unique constraint on `reference`, so two rows saved at once never share one (the
loser of a race takes the next number)."""

from django.db import IntegrityError, models, transaction
from django.db.models.functions import Length

ATTEMPTS = 20


def save_with_next_reference(row: models.Model, *, prefix: str, what: str) -> None:
    """Save `row` with the next free `prefix` + five-digit number in its `reference`."""
    model = type(row)
    for _ in range(ATTEMPTS):
        last = (
            model._default_manager.filter(reference__startswith=prefix)
            .order_by(Length("reference").desc(), "-reference")
            .values_list("reference", flat=True)
            .first()
        )
        number = int(last.removeprefix(prefix)) + 1 if last else 1
        row.reference = f"{prefix}{number:05d}"  # type: ignore[attr-defined]
        try:
            with transaction.atomic():
                row.save()
            return
        except IntegrityError:
            row.pk = None
    raise RuntimeError(f"Could not allocate {what} reference: too many saved at once. Try again.")
