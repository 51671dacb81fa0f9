"""The one way SafeHub writes a CSV: every text cell that a spreadsheet would read as a formula
(it starts with =, +, -, @, a tab or a carriage return) is written with a leading apostrophe,
as OWASP advises against CSV injection, so a value typed into SafeHub can never run in the
spreadsheet of the inspector or analyst who opens the file. Numbers and dates are written as
they are."""

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils import timezone

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime.datetime):
        # In London's time, as every page shows it.
        return (timezone.localtime(value) if timezone.is_aware(value) else value).isoformat(timespec="minutes")
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(name) for name in header])
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return out.getvalue()
