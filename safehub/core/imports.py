"""The one way SafeHub reads a CSV file into the database.

Every import is atomic: each row is checked and turned into writes inside one
transaction; if any row is wrong, the error names its line and what is wrong, every
bad line is reported (up to a limit) and nothing is written. Large files report progress.
"""

import csv
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.core.exceptions import ValidationError
from django.db import transaction

MAX_REPORTED_ERRORS = 20
ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"Line {self.line}: {self.message}"


class ImportFailed(Exception):
    """The file was rejected and nothing was written."""

    def __init__(self, errors: Sequence[RowError], total_errors: int | None = None) -> None:
        self.errors = list(errors)
        self.total_errors = total_errors if total_errors is not None else len(errors)
        super().__init__(self.summary())

    def summary(self) -> str:
        lines = [str(error) for error in self.errors]
        hidden = self.total_errors - len(self.errors)
        if hidden > 0:
            lines.append(f"... and {hidden} more problems.")
        lines.append("Nothing was imported. Correct the file and import it again.")
        return "\n".join(lines)


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged


class RowRejected(Exception):
    """Raised by a row handler to reject one row with a message for the user."""


def open_csv(source: str | Path | IO[str]) -> tuple[list[dict[str, str]], list[str]]:
    """Read a CSV file (UTF-8, with or without a byte-order mark) into rows and headers."""
    if isinstance(source, (str, Path)):
        with open(source, encoding="utf-8-sig", newline="") as handle:
            return _read(handle)
    return _read(source)


def _read(handle: IO[str]) -> tuple[list[dict[str, str]], list[str]]:
    text = handle.read()
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    headers = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = headers
    rows = [{key: (value or "").strip() for key, value in row.items() if key is not None} for row in reader]
    return rows, headers


def require_columns(headers: Sequence[str], required: Sequence[str]) -> None:
    missing = [column for column in required if column not in headers]
    if missing:
        raise ImportFailed([RowError(1, "The header row is missing the column(s): " + ", ".join(missing) + ".")])


def run_import(
    rows: Sequence[Mapping[str, str]],
    handle_row: Callable[[Mapping[str, str]], str],
    *,
    progress: ProgressCallback | None = None,
    progress_every: int = 1000,
) -> ImportResult:
    """Apply `handle_row` to every row in one transaction.

    `handle_row` returns "created", "updated" or "unchanged", or raises RowRejected or
    ValidationError. Line numbers count the header as line 1, as a spreadsheet does.
    """
    result = ImportResult()
    errors: list[RowError] = []
    total_errors = 0
    with transaction.atomic():
        for index, row in enumerate(rows):
            line = index + 2
            try:
                with transaction.atomic():
                    outcome = handle_row(row)
            except RowRejected as error:
                total_errors += 1
                if len(errors) < MAX_REPORTED_ERRORS:
                    errors.append(RowError(line, str(error)))
            except ValidationError as error:
                total_errors += 1
                if len(errors) < MAX_REPORTED_ERRORS:
                    errors.append(RowError(line, _describe(error)))
            else:
                setattr(result, outcome, getattr(result, outcome) + 1)
            if progress and (index + 1) % progress_every == 0:
                progress(index + 1, len(rows))
        if progress:
            progress(len(rows), len(rows))
        if total_errors:
            transaction.set_rollback(True)
            raise ImportFailed(errors, total_errors)
    return result


def _describe(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return " ".join(f"{message}" for messages in error.message_dict.values() for message in messages)
    return " ".join(error.messages)
