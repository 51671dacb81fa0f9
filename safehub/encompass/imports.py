"""`safehub import incidents FILE.csv`: domestic abuse incidents from the force's own system,
in bulk, each child's school notified as if the incident had been typed in.

One row is one child of one incident; rows with the same `police_reference` are one incident
(they need not be next to each other, but the incident's columns must be the same on each).
The columns (a header row, UTF-8, any order, extra columns ignored):

- `police_reference` (required): the force's occurrence or incident number.
- `occurred_at` (required): when it happened, ISO 8601, like `2026-11-01T22:40` (UK time) or
  `2026-11-01T22:40:00+00:00`.
- `la_code` (required): the DfE code of the council whose area it happened in, like `990`.
- `location` (required, police only), `location_kind`: `home`, `other_home`, `public` or `other`.
- `circumstances` (required): what happened, as the school needs to know it.
- `adult1_role` (`victim`, `perpetrator`, `both` or `other`), `adult1_given_names`,
  `adult1_family_name`, `adult1_date_of_birth` (optional, `YYYY-MM-DD`); `adult2_...` and so on
  for more adults (leave them blank if there is only one).
- `child_given_names`, `child_family_name`, `child_date_of_birth` (`YYYY-MM-DD`, required),
  `child_nhs_number`, `child_upn`, `child_postcode`, `child_sex` (`female` or `male`; optional),
  `present` (`yes` or `no`),
  `whereabouts`, `voice_of_child`, `injuries`, `actions_taken` (optional).
- `force` (optional): the force's name or code, as in the directory; blank means the one police
  force in SafeHub.

Importing is idempotent: an incident whose reference the force already recorded is counted
"unchanged" and nobody is notified again; if its details differ, the row is rejected (correct
the incident in SafeHub instead). The whole file is one transaction: any bad row rejects it,
with every bad line's number and problem. See `safehub/encompass/examples/incidents-example.csv`.
"""

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from safehub.core.imports import (
    ImportFailed,
    ImportResult,
    ProgressCallback,
    RowError,
    RowHandler,
    RowRejected,
    choice,
    lookup,
    moment,
    open_csv,
    optional_date,
    require_columns,
    required,
    run_import,
    sex,
    yes_or_no,
)
from safehub.encompass.models import AdultRole, Incident, LocationKind
from safehub.encompass.services.incidents import (
    AdultInput,
    ChildInput,
    DuplicateIncident,
    IncidentInput,
    record_incident,
    same_incident,
)
from safehub.partnership.imports import council, police_force
from safehub.partnership.models import Organisation, OrganisationKind
from safehub.people import identifiers

POLICE_REFERENCE = "police_reference"
OCCURRED_AT = "occurred_at"
LA_CODE = "la_code"
LOCATION = "location"
LOCATION_KIND = "location_kind"
CIRCUMSTANCES = "circumstances"
FORCE = "force"
CHILD_GIVEN_NAMES = "child_given_names"
CHILD_FAMILY_NAME = "child_family_name"
CHILD_DATE_OF_BIRTH = "child_date_of_birth"
CHILD_NHS_NUMBER = "child_nhs_number"
CHILD_UPN = "child_upn"
CHILD_POSTCODE = "child_postcode"
CHILD_SEX = "child_sex"
PRESENT = "present"
WHEREABOUTS = "whereabouts"
VOICE_OF_CHILD = "voice_of_child"
INJURIES = "injuries"
ACTIONS_TAKEN = "actions_taken"
REQUIRED_COLUMNS = (
    POLICE_REFERENCE,
    OCCURRED_AT,
    LA_CODE,
    LOCATION,
    LOCATION_KIND,
    CIRCUMSTANCES,
    "adult1_role",
    "adult1_given_names",
    "adult1_family_name",
    CHILD_GIVEN_NAMES,
    CHILD_FAMILY_NAME,
    CHILD_DATE_OF_BIRTH,
    PRESENT,
)
# The incident's own columns: the same on every row of one incident.
INCIDENT_COLUMNS = (OCCURRED_AT, LA_CODE, LOCATION, LOCATION_KIND, CIRCUMSTANCES, FORCE)
ADULT_ROLE_COLUMN = re.compile(r"^adult(\d+)_role$")
ADULT_PARTS = ("role", "given_names", "family_name", "date_of_birth")

