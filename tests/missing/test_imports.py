"""`safehub import missing`: one episode per row, matched to the child and returned when the
row says so; atomic with line-numbered errors that never repeat a date of birth; idempotent by
police reference."""

import csv
import io
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command

from safehub.core.imports import ImportFailed
from safehub.missing.imports import import_missing
from safehub.missing.models import Episode, EpisodeEvent, EpisodeState, ReturnInterview
from safehub.notifications.models import Notification
from tests.missing.world import build_world, london

EXAMPLE = Path(__file__).resolve().parents[2] / "safehub" / "missing" / "examples" / "missing-example.csv"
AFTER_THE_EPISODES = london(2026, 11, 2, 12, 0)
HEADER = [
    "police_reference",
    "child_given_names",
    "child_family_name",
    "child_date_of_birth",
    "child_nhs_number",
    "child_sex",
    "reported_at",
    "reported_by",
    "last_seen_at",
    "last_seen_location",
    "risk_grade",
    "la_code",
    "in_care",
    "placing_la_code",
    "circumstances",
    "indicators",
    "force",
    "returned_at",
    "found_location",
    "found_postcode",
    "found_by",
    "where_had_been",
    "with_whom",
    "harm",
]


@pytest.fixture
def w(db):
    return build_world()


def row(reference="MP/1/26", **changes) -> dict[str, str]:
    values = {
        "police_reference": reference,
        "child_given_names": "Kayla",
        "child_family_name": "Thorne",
        "child_date_of_birth": "2012-03-01",
        "child_nhs_number": "",
        "child_sex": "",
        "reported_at": "2026-11-01T20:30",
        "reported_by": "Children's home",
        "last_seen_at": "2026-11-01T18:00",
        "last_seen_location": "Outside the children's home",
        "risk_grade": "medium",
        "la_code": "990",
        "in_care": "yes",
        "placing_la_code": "",
        "circumstances": "Left after an argument with staff.",
        "indicators": "",
        "force": "",
        "returned_at": "",
        "found_location": "",
        "found_postcode": "",
        "found_by": "",
        "where_had_been": "",
        "with_whom": "",
        "harm": "",
    }
    values.update(changes)
    return values


RETURNED = {
    "returned_at": "2026-11-02T09:15",
    "found_location": "A flat in town",
    "found_postcode": "rv4 2lp",
    "found_by": "Police",
    "where_had_been": "With friends.",
}


def write(tmp_path, *rows: dict[str, str]) -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=HEADER, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / "missing.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def run(path):
    with time_machine.travel(AFTER_THE_EPISODES, tick=False):
        return import_missing(path)


def test_the_example_file_imports(w):
    result = run(EXAMPLE)
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    assert Episode.objects.count() == 3
    assert Episode.objects.filter(state=EpisodeState.RETURNED).count() == 2
    assert ReturnInterview.objects.count() == 2
    assert set(Episode.objects.values_list("local_authority__la_code", flat=True)) == {"990"}


def test_a_good_file_matches_the_child_and_a_returned_row_makes_an_interview(w, tmp_path):
    path = write(
        tmp_path,
        row("MP/1/26", **RETURNED),
        row(
            "MP/2/26",
            child_given_names="Jordan",
            child_family_name="Pike",
            child_date_of_birth="2011-06-05",
            reported_by="PARENT",
            risk_grade="High",
            in_care="no",
            la_code="991",
            indicators="older_associates; county_lines",
        ),
    )
    result = run(path)
    assert (result.created, result.unchanged) == (2, 0)
    assert "2 new episodes recorded" in result.notes[0]
    assert "1 return recorded" in result.notes[0]
    kayla = Episode.objects.get(police_reference="MP/1/26")
    assert (kayla.person, kayla.new_record) == (w.child, False)
    assert (kayla.force, kayla.recorded_by, kayla.recorded_via) == (w.force, None, "import")
    assert kayla.reported_at == london(2026, 11, 1, 20, 30)
    assert kayla.state == EpisodeState.RETURNED
    assert kayla.found_postcode == "RV4 2LP"
    interview = ReturnInterview.objects.get(episode=kayla)
    assert (interview.provider, interview.local_authority) == (w.provider, w.council)
    assert interview.due_at == london(2026, 11, 5, 9, 15)
    jordan = Episode.objects.get(police_reference="MP/2/26")
    assert jordan.new_record
    assert (jordan.reported_by, jordan.risk_grade, jordan.in_care) == ("parent", "high", False)
    assert jordan.indicators == ["county_lines", "older_associates"]
    assert jordan.local_authority == w.other_council
    assert not ReturnInterview.objects.filter(episode=jordan).exists()


