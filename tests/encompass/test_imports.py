"""`safehub import incidents`: one incident per police reference and a notice per child,
atomic with line-numbered errors, and idempotent: the same file twice notifies once."""

import csv
import io
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command

from safehub.core.imports import ImportFailed
from safehub.encompass.imports import import_incidents
from safehub.encompass.models import Incident, Notice, RecipientKind
from safehub.notifications.models import Notification
from tests.encompass.conftest import london

pytestmark = pytest.mark.django_db

EXAMPLE = Path(__file__).resolve().parents[2] / "safehub" / "encompass" / "examples" / "incidents-example.csv"
AFTER_THE_INCIDENTS = london(2026, 11, 2, 7, 30)
HEADER = [
    "police_reference",
    "occurred_at",
    "la_code",
    "location",
    "location_kind",
    "circumstances",
    "adult1_role",
    "adult1_given_names",
    "adult1_family_name",
    "adult2_role",
    "adult2_given_names",
    "adult2_family_name",
    "child_given_names",
    "child_family_name",
    "child_date_of_birth",
    "child_nhs_number",
    "present",
    "whereabouts",
    "voice_of_child",
    "actions_taken",
    "force",
]


def row(reference="MP-1", given="Amelia", dob="2017-05-14", **changes) -> dict[str, str]:
    values = {
        "police_reference": reference,
        "occurred_at": "2026-11-01T22:40",
        "la_code": "993",
        "location": "12 Orchard Way, Millbrook",
        "location_kind": "home",
        "circumstances": "Verbal argument escalated; neighbours called police.",
        "adult1_role": "victim",
        "adult1_given_names": "Sarah",
        "adult1_family_name": "Hartley",
        "adult2_role": "perpetrator",
        "adult2_given_names": "Mark",
        "adult2_family_name": "Hartley",
        "child_given_names": given,
        "child_family_name": "Hartley",
        "child_date_of_birth": dob,
        "child_nhs_number": "",
        "present": "yes",
        "whereabouts": "Upstairs",
        "voice_of_child": "Heard shouting.",
        "actions_taken": "Perpetrator arrested.",
        "force": "",
    }
    values.update(changes)
    return values


def write(tmp_path, *rows: dict[str, str]) -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=HEADER, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / "incidents.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def run(path):
    with time_machine.travel(AFTER_THE_INCIDENTS, tick=False):
        return import_incidents(path)


def test_the_example_file_imports(world):
    world.council.la_code = "990"
    world.council.save()
    world.force.name = "Riverside and Wolds Police"
    world.force.save()
    result = run(EXAMPLE)
    assert (result.created, result.unchanged) == (3, 0)
    assert Incident.objects.count() == 2
    assert Incident.objects.get(police_reference="RW-2026-118204").children.count() == 2
    assert Notice.objects.count() == 3


def test_rows_with_the_same_police_reference_are_one_incident_with_a_notice_per_child(world, tmp_path):
    path = write(tmp_path, row("MP-1"), row("MP-1", given="Isla", dob="2014-08-09", present="no"))
    run(path)
    incident = Incident.objects.get()
    assert (incident.force, incident.recorded_by, incident.recorded_via) == (world.force, None, "import")
    assert incident.occurred_at == london(2026, 11, 1, 22, 40)
    assert incident.adults.count() == 2
    notices = {n.child.given_names: n for n in incident.notices.select_related("child")}
    assert notices["Amelia"].organisation == world.school
    assert notices["Isla"].recipient_kind == RecipientKind.LOCAL_AUTHORITY
    assert notices["Isla"].child.present is False


def test_importing_the_same_file_twice_records_one_incident_and_notifies_once(world, tmp_path):
    path = write(tmp_path, row("MP-1"), row("MP-1", given="Isla", dob="2014-08-09"), row("MP-2"))
    run(path)
    sent = Notification.objects.count()
    again = run(path)
    assert (again.created, again.unchanged) == (0, 3)
    assert Incident.objects.count() == 2
    assert Notice.objects.count() == 3
    assert Notification.objects.count() == sent
    assert Notification.objects.filter(kind="encompass.notice", recipient=world.key_adult, channel="inbox").count() == 2


def test_a_bad_file_is_rejected_with_every_bad_line_and_nothing_is_written(world, tmp_path):
    path = write(
        tmp_path,
        row("MP-1"),
        row("MP-2", child_nhs_number="999 000 0001"),
        row("MP-3", present="maybe"),
        row("MP-4", la_code="123"),
        row("MP-5", child_date_of_birth="14/05/2017"),
    )
    with time_machine.travel(AFTER_THE_INCIDENTS, tick=False), pytest.raises(CommandError) as error:
        call_command("import", "incidents", str(path))
    message = str(error.value)
    assert "Line 2" not in message
    assert "Line 3:" in message
    assert "check digit" in message
    assert "Line 4: 'present' is 'maybe'" in message
    assert "Line 5: 'la_code' is '123'" in message
    # A bad date of birth is named by its column and line, never repeated.
    assert "Line 6: 'child_date_of_birth' is not a date" in message
    assert "14/05/2017" not in message
    assert "Nothing was imported" in message
    assert not Incident.objects.exists()
    assert not Notification.objects.exists()


def test_a_row_whose_incident_details_differ_from_the_incidents_first_row_is_rejected(world, tmp_path):
    path = write(tmp_path, row("MP-1"), row("MP-1", given="Isla", circumstances="Something else."))
    with pytest.raises(ImportFailed, match="Line 3: 'circumstances' is not the same as on line 2"):
        run(path)
    assert not Incident.objects.exists()


def test_an_incident_imported_before_with_different_details_is_rejected(world, tmp_path):
    run(write(tmp_path, row("MP-1")))
    with pytest.raises(ImportFailed, match=r"Line 3: Incident MP-1 was imported before \(DA-2026-\d+\)"):
        run(write(tmp_path, row("MP-1"), row("MP-1", given="Isla", dob="2014-08-09")))
    assert Incident.objects.get().children.count() == 1


def test_a_childs_problem_found_by_the_service_names_the_childs_line(world, tmp_path):
    path = write(tmp_path, row("MP-1"), row("MP-1", given="Isla", dob="2026-11-05"))
    with pytest.raises(ImportFailed, match=r"Child 2's date of birth is after the incident. \(the child on line 3\)"):
        run(path)


def test_the_force_is_found_by_name_and_an_unknown_one_is_rejected(world, tmp_path):
    run(write(tmp_path, row("MP-1", force="millbrook police")))
    assert Incident.objects.get().force == world.force
    with pytest.raises(ImportFailed, match="Line 2: 'force' is 'Nowhere Police'"):
        run(write(tmp_path, row("MP-2", force="Nowhere Police")))


def test_the_command_says_how_many_incidents_were_new(world, tmp_path, capsys):
    path = write(tmp_path, row("MP-1"), row("MP-1", given="Isla", dob="2014-08-09"))
    with time_machine.travel(AFTER_THE_INCIDENTS, tick=False):
        call_command("import", "incidents", str(path))
    out = capsys.readouterr().out
    assert "2 new" in out
    assert "1 new incident recorded" in out
