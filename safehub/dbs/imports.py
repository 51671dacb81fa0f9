"""`safehub import dbs FILE.csv`: DBS's local check requests for the force, in bulk (DBS sends
its requests to each force in batches).

Columns (a header row; names as below, in any order):

- `dbs_reference` (required): DBS's application reference, such as E0012345678; one row each.
- `given_names`, `family_name`, `date_of_birth` (YYYY-MM-DD) (required): the applicant.
- `other_names`, `postcode` (optional).
- `workforce` (required): `child`, `adult` or `both` (or the labels, such as "Child workforce").
- `role_applied_for` (required), `received_on` (required, YYYY-MM-DD: both clocks count from it).
- `force` (optional): the force's name or ODS code; blank when SafeHub has one force.

A request imported before with the same details is counted "unchanged"; one with different
details is refused with its line (`safehub.dbs.services.receive_check`). The applicant is
linked to the force's record only when the match is sure. Every row is checked before any is
written: a bad row rejects the file, with every bad line's number and problem. See
`safehub/dbs/examples/dbs-checks-example.csv`.
"""

import datetime
from collections.abc import Mapping
from pathlib import Path

from django.core.exceptions import ValidationError

from safehub.core.imports import (
    ImportFailed,
    ImportResult,
    ProgressCallback,
    RowError,
    RowHandler,
    RowRejected,
    choice,
    lookup,
    open_csv,
    optional_date,
    require_columns,
    required,
    run_import,
)
from safehub.dbs.models import Workforce
from safehub.dbs.services import CheckInput, DuplicateCheck, receive_check
from safehub.partnership.imports import police_force
from safehub.partnership.models import Organisation, OrganisationKind

DBS_REFERENCE = "dbs_reference"
GIVEN_NAMES = "given_names"
FAMILY_NAME = "family_name"
DATE_OF_BIRTH = "date_of_birth"
OTHER_NAMES = "other_names"
POSTCODE = "postcode"
WORKFORCE = "workforce"
ROLE_APPLIED_FOR = "role_applied_for"
RECEIVED_ON = "received_on"
FORCE = "force"
REQUIRED_COLUMNS = (
    DBS_REFERENCE,
    GIVEN_NAMES,
    FAMILY_NAME,
    DATE_OF_BIRTH,
    WORKFORCE,
    ROLE_APPLIED_FOR,
    RECEIVED_ON,
)
WORKFORCES = lookup(Workforce.choices)
NO_POLICE_FORCE = "There is no police force in SafeHub to import DBS checks for. Add the force to the directory first."
# The service's names for what is wrong, as the file's columns.
COLUMN_OF = {"applicant_name": f"{GIVEN_NAMES}' or '{FAMILY_NAME}"}


def import_dbs_checks(path: str | Path, *, progress: ProgressCallback | None = None) -> ImportResult:
    """Record one DBS local check per row. Nothing is written if any row is wrong."""
    rows, headers = open_csv(path)
    require_columns(headers, REQUIRED_COLUMNS)
    forces = Organisation.objects.filter(kind=OrganisationKind.POLICE_FORCE, is_open=True).order_by("pk")
    if not forces.exists():
        raise ImportFailed([RowError(1, NO_POLICE_FORCE)])
    tally = {"new": 0, "before": 0}

    def make_handler() -> RowHandler:
        for key in tally:
            tally[key] = 0
        lines = iter(range(2, len(rows) + 2))
        first_line: dict[tuple[int, str], int] = {}

        def handle_row(row: Mapping[str, str]) -> str:
            line = next(lines)
            force = police_force(row.get(FORCE, ""), forces, FORCE)
            given = _read(row)
            key = (force.pk, given.dbs_reference.strip().upper())
            if key in first_line:
                raise RowRejected(
                    f"'{DBS_REFERENCE}' {key[1]} is also on line {first_line[key]}. Give each check one row."
                )
            first_line[key] = line
            try:
                _, created = receive_check(given=given, by=None, force=force, via="import")
            except DuplicateCheck as error:
                raise RowRejected(" ".join(error.messages)) from error
            except ValidationError as error:
                raise RowRejected(_describe(error)) from error
            tally["new" if created else "before"] += 1
            return "created" if created else "unchanged"

        return handle_row

    result = run_import(rows, make_handler, progress=progress)
    new, before = tally["new"], tally["before"]
    result.notes.append(
        f"{new} new check{'s' if new != 1 else ''} in the disclosure unit's queue; "
        f"{before} imported before and left as {'they were' if before != 1 else 'it was'}."
    )
    return result


def _describe(error: ValidationError) -> str:
    if not hasattr(error, "error_dict"):
        return " ".join(error.messages)
    return " ".join(
        f"'{COLUMN_OF.get(key, key)}': {' '.join(messages)}" for key, messages in error.message_dict.items()
    )


def _read(row: Mapping[str, str]) -> CheckInput:
    born = optional_date(required(row, DATE_OF_BIRTH, each="check"), DATE_OF_BIRTH)
    received = optional_date(required(row, RECEIVED_ON, each="check"), RECEIVED_ON)
    assert isinstance(received, datetime.date)
    return CheckInput(
        dbs_reference=required(row, DBS_REFERENCE, each="check"),
        given_names=required(row, GIVEN_NAMES, each="check"),
        family_name=required(row, FAMILY_NAME, each="check"),
        date_of_birth=born,
        other_names=row.get(OTHER_NAMES, ""),
        postcode=row.get(POSTCODE, ""),
        workforce=choice(row[WORKFORCE], WORKFORCES, WORKFORCE),
        role_applied_for=required(row, ROLE_APPLIED_FOR, each="check"),
        received_on=received,
    )