def test_a_bad_file_is_rejected_whole_with_every_bad_line_and_nothing_is_written(w, tmp_path):
    path = write(
        tmp_path,
        row("MP/1/26"),
        row("MP/2/26", risk_grade="severe"),
        row("MP/3/26"),
        row("MP/4/26", la_code="123"),
        row("MP/5/26", child_date_of_birth="01/03/2012"),
    )
    with time_machine.travel(AFTER_THE_EPISODES, tick=False), pytest.raises(CommandError) as error:
        call_command("import", "missing", str(path))
    message = str(error.value)
    assert "Line 2" not in message
    assert "Line 3: 'risk_grade' is 'severe'. Use one of" in message
    assert "Line 4" not in message
    assert "Line 5: 'la_code' is '123', which is not a council in SafeHub" in message
    # A bad date of birth is named by its column and line, never repeated.
    assert "Line 6: 'child_date_of_birth' is not a date" in message
    assert "01/03/2012" not in message
    assert "2012-03-01" not in message
    assert "Nothing was imported" in message
    assert not Episode.objects.exists()
    assert not EpisodeEvent.objects.exists()
    assert not Notification.objects.exists()


def test_each_bad_value_is_named_by_its_column(w, tmp_path):
    path = write(
        tmp_path,
        row("MP/1/26", reported_by="neighbour"),
        row("MP/2/26", in_care="maybe"),
        row("MP/3/26", indicators="older_associates;gangs"),
        row("MP/4/26", returned_at="2026-11-02T09:15"),
        row("MP/5/26", found_location="A flat in town"),
    )
    with pytest.raises(ImportFailed) as error:
        run(path)
    message = str(error.value)
    assert "Line 2: 'reported_by' is 'neighbour'" in message
    assert "Line 3: 'in_care' is 'maybe'. Use 'yes' or 'no'." in message
    assert "Line 4: 'indicators' has 'gangs'" in message
    assert "Line 5: 'found_location' is empty" in message
    assert "Line 6: 'found_location' is given but 'returned_at' is empty" in message
    assert not Episode.objects.exists()


def test_the_services_rules_name_the_column(w, tmp_path):
    path = write(tmp_path, row(reported_at="2026-11-03T09:00", child_date_of_birth="2027-01-01"))
    with pytest.raises(ImportFailed) as error:
        run(path)
    message = str(error.value)
    assert "Line 2: 'child_date_of_birth': The child's date of birth is after the report." in message
    assert "'reported_at': The time of the report cannot be in the future." in message
    assert "2027-01-01" not in message


def test_importing_the_same_file_twice_changes_nothing(w, tmp_path):
    path = write(tmp_path, row("MP/1/26", **RETURNED), row("MP/2/26", risk_grade="high"))
    run(path)
    counts = (Episode.objects.count(), EpisodeEvent.objects.count(), ReturnInterview.objects.count())
    sent = Notification.objects.count()
    again = run(path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert (Episode.objects.count(), EpisodeEvent.objects.count(), ReturnInterview.objects.count()) == counts
    assert Notification.objects.count() == sent


def test_a_return_in_a_later_file_closes_the_open_episode(w, tmp_path):
    run(write(tmp_path, row("MP/1/26")))
    result = run(write(tmp_path, row("MP/1/26", **RETURNED)))
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    assert Episode.objects.get().state == EpisodeState.RETURNED
    assert ReturnInterview.objects.count() == 1


def test_an_episode_imported_before_with_different_details_is_rejected(w, tmp_path):
    run(write(tmp_path, row("MP/1/26")))
    with pytest.raises(
        ImportFailed, match=r"Line 2: Episode MP/1/26 was imported before \(MIS-2026-\d+\) with different details"
    ):
        run(write(tmp_path, row("MP/1/26", risk_grade="high")))
    assert Episode.objects.get().risk_grade == "medium"


def test_the_same_reference_twice_in_a_file_is_rejected(w, tmp_path):
    path = write(tmp_path, row("MP/1/26"), row("MP/1/26", risk_grade="low"))
    with pytest.raises(ImportFailed, match="Line 3: 'police_reference' MP/1/26 is also on line 2"):
        run(path)
    assert not Episode.objects.exists()


def test_the_force_is_found_by_name_and_an_unknown_one_is_rejected(w, tmp_path):
    run(write(tmp_path, row("MP/1/26", force="riverside police")))
    assert Episode.objects.get().force == w.force
    with pytest.raises(ImportFailed, match="Line 2: 'force' is 'Nowhere Police'"):
        run(write(tmp_path, row("MP/2/26", force="Nowhere Police")))


def test_the_command_says_how_many_were_new(w, tmp_path, capsys):
    with time_machine.travel(AFTER_THE_EPISODES, tick=False):
        call_command("import", "missing", str(write(tmp_path, row("MP/1/26", **RETURNED))))
    out = capsys.readouterr().out
    assert "1 new" in out
    assert "1 new episode recorded" in out
