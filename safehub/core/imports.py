"""The one way SafeHub reads a CSV file into the database.

Every row is checked before anything is kept: if any row is wrong, the error names its line
and what is wrong, every bad line is reported (up to a limit) and nothing is written. The
rows are then written in short transactions, so an import never locks people out of SafeHub
(see `run_import`). Large files report progress.
"""

import csv
import datetime
import io
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import connection, transaction

MAX_REPORTED_ERRORS = 20
# How long one transaction of an import runs on SQLite before it commits, and how long it
# then pauses so that a waiting writer (a sign-in, the worker) gets the lock: SQLite has no
# queue, and a waiter retries only every 100 ms or so. Well under the busy timeout
# (config.settings.base), so no one waits long.
BATCH_SECONDS = 0.5
PAUSE_SECONDS = 0.12
# (rows done, rows in the file, what was done: "checked" then "written" on SQLite, "imported"
# in PostgreSQL's one pass)
ProgressCallback = Callable[[int, int, str], None]
RowHandler = Callable[[Mapping[str, str]], str]


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"Line {self.line}: {self.message}"


class ImportFailed(Exception):
    """The file was rejected: nothing was written, or (`written`) only the rows before a row
    that failed while being written, after every row had passed the check."""

    def __init__(self, errors: Sequence[RowError], total_errors: int | None = None, *, written: int = 0) -> None:
        self.errors = list(errors)
        self.total_errors = total_errors if total_errors is not None else len(errors)
        self.written = written
        super().__init__(self.summary())

    def summary(self) -> str:
        lines = [str(error) for error in self.errors]
        hidden = self.total_errors - len(self.errors)
        if hidden > 0:
            lines.append(f"... and {hidden} more problems.")
        if self.written:
            lines.append(
                f"The {self.written} rows before it were imported, and nothing after it. Correct the file and "
                "import it again: the rows already imported count as unchanged."
            )
        else:
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


# Reading one column ---------------------------------------------------------------------------
# The same column reads the same way in every importer, with the same words when it is wrong.
# A date of birth is never repeated in a message: import output is shared.

UK_TIME = ZoneInfo("Europe/London")
YES = frozenset({"yes", "y", "true", "1"})
NO = frozenset({"no", "n", "false", "0"})


def lookup(choices: Sequence[tuple[str, str]]) -> dict[str, str]:
    """Each value of a model's choices, and its label, in lower case, to the value."""
    return {key.lower(): value for value, label in choices for key in (value, label)}


def required(row: Mapping[str, str], column: str, *, each: str) -> str:
    """The column's value, or a refusal naming it (`each`: "episode", "referral", ...)."""
    if not row.get(column, ""):
        raise RowRejected(f"'{column}' is empty. Fill it in for every {each}.")
    return row[column]


def choice(raw: str, choices: Mapping[str, str], column: str) -> str:
    """One of a lookup's values, given as the value or its label in any case."""
    value = choices.get(raw.strip().lower())
    if value is None:
        allowed = ", ".join(sorted({f"'{v}'" for v in choices.values()}))
        raise RowRejected(f"'{column}' is '{raw}'. Use one of {allowed}.")
    return value


def yes_or_no(raw: str, column: str) -> bool:
    value = raw.strip().lower()
    if value not in YES | NO:
        raise RowRejected(f"'{column}' is '{raw}'. Use 'yes' or 'no'.")
    return value in YES


def optional_date(raw: str, column: str) -> datetime.date | None:
    if not raw:
        return None
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError as error:
        raise RowRejected(f"'{column}' is not a date. Write dates as YYYY-MM-DD, like 2016-05-04.") from error


def moment(raw: str, column: str) -> datetime.datetime:
    """A date and time in ISO 8601; without a UTC offset it is UK time, as a force's export is."""
    try:
        value = datetime.datetime.fromisoformat(raw)
    except ValueError as error:
        raise RowRejected(
            f"'{column}' is '{raw}'. Write it in ISO 8601, like 2026-11-14 21:05 (UK time) "
            "or 2026-11-14T21:05:00+00:00."
        ) from error
    return value if value.tzinfo else value.replace(tzinfo=UK_TIME)


