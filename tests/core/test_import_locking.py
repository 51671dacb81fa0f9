"""An import leaves SafeHub working: on SQLite (one writer at a time) it never holds the
write lock for long, so a sign-in meanwhile is saved; and if a write ever waits past the busy
timeout, the person is told SafeHub is busy, not shown an error.

The defect found in use: an import held one transaction for its whole run (24-320 s on
10,000 rows), and every sign-in meanwhile failed with a 500 "database is locked"."""

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import RequestFactory

from safehub.core.errors import server_error

ROOT = Path(__file__).resolve().parents[2]
SCHOOLS = 2500
SETUP = (
    "from safehub.partnership.models import Organisation, OrganisationKind, Partnership\n"
    "p = Partnership.objects.create(name='Riverside', short_name='RV')\n"
    "Organisation.objects.create(partnership=p, kind=OrganisationKind.LOCAL_AUTHORITY, name='Riverside Council',"
    " la_code='990')\n"
)


def _env(data_dir: Path) -> dict[str, str]:
    env = {**os.environ, "SAFEHUB_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "config.settings.base"}
    env.pop("DATABASE_URL", None)
    return env


def _safehub(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "safehub.cli", *args],
        cwd=ROOT,
        env=_env(data_dir),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_write_while_a_large_import_runs_on_sqlite_waits_well_under_a_second(tmp_path):
    for command in (("migrate", "--no-input"), ("shell", "-c", SETUP)):
        result = _safehub(*command, data_dir=tmp_path)
        assert result.returncode == 0, result.stderr
    header = "URN,EstablishmentName,LA (code),LA (name),TypeOfEstablishment (name),PhaseOfEducation (name),"
    header += "Postcode,EstablishmentStatus (name)"
    rows = [f"{700000 + n},School {n},990,Riverside,Community school,Primary,RV1 2AB,Open" for n in range(SCHOOLS)]
    csv_file = tmp_path / "schools.csv"
    csv_file.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    importing = subprocess.Popen(
        [sys.executable, "-m", "safehub.cli", "import", "schools", str(csv_file)],
        cwd=ROOT,
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # Another client of the same file (the web app, signing someone in) writes as it would,
    # waiting at most 2 seconds for the lock, again and again while the import runs.
    other = sqlite3.connect(tmp_path / "safehub.sqlite3", timeout=2, isolation_level=None)
    writes, waits = 0, []
    try:
        while importing.poll() is None:
            started = time.monotonic()
            other.execute("BEGIN IMMEDIATE")
            other.execute(
                "INSERT INTO django_session (session_key, session_data, expire_date) VALUES (?, 'x', '2030-01-01')",
                (f"while-importing-{writes}",),
            )
            other.execute("COMMIT")
            waits.append(time.monotonic() - started)
            writes += 1
            time.sleep(0.05)
    finally:
        other.close()
    _, err = importing.communicate(timeout=120)
    assert importing.returncode == 0, err
    assert writes >= 10, "the import finished before the test could write beside it"
    assert max(waits) < 1.5
    counted = sqlite3.connect(tmp_path / "safehub.sqlite3")
    try:
        assert counted.execute("SELECT COUNT(*) FROM partnership_organisation WHERE urn IS NOT NULL").fetchone() == (
            SCHOOLS,
        )
    finally:
        counted.close()


def _raised(error: Exception, path: str = "/"):
    try:
        raise error
    except Exception:
        return server_error(RequestFactory().get(path))


def test_a_lock_timeout_is_a_busy_page_to_try_again_not_an_error():
    response = _raised(OperationalError("database is locked"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "SafeHub is busy: try again in a minute" in page
    assert "Nothing was saved" in page


def test_under_the_api_a_lock_timeout_and_any_other_failure_are_the_json_error():
    busy = _raised(OperationalError("database is locked"), "/api/v1/contacts/")
    assert busy.status_code == 503
    assert json.loads(busy.content)["error"]["code"] == "busy"
    other = _raised(RuntimeError("boom"), "/api/v1/contacts/")
    assert other.status_code == 500
    assert json.loads(other.content)["error"] == {
        "status": 500,
        "code": "error",
        "message": "Sorry, there is a problem with SafeHub. Try again later.",
        "fields": {},
    }


def test_a_number_too_large_for_the_database_is_a_bad_request_not_an_error():
    assert _raised(OverflowError("Python int too large to convert to SQLite INTEGER")).status_code == 400
    api = _raised(OverflowError("Python int too large"), "/api/v1/meetings/1/attendance/")
    assert api.status_code == 400
    assert json.loads(api.content)["error"]["message"] == "A number in the request is too large."


def test_another_database_error_is_still_the_problem_page():
    response = _raised(OperationalError("no such table: x"))
    assert response.status_code == 500
    assert "Sorry, there is a problem with SafeHub" in response.content.decode()


@pytest.mark.django_db
def test_a_sign_in_that_cannot_save_its_session_in_time_is_told_to_try_again(client, social_worker, password):
    client.raise_request_exception = False
    locked = OperationalError("database is locked")
    with mock.patch("django.contrib.sessions.backends.db.SessionStore.save", side_effect=locked):
        response = client.post("/sign-in/", {"username": social_worker.username, "password": password})
    assert response.status_code == 503
    assert "SafeHub is busy" in response.content.decode()
