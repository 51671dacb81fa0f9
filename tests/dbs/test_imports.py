"""`safehub import dbs`: one check per row, matched as the form matches; a bad file is refused
whole with its lines; the same file twice changes nothing."""

import datetime
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command

from safehub.core.imports import ImportFailed
from safehub.dbs.imports import import_dbs_checks
from safehub.dbs.models import CheckEvent, LocalCheck
from tests.dbs.world import build_world, london

EXAMPLE = Path(__file__).resolve().parents[2] / "safehub/dbs/examples/dbs-checks-example.csv"
HEADER = "dbs_reference,given_names,family_name,date_of_birth,workforce,role_applied_for,received_on,force"
NOW = london(2026, 11, 26, 10, 0)


@pytest.fixture
def w(db):
    with time_machine.travel(NOW, tick=False):
        world = build_world()
        # One force in SafeHub, so that a blank 'force' means it (the other's directory entry is closed).
        world.other_force.is_open = False
        world.other_force.save(update_fields=["is_open"])
        yield world


def write(tmp_path, *lines: str) -> Path:
    path = tmp_path / "checks.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def test_the_example_imports_and_twice_changes_nothing(w):
    result = import_dbs_checks(EXAMPLE)
    assert result.created == 4
    assert LocalCheck.objects.filter(recorded_via="import", recorded_by__isnull=True).count() == 4
    check = LocalCheck.objects.get(dbs_reference="E001260000101")
    assert (check.received_on, check.standard_due_on) == (datetime.date(2026, 11, 23), datetime.date(2026, 12, 7))
    again = import_dbs_checks(EXAMPLE)
    assert (again.created, again.unchanged) == (0, 4)
    assert CheckEvent.objects.count() == 4


def test_the_applicant_known_to_the_force_is_matched(w, tmp_path):
    import_dbs_checks(write(tmp_path, "E1,Gareth,Lowe,1984-06-02,child,Teacher,2026-11-25,Riverside Police"))
    assert LocalCheck.objects.get().person == w.known


def test_a_bad_file_is_refused_whole_with_every_bad_line(w, tmp_path):
    path = write(
        tmp_path,
        "E1,Gareth,Lowe,1984-06-02,child,Teacher,2026-11-25,",
        "E2,Ann,Marsh,1990-13-01,child,Teacher,2026-11-25,",
        "E3,Bo,Kerr,1990-01-01,everyone,Teacher,2026-11-25,",
        "E1,Gareth,Lowe,1984-06-02,child,Teacher,2026-11-25,",
        "E5,Cy,Dale,1990-01-01,adult,Carer,2026-12-25,",
        "E6,Di,Fox,1990-01-01,adult,Carer,2026-11-25,Nowhere Police",
    )
    with pytest.raises(ImportFailed) as refused:
        import_dbs_checks(path)
    problems = {error.line: error.message for error in refused.value.errors}
    assert set(problems) == {3, 4, 5, 6, 7}
    assert "'date_of_birth' is not a date" in problems[3]
    assert "'workforce' is 'everyone'" in problems[4]
    assert "also on line 2" in problems[5]
    assert "cannot be in the future" in problems[6]
    assert "not a police force" in problems[7]
    assert not LocalCheck.objects.exists()


def test_changed_details_for_a_reference_imported_before_are_refused(w, tmp_path):
    import_dbs_checks(write(tmp_path, "E1,Gareth,Lowe,1984-06-02,child,Teacher,2026-11-25,"))
    with pytest.raises(ImportFailed) as refused:
        import_dbs_checks(write(tmp_path, "E1,Gareth,Lowe,1984-06-02,child,Head teacher,2026-11-25,"))
    assert "already check" in refused.value.errors[0].message
    assert LocalCheck.objects.get().role_applied_for == "Teacher"


def test_the_command_says_how_many_were_new(w, capsys):
    call_command("import", "dbs", str(EXAMPLE))
    assert "4 new checks in the disclosure unit's queue" in capsys.readouterr().out
