"""`safehub import term-dates`: terms, INSET days and closures from CSV, all or nothing."""

import datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from safehub.core.imports import ImportFailed
from safehub.timescales.imports import import_term_dates
from safehub.timescales.models import ClosureKind, SchoolClosure, TermDate
from tests.factories import LocalAuthorityFactory, OrganisationFactory, SchoolFactory

pytestmark = pytest.mark.django_db

EXAMPLE = Path(__file__).resolve().parents[2] / "safehub" / "timescales" / "examples" / "term-dates-example.csv"
HEADER = "Kind,LA code,URN,Name,Start date,End date\n"


@pytest.fixture
def directory():
    authority = LocalAuthorityFactory(name="Riverside Council", la_code="990")
    SchoolFactory(name="Millbrook Primary School", urn=990001, local_authority=authority)
    SchoolFactory(name="Riverside Academy", urn=990003, local_authority=authority)
    OrganisationFactory(name="Riverside Police", urn=990200)
    return authority


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "terms.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def snapshot() -> tuple[list[tuple], list[tuple]]:
    terms = list(
        TermDate.objects.order_by("pk").values_list("local_authority_id", "school_id", "name", "start_date", "end_date")
    )
    closures = list(SchoolClosure.objects.order_by("pk").values_list("school_id", "date", "kind", "reason"))
    return terms, closures


def test_example_file_imports_terms_and_closures(directory):
    result = import_term_dates(EXAMPLE)
    assert (result.created, result.updated, result.unchanged) == (20, 0, 0)
    assert TermDate.objects.filter(local_authority=directory).count() == 12
    assert TermDate.objects.filter(school__urn=990003).count() == 4
    assert list(SchoolClosure.objects.filter(school__urn=990001).values_list("date", flat=True)) == [
        datetime.date(2026, 9, 3),
        datetime.date(2027, 1, 5),
        datetime.date(2027, 5, 6),
        datetime.date(2027, 7, 20),
        datetime.date(2027, 7, 21),
    ]
    polling = SchoolClosure.objects.get(date=datetime.date(2027, 5, 6))
    assert (polling.kind, polling.reason) == (ClosureKind.OTHER, "Polling station")


def test_uk_dates_are_read_day_first(directory):
    import_term_dates(EXAMPLE)
    autumn = TermDate.objects.get(local_authority=directory, name="Autumn 1 2027")
    assert (autumn.start_date, autumn.end_date) == (datetime.date(2027, 9, 2), datetime.date(2027, 10, 22))


def test_importing_the_same_file_again_changes_nothing(directory):
    import_term_dates(EXAMPLE)
    before = snapshot()
    result = import_term_dates(EXAMPLE)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 20)
    assert snapshot() == before


def test_reimport_updates_a_term_found_by_owner_and_start_date(directory, tmp_path):
    import_term_dates(write(tmp_path, "term,990,,Autumn 1 2026,2026-09-03,2026-10-23\n"))
    result = import_term_dates(write(tmp_path, "term,990,,Autumn term 1,2026-09-03,2026-10-22\n"))
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    term = TermDate.objects.get()
    assert (term.name, term.end_date) == ("Autumn term 1", datetime.date(2026, 10, 22))


def test_reimport_updates_a_closure_reason(directory, tmp_path):
    import_term_dates(write(tmp_path, "inset,,990001,Training,2026-09-03,\n"))
    result = import_term_dates(write(tmp_path, "inset,,990001,Safeguarding training,2026-09-03,\n"))
    assert result.updated == 1
    assert SchoolClosure.objects.get().reason == "Safeguarding training"


def test_closure_range_leaves_out_the_weekend(directory, tmp_path):
    import_term_dates(write(tmp_path, "closure,,990001,Building works,2026-10-02,2026-10-06\n"))
    assert list(SchoolClosure.objects.values_list("date", flat=True)) == [
        datetime.date(2026, 10, 2),
        datetime.date(2026, 10, 5),
        datetime.date(2026, 10, 6),
    ]


def test_kind_is_read_whatever_its_case(directory, tmp_path):
    result = import_term_dates(
        write(tmp_path, "Term,990,,Autumn 1 2026,2026-09-03,2026-10-23\nINSET,,990001,,2026-09-03,\n")
    )
    assert result.created == 2


def test_trailing_empty_rows_from_a_spreadsheet_are_ignored(directory, tmp_path):
    result = import_term_dates(write(tmp_path, "term,990,,Autumn 1 2026,2026-09-03,2026-10-23\n,,,,,\n,,,,,\n"))
    assert result.rows == 1


