"""The DfE "Get Information about Schools" establishment import."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from safehub.core.imports import ImportFailed
from safehub.partnership.imports import import_schools
from safehub.partnership.models import Organisation, OrganisationKind
from tests.factories import LocalAuthorityFactory

HEADER = (
    "URN,EstablishmentName,LA (code),LA (name),TypeOfEstablishment (name),PhaseOfEducation (name),"
    "Postcode,EstablishmentStatus (name),Street\n"
)
EXAMPLE = Path(__file__).resolve().parents[2] / "safehub" / "partnership" / "examples" / "schools-example.csv"


def write_csv(tmp_path: Path, *rows: str, header: str = HEADER, bom: bool = False) -> Path:
    path = tmp_path / "edubasealldata.csv"
    path.write_text(("\ufeff" if bom else "") + header + "".join(f"{row}\n" for row in rows), encoding="utf-8")
    return path


@pytest.fixture
def riverside(db):
    return LocalAuthorityFactory(name="Riverside Council", la_code="990")


def test_import_creates_schools_and_settings_linked_to_their_local_authority(tmp_path, riverside):
    path = write_csv(
        tmp_path,
        "990001,Millbrook Primary School,990,Riverside,Community school,Primary,rv12ab,Open,Mill Lane",
        "990004,Willow Tree Nursery School,990,Riverside,Local authority nursery school,Nursery,RV2 5GH,Open,",
        "990005,Riverside Children's Centre,990,Riverside,Children's centre,Not applicable,RV2 6GH,Open,",
        "990009,Old Quarry School,990,Riverside,Community school,Secondary,RV2 7QR,Closed,",
    )

    result = import_schools(path)

    assert (result.created, result.updated, result.unchanged) == (4, 0, 0)
    school = Organisation.objects.get(urn=990001)
    assert school.kind == OrganisationKind.SCHOOL
    assert school.local_authority == riverside
    assert school.partnership == riverside.partnership
    assert school.postcode == "RV1 2AB"
    assert school.phase == "Primary"
    assert school.establishment_type == "Community school"
    assert Organisation.objects.get(urn=990004).kind == OrganisationKind.EARLY_YEARS
    assert Organisation.objects.get(urn=990005).kind == OrganisationKind.EARLY_YEARS
    assert Organisation.objects.get(urn=990009).is_open is False


def test_reimport_updates_by_urn_and_counts_unchanged_rows(tmp_path, riverside):
    first = write_csv(
        tmp_path,
        "990001,Millbrook Primary School,990,Riverside,Community school,Primary,RV1 2AB,Open,",
        "990002,Hill Top Primary School,990,Riverside,Community school,Primary,RV1 3AB,Open,",
    )
    import_schools(first)
    school_id = Organisation.objects.get(urn=990001).pk

    second = write_csv(
        tmp_path,
        "990001,Millbrook Primary Academy,990,Riverside,Academy converter,Primary,RV1 2AB,Open,",
        "990002,Hill Top Primary School,990,Riverside,Community school,Primary,RV1 3AB,Open,",
        "990003,Riverside Academy,990,Riverside,Academy converter,Secondary,RV2 3EF,Open,",
    )
    result = import_schools(second)

    assert (result.created, result.updated, result.unchanged) == (1, 1, 1)
    school = Organisation.objects.get(urn=990001)
    assert school.pk == school_id
    assert school.name == "Millbrook Primary Academy"
    assert school.establishment_type == "Academy converter"


def test_closing_a_school_on_reimport_marks_it_closed(tmp_path, riverside):
    import_schools(write_csv(tmp_path, "990001,Millbrook Primary,990,Riverside,Community school,Primary,,Open,"))
    import_schools(write_csv(tmp_path, "990001,Millbrook Primary,990,Riverside,Community school,Primary,,Closed,"))

    assert Organisation.objects.get(urn=990001).is_open is False


def test_file_with_byte_order_mark_and_extra_columns_imports(tmp_path, riverside):
    path = write_csv(
        tmp_path, "990001,Millbrook Primary School,990,Riverside,Community school,Primary,RV1 2AB,Open,", bom=True
    )

    assert import_schools(path).created == 1


def test_bad_rows_are_rejected_with_line_numbers_and_nothing_is_written(tmp_path, riverside):
    path = write_csv(
        tmp_path,
        "990001,Millbrook Primary School,990,Riverside,Community school,Primary,RV1 2AB,Open,",  # line 2: good
        "ABC,Hill Top Primary School,990,Riverside,Community school,Primary,RV1 3AB,Open,",  # 3: URN
        "990003,,990,Riverside,Community school,Primary,RV1 3AB,Open,",  # 4: no name
        "990004,Far Away School,999,Elsewhere,Community school,Primary,RV1 3AB,Open,",  # 5: unknown LA
        "990005,Postcode School,990,Riverside,Community school,Primary,NOT A POSTCODE,Open,",  # 6: postcode
        "990001,Millbrook Again,990,Riverside,Community school,Primary,RV1 2AB,Open,",  # 7: duplicate URN
    )
    before = Organisation.objects.count()

    with pytest.raises(ImportFailed) as failure:
        import_schools(path)

    messages = {error.line: error.message for error in failure.value.errors}
    assert set(messages) == {3, 4, 5, 6, 7}
    assert "'ABC'" in messages[3]
    assert "EstablishmentName" in messages[4]
    assert "Import or add local authority 999 (Elsewhere) first" in messages[5]
    assert "NOT A POSTCODE" in messages[6]
    assert "also on line 2" in messages[7]
    assert Organisation.objects.count() == before
    assert not Organisation.objects.filter(urn=990001).exists()


def test_zero_is_not_a_urn(tmp_path, riverside):
    path = write_csv(tmp_path, "0,Nowhere School,990,Riverside,Community school,Primary,RV1 2AB,Open,")

    with pytest.raises(ImportFailed, match="Line 2: The URN is '0'"):
        import_schools(path)


def test_command_reports_the_bad_line_and_writes_nothing(tmp_path, riverside):
    path = write_csv(
        tmp_path,
        "990001,Millbrook Primary School,990,Riverside,Community school,Primary,RV1 2AB,Open,",
        "990002,Far Away School,999,Elsewhere,Community school,Primary,RV1 3AB,Open,",
    )
    before = Organisation.objects.count()

    with pytest.raises(CommandError) as failure:
        call_command("import", "schools", str(path))

    assert "Line 3:" in str(failure.value)
    assert "local authority 999 (Elsewhere)" in str(failure.value)
    assert "Nothing was imported" in str(failure.value)
    assert Organisation.objects.count() == before


def test_command_reports_counts_on_success(tmp_path, riverside, capsys):
    path = write_csv(tmp_path, "990001,Millbrook Primary School,990,Riverside,Community school,Primary,RV1 2AB,Open,")

    call_command("import", "schools", str(path))

    assert "Imported 1 rows: 1 new, 0 updated, 0 unchanged." in capsys.readouterr().out


def test_missing_column_is_named_and_nothing_is_written(tmp_path, riverside):
    header = HEADER.replace("PhaseOfEducation (name),", "")
    path = write_csv(tmp_path, "990001,Millbrook,990,Riverside,Community school,RV1 2AB,Open,", header=header)

    with pytest.raises(CommandError, match=r"Line 1: The header row is missing the column\(s\): PhaseOfEducation"):
        call_command("import", "schools", str(path))
    assert not Organisation.objects.filter(urn=990001).exists()


# The DfE's "Get Information about Schools" download (edubasealldata), its header as published,
# in its order, Windows-1252 encoded.
GIAS_HEADER = [
    "URN", "LA (code)", "LA (name)", "EstablishmentNumber", "EstablishmentName", "TypeOfEstablishment (code)",
    "TypeOfEstablishment (name)", "EstablishmentTypeGroup (code)", "EstablishmentTypeGroup (name)",
    "EstablishmentStatus (code)", "EstablishmentStatus (name)", "ReasonEstablishmentOpened (code)",
    "ReasonEstablishmentOpened (name)", "OpenDate", "ReasonEstablishmentClosed (code)",
    "ReasonEstablishmentClosed (name)", "CloseDate", "PhaseOfEducation (code)", "PhaseOfEducation (name)",
    "StatutoryLowAge", "StatutoryHighAge", "Boarders (code)", "Boarders (name)", "NurseryProvision (name)",
    "OfficialSixthForm (code)", "OfficialSixthForm (name)", "Gender (code)", "Gender (name)",
    "ReligiousCharacter (code)", "ReligiousCharacter (name)", "ReligiousEthos (name)", "Diocese (code)",
    "Diocese (name)", "AdmissionsPolicy (code)", "AdmissionsPolicy (name)", "SchoolCapacity",
    "SpecialClasses (code)", "SpecialClasses (name)", "CensusDate", "NumberOfPupils", "NumberOfBoys",
    "NumberOfGirls", "PercentageFSM", "TrustSchoolFlag (code)", "TrustSchoolFlag (name)", "Trusts (code)",
    "Trusts (name)", "SchoolSponsorFlag (name)", "SchoolSponsors (name)", "FederationFlag (name)",
    "Federations (code)", "Federations (name)", "UKPRN", "FEHEIdentifier", "FurtherEducationType (name)",
    "OfstedLastInsp", "LastChangedDate", "Street", "Locality", "Address3", "Town", "County (name)", "Postcode",
    "SchoolWebsite", "TelephoneNum", "HeadTitle (name)", "HeadFirstName", "HeadLastName", "HeadPreferredJobTitle",
]  # fmt: skip


def test_the_real_gias_download_in_windows_1252_imports_with_its_accents_and_curly_quotes(tmp_path, riverside):
    values = {
        "URN": "990001",
        "LA (code)": "990",
        "LA (name)": "Riverside",
        "EstablishmentName": "St Mary\u2019s Catholic Primary School \u2013 Ren\u00e9e Wing",
        "TypeOfEstablishment (name)": "Voluntary aided school",
        "EstablishmentStatus (name)": "Open",
        "PhaseOfEducation (name)": "Primary",
        "Postcode": "RV1 2AB",
        "Town": "Riverside",
    }
    row = ",".join(f'"{values.get(column, "")}"' for column in GIAS_HEADER)
    path = tmp_path / "edubasealldata20261201.csv"
    path.write_bytes((",".join(f'"{c}"' for c in GIAS_HEADER) + "\r\n" + row + "\r\n").encode("cp1252"))

    call_command("import", "schools", str(path))

    school = Organisation.objects.get(urn=990001)
    assert school.name == "St Mary\u2019s Catholic Primary School \u2013 Ren\u00e9e Wing"
    assert (school.phase, school.postcode) == ("Primary", "RV1 2AB")


def test_progress_is_reported_for_every_row_checked(tmp_path, riverside):
    rows = [f"{990100 + n},School {n},990,Riverside,Community school,Primary,,Open," for n in range(3)]
    calls: list[tuple[int, int, str]] = []

    import_schools(write_csv(tmp_path, *rows), progress=lambda done, total, stage: calls.append((done, total, stage)))

    if connection.vendor == "sqlite":  # checked in short transactions, then written
        assert calls == [(3, 3, "checked"), (3, 3, "written")]
    else:
        assert calls == [(3, 3, "imported")]


def test_shipped_example_file_imports_once_its_local_authorities_exist(db):
    for code, name in (("990", "Riverside"), ("991", "Hartfield"), ("992", "Eastmoor"), ("993", "Westholme")):
        LocalAuthorityFactory(name=f"{name} Council", la_code=code)

    result = import_schools(EXAMPLE)

    assert result.created == 11
    assert Organisation.objects.get(urn=992001).kind == OrganisationKind.EARLY_YEARS
    assert Organisation.objects.get(urn=991003).is_open is False
    assert import_schools(EXAMPLE).unchanged == 11
