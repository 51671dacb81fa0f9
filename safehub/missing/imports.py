"""`safehub import missing FILE.csv`: missing episodes from the force's own system, in bulk,
each recorded as if the officer had typed it in: the child matched, each council's missing
team given the child's record (and alerted at once to a high-risk episode), and, for a child
already back, the return recorded and the return home interview referred.

One row is one episode. The columns (a header row, UTF-8, any order, extra columns ignored):

- `police_reference` (required): the force's reference for the missing report.
- `child_given_names`, `child_family_name`, `child_date_of_birth` (`YYYY-MM-DD`; required),
  `child_nhs_number`, `child_upn`, `child_postcode`, `child_sex` (`female` or `male`; optional):
  matched as at the front door (an identifier, or the exact name and date of birth); with no
  sure match a new record is made for the hub to check.
- `reported_at` (required): when the child was reported missing, ISO 8601, like
  `2026-11-14T21:05` (UK time) or `2026-11-14T21:05:00+00:00`.
- `reported_by` (required): `parent`, `carer`, `childrens_home`, `school` or `other` (or the
  words SafeHub shows, like "Children's home").
- `last_seen_at` (optional, as `reported_at`), `last_seen_location` (required).
- `risk_grade` (required): `no_apparent_risk`, `low`, `medium` or `high`.
- `la_code` (required): the DfE code of the council where the child lives or is placed, like `990`.
- `in_care` (required): `yes` or `no`; `placing_la_code` (optional): for a child in care placed
  by another council, that council's code.
- `circumstances` (optional); `indicators` (optional): signs of exploitation, separated by `;`:
  `money_or_phones`, `older_associates`, `same_address`, `out_of_area`, `county_lines`, `sexual`.
- `force` (optional): the force's name or code, as in the directory; blank means the one police
  force in SafeHub.
- For a child found or returned: `returned_at` (as `reported_at`), `found_location` and
  `found_by` (required with `returned_at`), `found_postcode`, `where_had_been`, `with_whom`,
  `harm` (optional). Leave them all blank for a child still missing.

Importing is idempotent: an episode whose reference the force already recorded with the same
details is counted "unchanged" and nobody is told again (a return in the file that SafeHub does
not have yet is added, counted "updated"); if its details differ, the row is rejected (add an
update to the episode in SafeHub instead). Any bad row rejects the whole file, with every bad
line's number and problem; dates of birth and identifiers are never repeated in the messages.
See `safehub/missing/examples/missing-example.csv`.
"""

from collections.abc import Mapping
from dataclasses import dataclass
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
from safehub.missing.models import Episode, EpisodeState, Indicator, Reporter, RiskGrade
from safehub.missing.services import (
    ChildDetails,
    DuplicateEpisode,
    EpisodeInput,
    ReturnInput,
    record_episode,
    record_return,
    request_fingerprint,
)
from safehub.partnership.imports import council, police_force
from safehub.partnership.models import Organisation, OrganisationKind
from safehub.people import identifiers

POLICE_REFERENCE = "police_reference"
CHILD_GIVEN_NAMES = "child_given_names"
CHILD_FAMILY_NAME = "child_family_name"
CHILD_DATE_OF_BIRTH = "child_date_of_birth"
CHILD_NHS_NUMBER = "child_nhs_number"
CHILD_UPN = "child_upn"
CHILD_POSTCODE = "child_postcode"
CHILD_SEX = "child_sex"
REPORTED_AT = "reported_at"
REPORTED_BY = "reported_by"
LAST_SEEN_AT = "last_seen_at"
LAST_SEEN_LOCATION = "last_seen_location"
RISK_GRADE = "risk_grade"
LA_CODE = "la_code"
IN_CARE = "in_care"
PLACING_LA_CODE = "placing_la_code"
CIRCUMSTANCES = "circumstances"
INDICATORS = "indicators"
FORCE = "force"
RETURNED_AT = "returned_at"
FOUND_LOCATION = "found_location"
FOUND_POSTCODE = "found_postcode"
FOUND_BY = "found_by"
WHERE_HAD_BEEN = "where_had_been"
WITH_WHOM = "with_whom"
HARM = "harm"
REQUIRED_COLUMNS = (
    POLICE_REFERENCE,
    CHILD_GIVEN_NAMES,
    CHILD_FAMILY_NAME,
    CHILD_DATE_OF_BIRTH,
    REPORTED_AT,
    REPORTED_BY,
    LAST_SEEN_LOCATION,
    RISK_GRADE,
    LA_CODE,
    IN_CARE,
)
RETURN_COLUMNS = (RETURNED_AT, FOUND_LOCATION, FOUND_POSTCODE, FOUND_BY, WHERE_HAD_BEEN, WITH_WHOM, HARM)