def sex(raw: str, column: str) -> str:
    """'female', 'male' or blank; 'f' and 'm' are understood."""
    value = {"f": "female", "m": "male"}.get(raw.strip().lower(), raw.strip().lower())
    if value not in ("", "female", "male"):
        raise RowRejected(f"'{column}' is '{raw}'. Use 'female' or 'male', or leave it blank.")
    return value


# The encodings a file may come in: UTF-8 (with or without a byte-order mark), else
# Windows-1252, as the DfE's GIAS download and Excel's plain "CSV" save are.
ENCODINGS = ("utf-8-sig", "cp1252")
MAX_FIELD_KIB = 128


def open_csv(source: str | Path | IO[str]) -> tuple[list[dict[str, str]], list[str]]:
    """Read a CSV file into rows and headers, or reject it with every line that is wrong:
    a field over MAX_FIELD_KIB, a NUL character, a header named twice, a row with fewer
    fields than the header or more (non-empty) ones. UTF-8 or Windows-1252."""
    if isinstance(source, (str, Path)):
        with open(source, "rb") as handle:
            return _read(_decode(handle.read()))
    return _read(source.read())


def _decode(data: bytes) -> str:
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFailed(
        [RowError(1, "The file is neither UTF-8 nor Windows-1252 text. Save it as 'CSV UTF-8' and try again.")]
    )


def _read(text: str) -> tuple[list[dict[str, str]], list[str]]:
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ImportFailed(
            [
                RowError(
                    line,
                    "The file contains a NUL character, which no CSV file should: it may have been saved as "
                    "UTF-16 or be another kind of file. Save it as 'CSV UTF-8' and try again.",
                )
            ]
        )
    reader = csv.reader(io.StringIO(text, newline=""))
    errors: list[RowError] = []
    try:
        header = next(reader, [])
        headers = [h.strip() for h in header]
        named = [h for h in headers if h]
        twice = sorted({h for h in named if named.count(h) > 1})
        if twice:
            errors.append(
                RowError(1, "The header row names " + ", ".join(f"'{h}'" for h in twice) + " more than once.")
            )
        rows: list[dict[str, str]] = []
        for index, fields in enumerate(reader):
            line = index + 2
            if not fields:
                continue  # a blank line, as csv.DictReader skips it
            if len(fields) < len(headers) or (
                len(fields) > len(headers) and any(value.strip() for value in fields[len(headers) :])
            ):
                errors.append(
                    RowError(line, f"This row has {len(fields)} fields but the header row has {len(headers)}.")
                )
            rows.append({name: value.strip() for name, value in zip(headers, fields, strict=False) if name})
    except csv.Error as error:
        limit = f"{MAX_FIELD_KIB} KiB"
        problem = (
            f"A field is longer than {limit}" if "field limit" in str(error) else f"The file cannot be read ({error})"
        )
        raise ImportFailed(
            [RowError(reader.line_num, f"{problem}. Check the file is the CSV export it should be.")]
        ) from error
    if errors:
        raise ImportFailed(errors[:MAX_REPORTED_ERRORS], len(errors))
    return rows, [h for h in headers if h]


def require_columns(headers: Sequence[str], required: Sequence[str]) -> None:
    missing = [column for column in required if column not in headers]
    if not missing:
        return
    semicolons = [part.strip() for header in headers for part in header.split(";")]
    if any(";" in header for header in headers) and sum(column in semicolons for column in required) > len(
        required
    ) - len(missing):
        raise ImportFailed(
            [
                RowError(
                    1,
                    "The file looks semicolon-separated: its columns are split by ';', not commas. Save it as "
                    "'CSV UTF-8 (comma delimited)' and try again.",
                )
            ]
        )
    raise ImportFailed([RowError(1, "The header row is missing the column(s): " + ", ".join(missing) + ".")])


