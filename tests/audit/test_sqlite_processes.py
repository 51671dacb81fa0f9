"""The audit log on an SQLite file shared by several processes, as the demo runs it."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _safehub(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SAFEHUB_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "config.settings.base"}
    env.pop("DATABASE_URL", None)
    env.pop("SAFEHUB_AUDIT_KEY", None)
    return subprocess.run(
        [sys.executable, "-m", "safehub.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


APPEND = (
    "from safehub.audit.services import record\n"
    "for i in range(40):\n"
    "    record(action='person.viewed', object_type='people.person', object_id=str(i))\n"
)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    result = _safehub("migrate", "--no-input", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    return tmp_path


def test_two_processes_appending_at_once_keep_the_chain_dense_and_verifiable(data_dir):
    env = {**os.environ, "SAFEHUB_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "config.settings.base"}
    env.pop("DATABASE_URL", None)
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "safehub.cli", "shell", "-c", APPEND],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for worker in workers:
        _, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
    result = _safehub("audit", "verify", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    assert "80 events verified" in result.stdout


def test_the_key_is_kept_outside_the_database(data_dir):
    _safehub("shell", "-c", APPEND, data_dir=data_dir)
    key_file = data_dir / "audit.key"
    assert key_file.exists()
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    database = (data_dir / "safehub.sqlite3").read_bytes()
    assert key_file.read_text().strip().encode() not in database


def test_another_sqlite_client_cannot_delete_or_update_events(data_dir):
    _safehub("shell", "-c", APPEND, data_dir=data_dir)
    raw = sqlite3.connect(data_dir / "safehub.sqlite3")
    try:
        with pytest.raises(sqlite3.DatabaseError):
            raw.execute("DELETE FROM audit_auditevent WHERE sequence = 3")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            raw.execute("UPDATE audit_auditevent SET purpose = 'x' WHERE sequence = 3")
        assert raw.execute("SELECT count(*) FROM audit_auditevent").fetchone()[0] == 40
    finally:
        raw.close()