IMPORTED_BY = "safehub import"
NO_POLICE_FORCE = "There is no police force in SafeHub to import episodes for. Add the force to the directory first."
# The service's names for what is wrong, as the file's columns.
COLUMN_OF = {
    "police_reference": POLICE_REFERENCE,
    "child_name": f"{CHILD_GIVEN_NAMES}' or '{CHILD_FAMILY_NAME}",
    "child_date_of_birth": CHILD_DATE_OF_BIRTH,
    "child_nhs_number": CHILD_NHS_NUMBER,
    "child_sex": CHILD_SEX,
    "reported_at": REPORTED_AT,
    "last_seen_at": LAST_SEEN_AT,
    "reported_by": REPORTED_BY,
    "last_seen_location": LAST_SEEN_LOCATION,
    "risk_grade": RISK_GRADE,
    "local_authority": LA_CODE,
    "placing_authority": PLACING_LA_CODE,
    "indicators": INDICATORS,
    "returned_at": RETURNED_AT,
    "found_location": FOUND_LOCATION,
    "found_by": FOUND_BY,
}


REPORTERS = lookup(Reporter.choices)
RISK_GRADES = lookup(RiskGrade.choices)
INDICATOR_VALUES = lookup(Indicator.choices)


@dataclass(frozen=True)
class _Row:
    """One row, read and checked: the episode, its force, and its return if the child is back."""

    force: Organisation
    episode: EpisodeInput
    returned: ReturnInput | None


def import_missing(path: str | Path, *, progress: ProgressCallback | None = None) -> ImportResult:
    """Record one missing episode per row (and its return, if given). Nothing is written if any
    row is wrong."""
    rows, headers = open_csv(path)
    require_columns(headers, REQUIRED_COLUMNS)
    forces = Organisation.objects.filter(kind=OrganisationKind.POLICE_FORCE, is_open=True).order_by("pk")
    if not forces.exists():
        raise ImportFailed([RowError(1, NO_POLICE_FORCE)])
    tally = {"new": 0, "high": 0, "returns": 0, "before": 0}

    def make_handler() -> RowHandler:
        for key in tally:
            tally[key] = 0
        lines = iter(range(2, len(rows) + 2))
        first_line: dict[tuple[int, str], int] = {}

        def handle_row(row: Mapping[str, str]) -> str:
            line = next(lines)
            read = _read(row, forces)
            reference = (read.force.pk, read.episode.police_reference)
            if reference in first_line:
                raise RowRejected(
                    f"'{POLICE_REFERENCE}' {read.episode.police_reference} is also on line {first_line[reference]}. "
                    "Give each episode one row: the latest of what the force knows."
                )
            first_line[reference] = line
            return _record(read, tally)

        return handle_row

    result = run_import(rows, make_handler, progress=progress)
    new, high, returns, before = tally["new"], tally["high"], tally["returns"], tally["before"]
    result.notes.append(
        f"{new} new episode{'s' if new != 1 else ''} recorded ({high} high risk, each council's missing team "
        f"alerted at once); {returns} return{'s' if returns != 1 else ''} recorded with a return home interview "
        f"due; {before} imported before and left as {'they were' if before != 1 else 'it was'}."
    )
    return result


def _record(read: _Row, tally: dict[str, int]) -> str:
    given = read.episode
    earlier = Episode.objects.filter(force=read.force, police_reference=given.police_reference).first()
    if earlier is not None and earlier.request_fingerprint != request_fingerprint(given):
        how = "imported" if earlier.recorded_via == "import" else "recorded"
        raise RowRejected(
            f"Episode {given.police_reference} was {how} before ({earlier.reference}) with different details. "
            "Importing it again changes nothing: add an update to the episode in SafeHub instead."
        )
    try:
        episode, created = record_episode(
            episode=given,
            by=None,
            force=read.force,
            via="import",
            on_behalf_of=IMPORTED_BY,
            retry_by_reference=True,
        )
    except DuplicateEpisode as error:
        raise RowRejected(" ".join(error.messages)) from error
    except ValidationError as error:
        raise RowRejected(_describe(error)) from error
    if created:
        tally["new"] += 1
        tally["high"] += episode.risk_grade == RiskGrade.HIGH
    returned = _record_return(episode, read) if read.returned is not None else False
    tally["returns"] += returned
    if created:
        return "created"
    if returned:
        return "updated"
    tally["before"] += 1
    return "unchanged"


def _record_return(episode: Episode, read: _Row) -> bool:
    """Record the return unless SafeHub has it already; False when it had."""
    given = read.returned
    assert given is not None
    if episode.state == EpisodeState.RETURNED:
        if episode.returned_at == given.returned_at and episode.found_location == given.found_location:
            return False
        raise RowRejected(
            f"Episode {episode.police_reference} ({episode.reference}) is already recorded as found or returned, "
            f"at another time or place than '{RETURNED_AT}' and '{FOUND_LOCATION}' say. Correct the file, or add "
            "an update to the episode in SafeHub."
        )
    try:
        record_return(episode=episode, by=None, given=given, force=read.force)
    except ValidationError as error:
        raise RowRejected(_describe(error)) from error
    return True