def run_import(
    rows: Sequence[Mapping[str, str]],
    make_handler: Callable[[], RowHandler],
    *,
    progress: ProgressCallback | None = None,
    progress_every: int = 1000,
) -> ImportResult:
    """Apply a row handler to every row: a bad file changes nothing, and a good one leaves
    the web app working while it is written.

    `make_handler()` gives a fresh row handler, with its own memory of the rows it has seen.
    The handler returns "created", "updated" or "unchanged", or raises RowRejected or
    ValidationError. Line numbers count the header as line 1, as a spreadsheet does.

    On PostgreSQL the whole file is one transaction: it locks only the rows it writes, so
    everyone else keeps working, and any bad row rolls it all back.

    SQLite has one writer at a time: one long transaction would lock out every sign-in for
    the whole file. So the rows are first checked in short transactions (about BATCH_SECONDS
    each) that are rolled back, so nothing is kept; any bad row rejects the file with every
    bad line. Then they are written in short transactions that are kept. A row that fails
    only then (something changed since it was checked) stops the import at its line: the
    rows before it stay imported, and importing the corrected file again counts them
    unchanged (every importer is idempotent).
    """
    if connection.vendor != "sqlite":
        with transaction.atomic():
            return _check_then_keep(rows, make_handler(), progress, progress_every)
    _reject_bad_rows(_handle(rows, make_handler(), keep=False, progress=progress, every=progress_every))
    result = ImportResult()
    for _line, outcome in _handle(rows, make_handler(), keep=True, progress=progress, every=progress_every):
        setattr(result, outcome, getattr(result, outcome) + 1)
    return result


def _check_then_keep(
    rows: Sequence[Mapping[str, str]], handle_row: RowHandler, progress: ProgressCallback | None, every: int
) -> ImportResult:
    """In the caller's transaction: every row, each in a savepoint; rolled back if any is bad."""
    result = ImportResult()
    problems: list[tuple[int, str]] = []
    for index, row in enumerate(rows):
        try:
            with transaction.atomic():
                outcome = handle_row(row)
        except (RowRejected, ValidationError) as error:
            problems.append((index + 2, _message(error)))
        else:
            setattr(result, outcome, getattr(result, outcome) + 1)
        if progress and (index + 1 == len(rows) or (index + 1) % every == 0):
            progress(index + 1, len(rows), "imported")
    if problems:
        transaction.set_rollback(True)
        _reject_bad_rows(iter(problems))
    return result


def _reject_bad_rows(problems: Iterator[tuple[int, str]]) -> None:
    errors: list[RowError] = []
    total_errors = 0
    for line, message in problems:
        total_errors += 1
        if len(errors) < MAX_REPORTED_ERRORS:
            errors.append(RowError(line, message))
    if total_errors:
        raise ImportFailed(errors, total_errors)


def _message(error: RowRejected | ValidationError) -> str:
    return str(error) if isinstance(error, RowRejected) else _describe(error)


def _handle(
    rows: Sequence[Mapping[str, str]],
    handle_row: RowHandler,
    *,
    keep: bool,
    progress: ProgressCallback | None,
    every: int,
) -> Iterator[tuple[int, str]]:
    """SQLite: handle the rows in transactions of about BATCH_SECONDS. Checking (`keep`
    false) yields each bad line with its problem and keeps nothing; writing yields each
    line's outcome and keeps each transaction as it ends."""
    stage = "written" if keep else "checked"
    index = 0
    while index < len(rows):
        outcomes: list[tuple[int, str]] = []
        committed = index
        with transaction.atomic():
            started = time.monotonic()
            while index < len(rows) and time.monotonic() - started < BATCH_SECONDS:
                line = index + 2
                try:
                    # Checking undoes each row's writes alone, so one bad row does not hide others.
                    with nullcontext() if keep else transaction.atomic():
                        outcome = handle_row(rows[index])
                except (RowRejected, ValidationError) as error:
                    if keep:
                        raise ImportFailed([RowError(line, _message(error))], written=committed) from error
                    outcomes.append((line, _message(error)))
                else:
                    if keep:
                        outcomes.append((line, outcome))
                index += 1
                if progress and (index == len(rows) or index % every == 0):
                    progress(index, len(rows), stage)
            if not keep:
                transaction.set_rollback(True)
        if index < len(rows) and not connection.in_atomic_block:
            time.sleep(PAUSE_SECONDS)
        yield from outcomes


def _describe(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return " ".join(f"{message}" for messages in error.message_dict.values() for message in messages)
    return " ".join(error.messages)
