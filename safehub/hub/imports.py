"""`safehub import police-referrals FILE.csv`: the police force's vulnerability referrals, in bulk.

One row is one referral about one child. The columns (a header row, UTF-8, any order,
extra columns ignored):

- `Occurrence reference` (required): the force's reference for the incident. A referral is
  imported once: a row whose reference was imported before with the same details is
  counted "unchanged"; with different details it is rejected (tell the hub about the change).
- `Received at` (required): when the force made the referral, `YYYY-MM-DD HH:MM`, UK time.
- `Officer` (required), `Officer contact` (required): who the hub replies to.
- `Child given names`, `Child family name` (at least one), `Child date of birth`
  (`YYYY-MM-DD`, optional), `Child NHS number` (optional, must be valid), `Postcode` (optional),
  `Child sex` (optional: `female`, `male` or blank).
- `Adults` (optional): the adults in the household, separated by `;`, each a name with an
  optional date of birth in brackets, e.g. `Kelly Ashworth (1990-02-11); Dean Marsh`.
- `What happened` (required).
- `Family aware`: `yes`, `no` or `not told - risk` (telling them could put a child at risk).
- `Consent`: `given`, `refused` or `not sought`.
- `Lawful basis` (optional): `consent`, `significant_harm`, `public_task` or
  `law_enforcement`. When blank: consent if consent was given, otherwise public task (the
  force's statutory duty to safeguard).

The referrals come from the partnership's police force (the first open one). Each child is
matched: the record is linked only when the match is sure (one record holds the NHS number,
or has the exact full name and date of birth, and nothing given contradicts it: see
`safehub.people.matching.sure_match`; audited as "safehub import"); otherwise the child stays
unlinked for the hub to match (the queue shows it). Every row is
checked before any is written: any bad row rejects the file, with every bad line's number and
problem (`safehub.core.imports.run_import`).
See `safehub/hub/examples/police-referrals-example.csv`.
"""

import re
from collections.abc import Mapping
from pathlib import Path

from safehub.core.imports import (
    ImportFailed,
    ImportResult,
    ProgressCallback,
    RowError,
    RowHandler,
    RowRejected,
    moment,
    open_csv,
    optional_date,
    require_columns,
    required,
    run_import,
    sex,
)
from safehub.hub.models import Consent, Contact, ContactSource, FamilyAwareness, LawfulBasis, SubjectRole
from safehub.hub.services.contacts import IdempotencyConflict, SubjectInput, match_automatically, record_contact
from safehub.partnership.models import Organisation, OrganisationKind

OCCURRENCE = "Occurrence reference"
RECEIVED_AT = "Received at"
OFFICER = "Officer"
OFFICER_CONTACT = "Officer contact"
GIVEN_NAMES = "Child given names"
FAMILY_NAME = "Child family name"
DATE_OF_BIRTH = "Child date of birth"
NHS_NUMBER = "Child NHS number"
POSTCODE = "Postcode"
ADULTS = "Adults"
WHAT_HAPPENED = "What happened"
FAMILY_AWARE = "Family aware"
CONSENT = "Consent"
LAWFUL_BASIS = "Lawful basis"
SEX = "Child sex"
COLUMNS = (
    OCCURRENCE,
    RECEIVED_AT,
    OFFICER,
    OFFICER_CONTACT,
    GIVEN_NAMES,
    FAMILY_NAME,
    DATE_OF_BIRTH,
    NHS_NUMBER,
    POSTCODE,
    ADULTS,
    WHAT_HAPPENED,
    FAMILY_AWARE,
    CONSENT,
)

FAMILY_AWARENESS = {
    "yes": FamilyAwareness.AWARE,
    "no": FamilyAwareness.NOT_AWARE,
    "not told - risk": FamilyAwareness.NOT_TOLD_RISK,
}
CONSENTS = {"given": Consent.GIVEN, "refused": Consent.REFUSED, "not sought": Consent.NOT_SOUGHT}
ADULT_PATTERN = re.compile(r"^(?P<name>[^()]+?)\s*(?:\((?P<dob>[^)]*)\))?$")
NO_POLICE_FORCE = "There is no police force in SafeHub to import referrals from. Add the force to the directory first."