BAD_ROWS = [
    ("term,999,,Autumn 1 2026,2026-09-03,2026-10-23", "There is no local authority with LA code 999"),
    ("term,,123456,Autumn 1 2026,2026-09-03,2026-10-23", "There is no school with URN 123456"),
    ("term,990,,Autumn 1 2026,2026-10-23,2026-09-03", "The end date 3 September 2026 is before the start date"),
    ("term,990,,Autumn 1 2026,2026-09-31,2026-10-23", "The start date '2026-09-31' is not a date"),
    ("holiday,990,,Autumn 1 2026,2026-09-03,2026-10-23", "Kind is 'holiday'. Write term, inset or closure."),
    ("term,990,990001,Autumn 1 2026,2026-09-03,2026-10-23", "either an LA code"),
    ("term,,,Autumn 1 2026,2026-09-03,2026-10-23", "needs an LA code"),
    ("term,990,,,2026-09-03,2026-10-23", "Name the term"),
    ("term,990,,Autumn 1 2026,2026-09-03,", "A term needs an end date"),
    ("inset,,,Training,2026-09-03,", "give its URN"),
    ("inset,990,,Training,2026-09-03,", "leave the LA code empty"),
    ("inset,,99010A,Training,2026-09-03,", "The URN '99010A' is not a number"),
    ("inset,,990200,Training,2026-09-03,", "URN 990200 is Riverside Police, which is not a school"),
    ("inset,,990001,Training,3/9/2206,", "outside 1995 to 2060"),
]


@pytest.mark.parametrize(("row", "message"), BAD_ROWS)
def test_bad_row_is_rejected_with_its_line_and_a_specific_message(directory, tmp_path, row, message):
    path = write(tmp_path, "term,990,,Spring 1 2027,2027-01-05,2027-02-12\n" + row + "\n")
    with pytest.raises(ImportFailed) as failure:
        import_term_dates(path)
    assert [error.line for error in failure.value.errors] == [3]
    assert message in failure.value.errors[0].message
    assert not TermDate.objects.exists()


def test_overlapping_terms_in_the_file_are_both_reported(directory, tmp_path):
    path = write(
        tmp_path,
        "term,990,,Autumn 1 2026,2026-09-03,2026-10-23\n"
        "term,,990003,Autumn 1 2026,2026-09-03,2026-10-23\n"
        "term,990,,Autumn 2 2026,2026-10-19,2026-12-18\n",
    )
    with pytest.raises(ImportFailed) as failure:
        import_term_dates(path)
    errors = {error.line: error.message for error in failure.value.errors}
    assert set(errors) == {2, 4}
    assert "overlaps the term on line 4 for the same LA code 990" in errors[2]
    assert "overlaps the term on line 2" in errors[4]


def test_term_overlapping_one_already_recorded_is_rejected(directory, tmp_path):
    import_term_dates(write(tmp_path, "term,990,,Autumn 1 2026,2026-09-03,2026-10-23\n"))
    with pytest.raises(ImportFailed) as failure:
        import_term_dates(write(tmp_path, "term,990,,Autumn 1 2026,2026-09-02,2026-10-23\n"))
    assert "overlaps Autumn 1 2026" in str(failure.value)
    assert TermDate.objects.count() == 1


def test_bad_file_reports_every_bad_line_and_writes_nothing(directory, tmp_path):
    import_term_dates(EXAMPLE)
    before = snapshot()
    path = write(
        tmp_path,
        "term,990,,Autumn 1 2028,2028-09-04,2028-10-20\n"
        "term,999,,Autumn 1 2028,2028-09-04,2028-10-20\n"
        "inset,,990001,Training,2028-09-04,\n"
        "inset,,123456,Training,2028-09-04,\n",
    )
    with pytest.raises(ImportFailed) as failure:
        import_term_dates(path)
    assert [error.line for error in failure.value.errors] == [3, 5]
    assert snapshot() == before


def test_missing_column_is_reported_on_the_header_line(directory, tmp_path):
    path = tmp_path / "terms.csv"
    path.write_text("Kind,LA code,Name,Start date,End date\nterm,990,Autumn,2026-09-03,2026-10-23\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as failure:
        import_term_dates(path)
    assert str(failure.value.errors[0]) == "Line 1: The header row is missing the column(s): URN."


def test_command_imports_the_example_file(directory, capsys):
    call_command("import", "term-dates", str(EXAMPLE))
    assert "Imported 20 rows: 20 new, 0 updated, 0 unchanged." in capsys.readouterr().out


def test_command_reports_a_rejected_file_with_line_numbers(directory, tmp_path):
    path = write(
        tmp_path, "term,990,,Autumn 1 2026,2026-09-03,2026-10-23\nterm,999,,Autumn 1 2026,2026-09-03,2026-10-23\n"
    )
    with pytest.raises(CommandError) as failure:
        call_command("import", "term-dates", str(path))
    message = str(failure.value)
    assert "The term-dates file was rejected." in message
    assert "Line 3: There is no local authority with LA code 999." in message
    assert "Nothing was imported." in message
    assert not TermDate.objects.exists()