def _describe(error: ValidationError) -> str:
    """The service's refusal, each problem named by its column."""
    if not hasattr(error, "error_dict"):
        return " ".join(error.messages)
    parts = []
    for key, messages in error.message_dict.items():
        column = COLUMN_OF.get(key)
        text = " ".join(messages)
        parts.append(f"'{column}': {text}" if column else text)
    return " ".join(parts)


# Reading one row ------------------------------------------------------------------------------


def _read(row: Mapping[str, str], forces: QuerySet[Organisation]) -> _Row:
    reference = row[POLICE_REFERENCE]
    if not reference:
        raise RowRejected(f"'{POLICE_REFERENCE}' is empty. Give the force's reference for every episode.")
    in_care = yes_or_no(row[IN_CARE], IN_CARE)
    placing = row.get(PLACING_LA_CODE, "")
    if placing and not in_care:
        raise RowRejected(f"'{PLACING_LA_CODE}' is given but '{IN_CARE}' is 'no': only a child in care is placed.")
    episode = EpisodeInput(
        police_reference=reference,
        child=_child(row),
        reported_at=moment(row[REPORTED_AT], REPORTED_AT),
        reported_by=choice(row[REPORTED_BY], REPORTERS, REPORTED_BY),
        last_seen_at=moment(row[LAST_SEEN_AT], LAST_SEEN_AT) if row.get(LAST_SEEN_AT) else None,
        last_seen_location=required(row, LAST_SEEN_LOCATION, each="episode"),
        risk_grade=choice(row[RISK_GRADE], RISK_GRADES, RISK_GRADE),
        local_authority=council(row[LA_CODE], LA_CODE),
        in_care=in_care,
        placing_authority=council(placing, PLACING_LA_CODE) if placing else None,
        circumstances=row.get(CIRCUMSTANCES, ""),
        indicators=_indicators(row.get(INDICATORS, "")),
    )
    return _Row(force=police_force(row.get(FORCE, ""), forces, FORCE), episode=episode, returned=_return(row))


def _child(row: Mapping[str, str]) -> ChildDetails:
    if not (row[CHILD_GIVEN_NAMES] and row[CHILD_FAMILY_NAME]):
        raise RowRejected(f"Give the child's '{CHILD_GIVEN_NAMES}' and '{CHILD_FAMILY_NAME}'.")
    born = optional_date(row[CHILD_DATE_OF_BIRTH], CHILD_DATE_OF_BIRTH)
    if born is None:
        raise RowRejected(
            f"'{CHILD_DATE_OF_BIRTH}' is empty. Give the child's date of birth (or the best estimate), like 2016-05-04."
        )
    return ChildDetails(
        given_names=row[CHILD_GIVEN_NAMES],
        family_name=row[CHILD_FAMILY_NAME],
        date_of_birth=born,
        nhs_number=_identifier(row.get(CHILD_NHS_NUMBER, ""), CHILD_NHS_NUMBER),
        upn=_identifier(row.get(CHILD_UPN, ""), CHILD_UPN),
        postcode=row.get(CHILD_POSTCODE, ""),
        sex=sex(row.get(CHILD_SEX, ""), CHILD_SEX),
    )


def _return(row: Mapping[str, str]) -> ReturnInput | None:
    if not row.get(RETURNED_AT, ""):
        given = [column for column in RETURN_COLUMNS if row.get(column, "")]
        if given:
            raise RowRejected(
                f"'{given[0]}' is given but '{RETURNED_AT}' is empty. Give when the child was found or returned, "
                "or leave the return columns blank for a child still missing."
            )
        return None
    for column in (FOUND_LOCATION, FOUND_BY):
        if not row.get(column, ""):
            raise RowRejected(f"'{column}' is empty. Fill it in for every child found or returned.")
    return ReturnInput(
        returned_at=moment(row[RETURNED_AT], RETURNED_AT),
        found_location=row[FOUND_LOCATION],
        found_by=row[FOUND_BY],
        found_postcode=row.get(FOUND_POSTCODE, ""),
        where_had_been=row.get(WHERE_HAD_BEEN, ""),
        with_whom=row.get(WITH_WHOM, ""),
        harm=row.get(HARM, ""),
    )


def _indicators(raw: str) -> list[str]:
    found = [part.strip() for part in raw.split(";") if part.strip()]
    unknown = [part for part in found if part.lower() not in INDICATOR_VALUES]
    if unknown:
        allowed = ", ".join(f"'{value}'" for value in Indicator.values)
        raise RowRejected(
            f"'{INDICATORS}' has {', '.join(repr(part) for part in unknown)}, which SafeHub does not know. "
            f"Use any of {allowed}, separated by ';'."
        )
    return sorted({INDICATOR_VALUES[part.lower()] for part in found})


def _identifier(raw: str, column: str) -> str:
    if not raw:
        return ""
    try:
        if column == CHILD_NHS_NUMBER:
            return identifiers.validate_nhs_number(raw)
        return identifiers.validate_upn(raw)
    except ValidationError as error:
        # The messages describe the format; the number itself is not repeated.
        raise RowRejected(f"'{column}': {' '.join(error.messages)}") from error