IMPORTED_BY = "safehub import"
NO_POLICE_FORCE = "There is no police force in SafeHub to import incidents for. Add the force to the directory first."


ROLES = lookup(AdultRole.choices)
LOCATION_KINDS = lookup(LocationKind.choices)


@dataclass(frozen=True)
class _Details:
    """The incident's own columns, read from its first row."""

    force: Organisation
    occurred_at: datetime.datetime
    local_authority: Organisation
    location: str
    location_kind: str
    circumstances: str
    adults: list[AdultInput]


@dataclass
class _Group:
    """The rows of one incident read so far."""

    first_line: int
    first_row: Mapping[str, str]
    last_index: int
    details: _Details | None = None
    children: list[tuple[int, ChildInput]] = field(default_factory=list)
    rejected: bool = False


def import_incidents(path: str | Path, *, progress: ProgressCallback | None = None) -> ImportResult:
    """Record one incident per police reference, one child per row. Nothing is written if any
    row is wrong."""
    rows, headers = open_csv(path)
    require_columns(headers, REQUIRED_COLUMNS)
    adult_numbers = sorted(int(found[1]) for h in headers if (found := ADULT_ROLE_COLUMN.match(h)))
    forces = Organisation.objects.filter(kind=OrganisationKind.POLICE_FORCE, is_open=True).order_by("pk")
    if not forces.exists():
        raise ImportFailed([RowError(1, NO_POLICE_FORCE)])
    last_index = {row[POLICE_REFERENCE]: index for index, row in enumerate(rows) if row[POLICE_REFERENCE]}
    outcomes: dict[str, str] = {}
    groups: dict[str, _Group] = {}

    def make_handler() -> RowHandler:
        groups.clear()
        outcomes.clear()
        lines = iter(range(2, len(rows) + 2))

        def handle_row(row: Mapping[str, str]) -> str:
            line = next(lines)
            reference = row[POLICE_REFERENCE]
            if not reference:
                raise RowRejected(f"'{POLICE_REFERENCE}' is empty. Give the force's reference for every incident.")
            group = groups.get(reference)
            try:
                if group is None:
                    group = groups[reference] = _Group(line, row, last_index[reference])
                    group.details = _details(row, adult_numbers, forces)
                _same_incident(row, group, adult_numbers)
                group.children.append((line, _child(row)))
            except (RowRejected, ValidationError):
                groups[reference].rejected = True
                raise
            if line - 2 < group.last_index:
                return "created"  # counted again below, once the incident is recorded
            if group.rejected or group.details is None:
                return "unchanged"  # the file is rejected anyway: the incident's other rows say why
            outcomes[reference] = _record(reference, group, group.details)
            return outcomes[reference]

        return handle_row

    result = run_import(rows, make_handler, progress=progress)
    # Each row counts as its incident does: new, or imported before.
    rows_of = {reference: len(group.children) for reference, group in groups.items()}
    result.created = sum(rows_of[ref] for ref, outcome in outcomes.items() if outcome == "created")
    result.unchanged = sum(rows_of[ref] for ref, outcome in outcomes.items() if outcome == "unchanged")
    new = sum(1 for outcome in outcomes.values() if outcome == "created")
    result.notes.append(
        f"{new} new incident{'s' if new != 1 else ''} recorded and each child's school notified; "
        f"{len(outcomes) - new} imported before and left as they were."
    )
    return result


def _same_incident(row: Mapping[str, str], group: _Group, adult_numbers: list[int]) -> None:
    columns = [*INCIDENT_COLUMNS, *(f"adult{n}_{part}" for n in adult_numbers for part in ADULT_PARTS)]
    for column in columns:
        if row.get(column, "") != group.first_row.get(column, ""):
            raise RowRejected(
                f"'{column}' is not the same as on line {group.first_line}, which has the same "
                f"{POLICE_REFERENCE} {row[POLICE_REFERENCE]}. Give the incident's details the same on each of its rows."
            )


def _details(row: Mapping[str, str], adult_numbers: list[int], forces: QuerySet[Organisation]) -> _Details:
    return _Details(
        force=police_force(row.get(FORCE, ""), forces, FORCE),
        occurred_at=moment(row[OCCURRED_AT], OCCURRED_AT),
        local_authority=council(row[LA_CODE], LA_CODE),
        location=required(row, LOCATION, each="incident"),
        location_kind=choice(row[LOCATION_KIND], LOCATION_KINDS, LOCATION_KIND),
        circumstances=required(row, CIRCUMSTANCES, each="incident"),
        adults=_adults(row, adult_numbers),
    )


