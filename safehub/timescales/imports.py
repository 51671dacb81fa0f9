"""`safehub import term-dates FILE.csv`: school terms, INSET days and closures from a CSV file.

Columns: `Kind,LA code,URN,Name,Start date,End date`.

- `term`: a local authority's term (LA code) or a school's own term (URN), from the start
  date to the end date, both days pupils attend. Name it, for example "Autumn 1 2026".
- `inset` or `closure`: a day the school (URN) is closed to pupils; one row per day, or a
  range from the start date to the end date (weekends in a range are left out). Name is
  the reason.

Dates are 2026-09-03 or 03/09/2026. A term is found again by its owner and start date, a
closure by its school and day, so importing the same file twice changes nothing.
"""

import datetime
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from safehub.core.imports import (
    ImportResult,
    ProgressCallback,
    RowRejected,
    open_csv,
    require_columns,
    run_import,
)
from safehub.partnership.models import Organisation, OrganisationKind
from safehub.timescales.calendar import FIRST_YEAR, LAST_YEAR
from safehub.timescales.models import ClosureKind, SchoolClosure, TermDate

COLUMNS = ["Kind", "LA code", "URN", "Name", "Start date", "End date"]
CLOSURE_KINDS = {"inset": ClosureKind.INSET, "closure": ClosureKind.OTHER}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


@dataclass(frozen=True)
class _TermInFile:
    line: int
    start: datetime.date
    end: datetime.date


def import_term_dates(path: str | Path | IO[str], *, progress: ProgressCallback | None = None) -> ImportResult:
    rows, headers = open_csv(path)
    require_columns(headers, COLUMNS)
    rows = _without_trailing_blank_rows(rows)
    return run_import(rows, lambda: _TermDatesImport(rows).handle_row, progress=progress)


