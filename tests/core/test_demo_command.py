"""`safehub demo` end to end: seeds once, serves the site with the worker, stops on Ctrl-C."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _environment(data_dir: Path) -> dict[str, str]:
    env = {**os.environ, "SAFEHUB_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "config.settings.base"}
    env.pop("DATABASE_URL", None)  # the demo's own embedded database
    return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _demo(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "safehub.cli", "demo", "--size", "small", *args],
        cwd=ROOT,
        env=_environment(data_dir),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_demo_seeds_once_reuses_the_data_and_reset_starts_over(tmp_path):
    first = _demo("--no-serve", data_dir=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "Demo data ready" in first.stdout
    assert (tmp_path / "safehub.sqlite3").exists()
    for username in ("hub.practitioner", "school.dsl", "privacy.officer", "system.admin"):
        assert username in first.stdout

    again = _demo("--no-serve", data_dir=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "Reusing the demo data" in again.stdout
    assert "school.dsl" in again.stdout

    reset = _demo("--no-serve", "--reset", data_dir=tmp_path)
    assert reset.returncode == 0, reset.stderr
    assert "Demo data ready" in reset.stdout


def test_the_demo_database_passes_audit_verification(tmp_path):
    assert _demo("--no-serve", data_dir=tmp_path).returncode == 0
    verify = subprocess.run(
        [sys.executable, "-m", "safehub.cli", "audit", "verify"],
        cwd=ROOT,
        env=_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert verify.returncode == 0, verify.stderr
    assert "The audit log is intact" in verify.stdout


def test_demo_serves_the_site_and_ctrl_c_stops_the_server_and_the_worker(tmp_path):
    port = _free_port()
    demo = subprocess.Popen(
        [sys.executable, "-m", "safehub.cli", "demo", "--size", "small", "--port", str(port)],
        cwd=ROOT,
        env=_environment(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = ""
    try:
        deadline = time.monotonic() + 180
        status = None
        while time.monotonic() < deadline and demo.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/sign-in/", timeout=2) as response:
                    status = response.status
                    break
            except OSError:
                time.sleep(0.5)
        assert status == 200, "the demo should serve the sign-in page"
        assert len(_processes_using(tmp_path)) >= 3, "the demo, its web server and its worker should be running"
        demo.send_signal(signal.SIGINT)
        output, _ = demo.communicate(timeout=30)
    finally:
        if demo.poll() is None or not output:
            # It did not stop: kill it and every process it started (the server and worker run
            # in sessions of their own), so that none is left holding the output pipe, which
            # would hang the test, and CI, for ever.
            for pid in [demo.pid, *_processes_using(tmp_path)]:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired, ValueError):
                output = demo.communicate(timeout=10)[0] or output
    assert demo.returncode == 0, output
    assert "Stopped." in output
    assert "Traceback" not in output, output
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/sign-in/", timeout=2)
    assert _processes_using(tmp_path) == [], "no server or worker process should outlive Ctrl-C"


def _processes_using(data_dir: Path) -> list[int]:
    """Processes whose environment points at this demo's data directory (Linux /proc)."""
    marker = f"SAFEHUB_DATA_DIR={data_dir}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if marker in environ.split(b"\0"):
            found.append(int(entry.name))
    return found