def _record(reference: str, group: _Group, details: _Details) -> str:
    force = details.force
    given = IncidentInput(
        police_reference=reference,
        occurred_at=details.occurred_at,
        local_authority=details.local_authority,
        location=details.location,
        location_kind=details.location_kind,
        circumstances=details.circumstances,
        adults=details.adults,
        children=[child for _, child in group.children],
    )
    earlier = Incident.objects.filter(force=force, police_reference=reference).first()
    if earlier is not None and not same_incident(earlier, given):
        raise RowRejected(
            f"Incident {reference} was imported before ({earlier.reference}) with different details. "
            "Importing it again changes nothing: correct the incident in SafeHub instead."
        )
    try:
        _, created = record_incident(
            incident=given,
            by=None,
            force=force,
            via="import",
            on_behalf_of=IMPORTED_BY,
            retry_by_reference=True,
        )
    except DuplicateIncident as error:
        raise RowRejected(" ".join(error.messages)) from error
    except ValidationError as error:
        raise RowRejected(_describe(error, group)) from error
    return "created" if created else "unchanged"


# The service numbers the children 1, 2, ... as they were given: name each by its line.
CHILD_KEY = re.compile(r"^children-(?P<number>\d+)-")


def _describe(error: ValidationError, group: _Group) -> str:
    if not hasattr(error, "error_dict"):
        return " ".join(error.messages)
    parts = []
    for key, messages in error.message_dict.items():
        found = CHILD_KEY.match(key)
        text = " ".join(messages)
        if found is not None and 1 <= int(found["number"]) <= len(group.children):
            text = f"{text} (the child on line {group.children[int(found['number']) - 1][0]})"
        parts.append(text)
    return " ".join(parts)


# Reading one row ------------------------------------------------------------------------------


def _adults(row: Mapping[str, str], numbers: list[int]) -> list[AdultInput]:
    adults = []
    for n in numbers:
        role, given, family, born = (row.get(f"adult{n}_{part}", "") for part in ADULT_PARTS)
        if not (role or given or family or born):
            continue
        if not (given and family):
            raise RowRejected(f"Adult {n} needs both 'adult{n}_given_names' and 'adult{n}_family_name'.")
        adults.append(
            AdultInput(
                role=choice(role, ROLES, f"adult{n}_role"),
                given_names=given,
                family_name=family,
                date_of_birth=optional_date(born, f"adult{n}_date_of_birth"),
            )
        )
    if not adults:
        raise RowRejected("Give at least one adult involved: 'adult1_role' and their names.")
    return adults


def _child(row: Mapping[str, str]) -> ChildInput:
    if not (row[CHILD_GIVEN_NAMES] and row[CHILD_FAMILY_NAME]):
        raise RowRejected(f"Give the child's '{CHILD_GIVEN_NAMES}' and '{CHILD_FAMILY_NAME}'.")
    born = optional_date(row[CHILD_DATE_OF_BIRTH], CHILD_DATE_OF_BIRTH)
    if born is None:
        raise RowRejected(f"'{CHILD_DATE_OF_BIRTH}' is empty. Give the child's date of birth, like 2016-05-04.")
    nhs_number = row.get(CHILD_NHS_NUMBER, "")
    upn = row.get(CHILD_UPN, "")
    return ChildInput(
        given_names=row[CHILD_GIVEN_NAMES],
        family_name=row[CHILD_FAMILY_NAME],
        date_of_birth=born,
        nhs_number=identifiers.validate_nhs_number(nhs_number) if nhs_number else "",
        upn=identifiers.validate_upn(upn) if upn else "",
        postcode=row.get(CHILD_POSTCODE, ""),
        sex=sex(row.get(CHILD_SEX, ""), CHILD_SEX),
        present=yes_or_no(row[PRESENT], PRESENT),
        whereabouts=row.get(WHEREABOUTS, ""),
        voice_of_child=row.get(VOICE_OF_CHILD, ""),
        injuries=row.get(INJURIES, ""),
        actions_taken=row.get(ACTIONS_TAKEN, ""),
    )