def _without_trailing_blank_rows(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    # Spreadsheets often save empty rows at the end; dropping only those keeps line numbers right.
    while rows and not any(rows[-1].values()):
        rows = rows[:-1]
    return rows


class _TermDatesImport:
    def __init__(self, rows: Sequence[Mapping[str, str]]) -> None:
        self.authorities: dict[str, Organisation] = {}
        self.schools: dict[int, Organisation] = {}
        # Every well-formed term in the file, by owner, so that overlaps between rows are
        # found whichever row comes first.
        self.terms_in_file: dict[tuple[str, str], list[_TermInFile]] = defaultdict(list)
        for index, row in enumerate(rows):
            if row.get("Kind", "").lower() != "term":
                continue
            try:
                start, end = _parse_date(row["Start date"], "start"), _parse_date(row["End date"], "end")
            except RowRejected:
                continue
            owner = ("la", row["LA code"]) if row["LA code"] else ("urn", row["URN"])
            self.terms_in_file[owner].append(_TermInFile(index + 2, start, end))
        self.line_of_row = {id(row): index + 2 for index, row in enumerate(rows)}

    def handle_row(self, row: Mapping[str, str]) -> str:
        if not any(row.values()):
            raise RowRejected("This row is empty. Delete it or fill it in.")
        kind = row["Kind"].lower()
        if kind == "term":
            return self._term(row)
        if kind in CLOSURE_KINDS:
            return self._closure(row, CLOSURE_KINDS[kind])
        shown = f"'{row['Kind']}'" if row["Kind"] else "nothing"
        raise RowRejected(f"Kind is {shown}. Write term, inset or closure.")

    def _term(self, row: Mapping[str, str]) -> str:
        la_code, urn = row["LA code"], row["URN"]
        if la_code and urn:
            raise RowRejected(
                "A term has either an LA code (the authority's terms) or a URN (a school's own terms), not both."
            )
        if not (la_code or urn):
            raise RowRejected("A term needs an LA code (the authority's terms) or a URN (a school's own terms).")
        name = row["Name"]
        if not name:
            raise RowRejected("Name the term, for example 'Autumn 1 2026'.")
        start = _parse_date(row["Start date"], "start")
        if not row["End date"]:
            raise RowRejected("A term needs an end date: the last day pupils attend.")
        end = _parse_date(row["End date"], "end")
        if end < start:
            raise RowRejected(f"The end date {end:%-d %B %Y} is before the start date {start:%-d %B %Y}.")
        owner_key = ("la", la_code) if la_code else ("urn", urn)
        self._reject_overlaps_in_file(row, owner_key, start, end)

        if la_code:
            authority = self._authority(la_code)
            term = TermDate.objects.filter(local_authority=authority, start_date=start).first()
            term = term or TermDate(local_authority=authority, start_date=start)
        else:
            school = self._school(urn)
            term = TermDate.objects.filter(school=school, start_date=start).first()
            term = term or TermDate(school=school, start_date=start)
        if term.pk is not None and term.name == name and term.end_date == end:
            return UNCHANGED
        outcome = UPDATED if term.pk is not None else CREATED
        term.name, term.end_date = name, end
        # full_clean also refuses overlaps with terms already recorded. It sees rows written
        # earlier in this file, so a file that shortens one term to make room for another
        # must list the shortened term first.
        term.full_clean()
        term.save()
        return outcome

    def _reject_overlaps_in_file(
        self, row: Mapping[str, str], owner_key: tuple[str, str], start: datetime.date, end: datetime.date
    ) -> None:
        line = self.line_of_row[id(row)]
        for other in self.terms_in_file[owner_key]:
            if other.line != line and other.start <= end and start <= other.end:
                owner = f"LA code {owner_key[1]}" if owner_key[0] == "la" else f"URN {owner_key[1]}"
                raise RowRejected(
                    f"This term overlaps the term on line {other.line} for the same {owner}. "
                    "Terms of one local authority or school must not overlap."
                )

    def _closure(self, row: Mapping[str, str], kind: ClosureKind) -> str:
        if row["LA code"]:
            raise RowRejected(
                f"{row['Kind']} days belong to one school: give its URN and leave the LA code empty. "
                "For a day when every school of an authority closes, add a row for each school."
            )
        if not row["URN"]:
            raise RowRejected(f"{row['Kind']} days belong to one school: give its URN.")
        school = self._school(row["URN"])
        first = _parse_date(row["Start date"], "start")
        last = _parse_date(row["End date"], "end") if row["End date"] else first
        if last < first:
            raise RowRejected(f"The end date {last:%-d %B %Y} is before the start date {first:%-d %B %Y}.")
        reason = row["Name"]
        outcomes = set()
        day = first
        while day <= last:
            if day.weekday() < 5 or day == first:
                outcomes.add(self._closure_day(school, day, kind, reason))
            day += datetime.timedelta(days=1)
        if CREATED in outcomes:
            return CREATED
        return UPDATED if UPDATED in outcomes else UNCHANGED

    def _closure_day(self, school: Organisation, day: datetime.date, kind: ClosureKind, reason: str) -> str:
        closure = SchoolClosure.objects.filter(school=school, date=day).first()
        if closure is not None and closure.kind == kind and closure.reason == reason:
            return UNCHANGED
        outcome = UPDATED if closure is not None else CREATED
        closure = closure or SchoolClosure(school=school, date=day)
        closure.kind, closure.reason = kind, reason
        closure.full_clean()
        closure.save()
        return outcome

    def _authority(self, la_code: str) -> Organisation:
        if la_code not in self.authorities:
            authority = Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY, la_code=la_code).first()
            if authority is None:
                raise RowRejected(
                    f"There is no local authority with LA code {la_code}. "
                    "Check the code, or add the authority to the directory first."
                )
            self.authorities[la_code] = authority
        return self.authorities[la_code]

    def _school(self, urn_text: str) -> Organisation:
        if not urn_text.isdigit():
            raise RowRejected(f"The URN '{urn_text}' is not a number. A URN is six digits, like 100000.")
        urn = int(urn_text)
        if urn not in self.schools:
            school = Organisation.objects.filter(urn=urn).first()
            if school is None:
                raise RowRejected(
                    f"There is no school with URN {urn}. Check the URN, or import the school first "
                    "(safehub import schools)."
                )
            if not school.is_education:
                raise RowRejected(f"URN {urn} is {school.name}, which is not a school or setting.")
            self.schools[urn] = school
        return self.schools[urn]


def _parse_date(text: str, which: str) -> datetime.date:
    if not text:
        raise RowRejected(f"The {which} date is empty. Write it as 2026-09-03 or 03/09/2026.")
    for date_format in DATE_FORMATS:
        try:
            day = datetime.datetime.strptime(text, date_format).date()
        except ValueError:
            continue
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise RowRejected(f"The {which} date {text} is outside {FIRST_YEAR} to {LAST_YEAR}. Check the year.")
        return day
    raise RowRejected(f"The {which} date '{text}' is not a date. Write it as 2026-09-03 or 03/09/2026.")
