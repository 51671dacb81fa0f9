"""The outbox under crashes: a real SMTP server on localhost, N notifications, and the
dispatcher run as its own process and killed with SIGKILL at random points, restarted
each time, until everything is sent. Every notification must reach the server exactly
once by Message-ID; each kill may cause at most one raw duplicate (the message the server
had accepted when the worker died), which carries the same Message-ID.

Runs on a SQLite file, and also on PostgreSQL when the suite runs there (DATABASE_URL).
"""

import collections
import contextlib
import email
import logging
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from aiosmtpd.controller import Controller

from safehub.notifications.channels import message_id_for

REPO = Path(__file__).resolve().parents[2]
NOTIFICATIONS = 200
KILLS = 6
ON_POSTGRESQL = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


class RecordingHandler:
    """Keeps every message the server accepts, and wakes the test as each arrives."""

    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []
        self.raw: list[bytes] = []
        self.arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content)
        with self.arrived:
            self.raw.append(envelope.content)
            self.messages.append(message)
            self.arrived.notify_all()
        return "250 Message accepted for delivery"

    def count(self) -> int:
        with self.arrived:
            return len(self.messages)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    # aiosmtpd logs each envelope, addresses included, at INFO.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    handler = RecordingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, handler
    controller.stop()


@pytest.fixture
def crash_database(request, tmp_path):
    """A database of the test's own, which the dispatcher processes share."""
    if request.param == "sqlite":
        path = tmp_path / "outbox.sqlite3"
        yield f"sqlite:///{path}", lambda sql: sqlite3.connect(path).execute(sql).fetchall()
        return
    import psycopg

    server = urlsplit(os.environ["DATABASE_URL"])
    name = f"safehub_outbox_crash_{uuid.uuid4().hex[:8]}"
    admin_url = urlunsplit(server._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = urlunsplit(server._replace(path=f"/{name}"))

    def query(sql):
        with psycopg.connect(url) as connection:
            return connection.execute(sql).fetchall()

    yield url, query
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _environment(database_url: str, smtp_port: int, lease_seconds: int = 1) -> dict[str, str]:
    return {
        "SAFEHUB_TEST_LEASE_SECONDS": str(lease_seconds),
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.notifications.crash_settings",
        "DATABASE_URL": database_url,
        "SAFEHUB_TEST_SMTP_PORT": str(smtp_port),
        "PYTHONPATH": str(REPO),
    }


DISPATCH = [sys.executable, "-m", "safehub.cli", "notifications", "dispatch", "--loop", "--interval", "0.1"]


@pytest.mark.parametrize("crash_database", ["sqlite", *(["postgresql"] if ON_POSTGRESQL else [])], indirect=True)
def test_every_notification_reaches_the_mail_server_exactly_once_by_message_id_despite_sigkills(
    crash_database, smtp_server, record_property
):
    database_url, query = crash_database
    controller, handler = smtp_server
    env = _environment(database_url, controller.port)
    subprocess.run(
        [sys.executable, "-m", "tests.notifications.crash_seed", str(NOTIFICATIONS)],
        env=env,
        cwd=REPO,
        check=True,
        timeout=60,
    )
    seed = random.randrange(1_000_000)
    rng = random.Random(seed)

    kills = 0
    for _ in range(KILLS):
        worker = subprocess.Popen(
            [*DISPATCH, "--batch-size", str(rng.randint(1, 20))],
            env=env,
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        if rng.random() < 0.5:
            # The worst moment: just after the server accepted a message, before the worker
            # can mark it sent.
            target = handler.count() + rng.randint(1, 30)
            with handler.arrived:
                handler.arrived.wait_for(lambda target=target: len(handler.messages) >= target, timeout=20)
        else:
            # Any moment: starting up, claiming, sending or marking.
            with contextlib.suppress(subprocess.TimeoutExpired):
                worker.wait(timeout=rng.uniform(0.3, 2.0))
        worker.send_signal(signal.SIGKILL)
        _, stderr = worker.communicate(timeout=10)
        assert worker.returncode == -signal.SIGKILL, f"the dispatcher stopped by itself (seed {seed}): {stderr!r}"
        kills += 1

    final = subprocess.run([*DISPATCH, "--until-idle"], env=env, cwd=REPO, capture_output=True, timeout=60)
    assert final.returncode == 0, final.stderr

    per_message_id = collections.Counter(message["Message-ID"] for message in handler.messages)
    raw_deliveries = len(handler.messages)
    duplicates = sum(count - 1 for count in per_message_id.values())
    expected_ids = {message_id_for(key=f"crash_test:n-{n}", channel="email") for n in range(NOTIFICATIONS)}
    record_property("duplicates_from_kills", duplicates)
    print(f"\n{raw_deliveries} raw deliveries, {duplicates} duplicates after {kills} kills (seed {seed})")

    assert set(per_message_id) == expected_ids, f"seed {seed}"
    assert raw_deliveries - duplicates == NOTIFICATIONS
    # Only a message in flight when the worker died can go twice: one per kill at most.
    assert duplicates <= kills, f"seed {seed}"
    assert query("SELECT state, COUNT(*) FROM notifications_notification GROUP BY state") == [("sent", NOTIFICATIONS)]
    assert query("SELECT COUNT(*) FROM audit_auditevent WHERE action = 'notification.sent'") == [(NOTIFICATIONS,)]
    # Nothing personal went out: the users are all called Rosalind Featherstonehaugh.
    assert not [raw for raw in handler.raw if b"Rosalind" in raw or b"Featherstonehaugh" in raw]
    verify = subprocess.run(
        [sys.executable, "-m", "safehub.cli", "audit", "verify"], env=env, cwd=REPO, capture_output=True, timeout=60
    )
    assert verify.returncode == 0, verify.stderr


@pytest.mark.parametrize("crash_database", ["sqlite", *(["postgresql"] if ON_POSTGRESQL else [])], indirect=True)
def test_two_dispatchers_running_at_once_never_send_the_same_notification(crash_database, smtp_server):
    database_url, query = crash_database
    controller, handler = smtp_server
    # A long lease: nothing here dies, so no claim may lapse and be taken over.
    env = _environment(database_url, controller.port, lease_seconds=120)
    subprocess.run(
        [sys.executable, "-m", "tests.notifications.crash_seed", str(NOTIFICATIONS)],
        env=env,
        cwd=REPO,
        check=True,
        timeout=60,
    )
    workers = [
        subprocess.Popen(
            [*DISPATCH, "--until-idle", "--batch-size", "5"],
            env=env,
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for worker in workers:
        _, stderr = worker.communicate(timeout=60)
        assert worker.returncode == 0, stderr

    per_message_id = collections.Counter(message["Message-ID"] for message in handler.messages)
    assert len(handler.messages) == NOTIFICATIONS
    assert set(per_message_id.values()) == {1}
    assert query("SELECT COUNT(*) FROM audit_auditevent WHERE action = 'notification.sent'") == [(NOTIFICATIONS,)]
