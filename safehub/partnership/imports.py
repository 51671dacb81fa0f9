"""Importing schools and early-years settings from the DfE "Get Information about Schools" export.

`safehub import schools edubasealldata.csv` reads the establishment export (any number of
extra columns), matches each row to an organisation by URN and creates or updates it.
A school's local authority must already be in SafeHub: local authorities are partnership
members set up deliberately, so an unknown LA code rejects the row rather than inventing one.
"""

import itertools
import re
from collections.abc import Mapping
from pathlib import Path

from django.db.models import Q, QuerySet

from safehub.core.imports import (
    ImportResult,
    ProgressCallback,
    RowHandler,
    RowRejected,
    open_csv,
    require_columns,
    run_import,
)
from safehub.partnership.models import Organisation, OrganisationKind

URN = "URN"
NAME = "EstablishmentName"
LA_CODE = "LA (code)"
LA_NAME = "LA (name)"
TYPE = "TypeOfEstablishment (name)"
PHASE = "PhaseOfEducation (name)"
POSTCODE = "Postcode"
STATUS = "EstablishmentStatus (name)"
COLUMNS = (URN, NAME, LA_CODE, LA_NAME, TYPE, PHASE, POSTCODE, STATUS)

# GIAS types that are early-years settings whatever their phase says.
EARLY_YEARS_TYPES = frozenset({"local authority nursery school", "children's centre", "children's centre linked site"})
CLOSED_STATUS = "closed"
POSTCODE_PATTERN = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$")
# The fields an import sets; comparing them tells "updated" from "unchanged".
IMPORTED_FIELDS = ("kind", "name", "is_open", "local_authority_id", "phase", "establishment_type", "postcode")


def import_schools(path: str | Path, *, progress: ProgressCallback | None = None) -> ImportResult:
    """Create or update one organisation per row, by URN. Nothing is written if any row is wrong."""
    rows, headers = open_csv(path)
    require_columns(headers, COLUMNS)
    first_lines = _first_line_of_each_urn(rows)

    def make_handler() -> RowHandler:
        lines = itertools.count(2)  # run_import calls handle_row once per row, in order
        local_authorities = {
            la.la_code: la
            for la in Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY).exclude(la_code="")
        }

        def handle_row(row: Mapping[str, str]) -> str:
            line = next(lines)
            urn = _parse_urn(row[URN])
            if first_lines[row[URN]] != line:
                # A URN twice in one file is ambiguous: report both lines rather than let the last win.
                raise RowRejected(
                    f"URN {urn} is also on line {first_lines[row[URN]]}. Each establishment appears once."
                )
            name = row[NAME]
            if not name:
                raise RowRejected(f"URN {urn} has no EstablishmentName. Every school needs a name.")
            la_code = row[LA_CODE]
            local_authority = local_authorities.get(la_code)
            if local_authority is None:
                la_label = f"{la_code} ({row[LA_NAME]})" if row[LA_NAME] else la_code or "with no code"
                raise RowRejected(
                    f"URN {urn} belongs to a local authority that is not in SafeHub. "
                    f"Import or add local authority {la_label} first."
                )
            values = {
                "kind": establishment_kind(phase=row[PHASE], establishment_type=row[TYPE]),
                "name": name,
                "is_open": row[STATUS].strip().lower() != CLOSED_STATUS,
                "local_authority_id": local_authority.pk,
                "phase": row[PHASE],
                "establishment_type": row[TYPE],
                "postcode": _parse_postcode(row[POSTCODE], urn),
            }
            organisation = Organisation.objects.filter(urn=urn).first()
            if organisation is None:
                organisation = Organisation(urn=urn, partnership_id=local_authority.partnership_id, **values)
                outcome = "created"
            elif all(getattr(organisation, name) == value for name, value in values.items()):
                return "unchanged"
            else:
                for field_name, value in values.items():
                    setattr(organisation, field_name, value)
                outcome = "updated"
            organisation.full_clean()
            organisation.save()
            return outcome

        return handle_row

    return run_import(rows, make_handler, progress=progress)


def establishment_kind(*, phase: str, establishment_type: str) -> OrganisationKind:
    if phase.strip().lower() == "nursery" or establishment_type.strip().lower() in EARLY_YEARS_TYPES:
        return OrganisationKind.EARLY_YEARS
    return OrganisationKind.SCHOOL


def _parse_urn(raw: str) -> int:
    if not raw.isdigit() or int(raw) == 0:
        shown = f"'{raw}'" if raw else "blank"
        raise RowRejected(f"The URN is {shown}: a URN is a whole number, like 100000.")
    return int(raw)


def _parse_postcode(raw: str, urn: int) -> str:
    if not raw:
        return ""
    compact = raw.upper().replace(" ", "")
    postcode = f"{compact[:-3]} {compact[-3:]}"
    if not POSTCODE_PATTERN.match(postcode):
        raise RowRejected(f"URN {urn} has the postcode '{raw}', which is not a UK postcode like RV1 2AB.")
    return postcode


def _first_line_of_each_urn(rows: list[dict[str, str]]) -> dict[str, int]:
    first_line: dict[str, int] = {}
    for line, row in zip(itertools.count(2), rows, strict=False):
        first_line.setdefault(row[URN], line)
    return first_line


# Organisations named in other importers' rows ------------------------------------------------


def police_force(raw: str, forces: QuerySet[Organisation], column: str) -> Organisation:
    """The force a row names by name or ODS code; blank is the only force, if there is one."""
    if not raw:
        only = list(forces[:2])
        if len(only) > 1:
            raise RowRejected(f"SafeHub has more than one police force: give the force's name in '{column}'.")
        return only[0]
    found = forces.filter(Q(name__iexact=raw) | Q(ods_code__iexact=raw)).first()
    if found is None:
        raise RowRejected(f"'{column}' is '{raw}', which is not a police force in SafeHub. Use its name.")
    return found


def council(raw: str, column: str) -> Organisation:
    """The council a row names by its DfE LA code."""
    found = Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY, la_code=raw).first() if raw else None
    if found is None:
        raise RowRejected(f"'{column}' is '{raw}', which is not a council in SafeHub. Use its three-digit DfE code.")
    return found