def import_police_referrals(path: str | Path, *, progress: ProgressCallback | None = None) -> ImportResult:
    """Record one contact per referral row. Nothing is written if any row is wrong."""
    rows, headers = open_csv(path)
    require_columns(headers, COLUMNS)
    force = Organisation.objects.filter(kind=OrganisationKind.POLICE_FORCE, is_open=True).order_by("pk").first()
    if force is None:
        raise ImportFailed([RowError(1, NO_POLICE_FORCE)])

    def make_handler() -> RowHandler:
        seen: set[str] = set()

        def handle_row(row: Mapping[str, str]) -> str:
            occurrence = row[OCCURRENCE]
            if not occurrence:
                raise RowRejected("Enter the occurrence reference: each referral needs the force's reference.")
            if occurrence in seen:
                raise RowRejected(
                    f"Occurrence reference {occurrence} is on an earlier line too. Give each referral once."
                )
            seen.add(occurrence)
            key = f"police-import:{force.pk}:{occurrence}"
            existed = Contact.objects.filter(idempotency_key=key).exists()
            consent = _choice(row[CONSENT], CONSENTS, CONSENT)
            try:
                record_contact(
                    recorded_by=None,
                    source=ContactSource.POLICE,
                    source_organisation=force,
                    referrer_name=required(row, OFFICER, each="referral"),
                    referrer_role="Police officer",
                    referrer_contact=required(row, OFFICER_CONTACT, each="referral"),
                    what_happened=required(row, WHAT_HAPPENED, each="referral"),
                    family_awareness=_choice(row[FAMILY_AWARE], FAMILY_AWARENESS, FAMILY_AWARE),
                    consent=consent,
                    lawful_basis=_lawful_basis(row.get(LAWFUL_BASIS, ""), consent),
                    subjects=[match_automatically(_child(row)), *_adults(row[ADULTS])],
                    external_reference=occurrence,
                    idempotency_key=key,
                    received_at=moment(row[RECEIVED_AT], RECEIVED_AT),
                    channel="import",
                )
            except IdempotencyConflict as error:
                raise RowRejected(
                    f"Occurrence reference {occurrence} was imported before ({error.contact.reference}) with different "
                    "details. A contact is not changed by importing it again: tell the hub about the change."
                ) from error
            return "unchanged" if existed else "created"

        return handle_row

    return run_import(rows, make_handler, progress=progress)


def _choice(raw: str, choices: Mapping[str, str], column: str) -> str:
    value = choices.get(raw.strip().lower())
    if value is None:
        allowed = ", ".join(f"'{c}'" for c in choices)
        raise RowRejected(f"'{column}' is '{raw}'. Use one of {allowed}.")
    return value


def _lawful_basis(raw: str, consent: str) -> str:
    if not raw.strip():
        return LawfulBasis.CONSENT if consent == Consent.GIVEN else LawfulBasis.PUBLIC_TASK
    value = raw.strip().lower().replace(" ", "_")
    if value not in LawfulBasis.values:
        raise RowRejected(f"'{LAWFUL_BASIS}' is '{raw}'. Use one of {', '.join(LawfulBasis.values)}.")
    return value


def _child(row: Mapping[str, str]) -> SubjectInput:
    if not (row[GIVEN_NAMES] or row[FAMILY_NAME]):
        raise RowRejected("The child has no name. Give at least the child's given names or family name.")
    return SubjectInput(
        role=SubjectRole.CHILD,
        given_names=row[GIVEN_NAMES],
        family_name=row[FAMILY_NAME],
        date_of_birth=optional_date(row[DATE_OF_BIRTH], DATE_OF_BIRTH),
        nhs_number=row[NHS_NUMBER],
        postcode=row[POSTCODE],
        sex=sex(row.get(SEX, ""), SEX),
    )


def _adults(raw: str) -> list[SubjectInput]:
    adults = []
    for part in (p.strip() for p in raw.split(";")):
        if not part:
            continue
        found = ADULT_PATTERN.match(part)
        if found is None:
            raise RowRejected(
                f"'{ADULTS}' has '{part}'. Write each adult as a name, like 'Kelly Ashworth (1990-02-11)'."
            )
        given, _, family = found["name"].strip().rpartition(" ")
        adults.append(
            SubjectInput(
                role=SubjectRole.ADULT,
                given_names=given,
                family_name=family,
                date_of_birth=optional_date((found["dob"] or "").strip(), ADULTS),
            )
        )
    return adults
