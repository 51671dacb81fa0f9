"""Operation Encompass notices under crashes: real incidents recorded through `record_incident`
for children at a dozen schools, then the dispatcher run as its own process and killed with
SIGKILL at random points, restarted each time, until everything is sent. Every notice's email
must reach each of the school's Key Adults exactly once by Message-ID (each kill may cause at
most one raw duplicate, with the same Message-ID); the same incident sent again with its key
notifies no one again; and no email carries a name, the place or what the child said.

Runs on a SQLite file, and also on PostgreSQL when the suite runs there (DATABASE_URL), with
the crash test's own database, SMTP server and dispatcher (tests/notifications/test_outbox_crash.py).
"""

import collections
import contextlib
import json
import random
import signal
import subprocess
import sys

import pytest

from safehub.notifications.channels import message_id_for
from tests.notifications.test_outbox_crash import (  # noqa: F401 (fixtures used by name)
    DISPATCH,
    ON_POSTGRESQL,
    REPO,
    _environment,
    crash_database,
    smtp_server,
)

CHILDREN = 60
KILLS = 5
SEED = [sys.executable, "-m", "tests.notifications.encompass_crash_seed"]
PERSONAL = (b"Peregrine", b"Wetherington", b"Quillfeather", b"Ottoline", b"Barnaby", b"Rosalind", b"Featherstone")


def _seed(env: dict[str, str], argument: str) -> dict[str, object]:
    done = subprocess.run([*SEED, argument], env=env, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.parametrize("crash_database", ["sqlite", *(["postgresql"] if ON_POSTGRESQL else [])], indirect=True)
def test_every_encompass_notice_email_reaches_each_key_adult_exactly_once_by_message_id_despite_sigkills(
    crash_database,  # noqa: F811
    smtp_server,  # noqa: F811
):
    database_url, query = crash_database
    controller, handler = smtp_server
    env = _environment(database_url, controller.port)
    expected = _seed(env, str(CHILDREN))["emails"]
    assert isinstance(expected, list)
    expected_ids = {
        message_id_for(key=f"encompass.notice:notice-{notice}:v1:user-{user}", channel="email")
        for notice, user in expected
    }
    assert len(expected_ids) == len(expected) > CHILDREN
    seed = random.randrange(1_000_000)
    rng = random.Random(seed)

    kills = 0
    for _ in range(KILLS):
        worker = subprocess.Popen(
            [*DISPATCH, "--batch-size", str(rng.randint(1, 10))],
            env=env,
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        if rng.random() < 0.5:
            # Just after the server accepted a message, before the worker can mark it sent.
            target = handler.count() + rng.randint(1, 15)
            with handler.arrived:
                handler.arrived.wait_for(lambda target=target: len(handler.messages) >= target, timeout=20)
        else:
            with contextlib.suppress(subprocess.TimeoutExpired):
                worker.wait(timeout=rng.uniform(0.3, 2.0))
        worker.send_signal(signal.SIGKILL)
        _, stderr = worker.communicate(timeout=10)
        assert worker.returncode == -signal.SIGKILL, f"the dispatcher stopped by itself (seed {seed}): {stderr!r}"
        kills += 1

    # The force's system sends the first incident again, with its key, before the last run.
    assert _seed(env, "--again")["created"] is False
    final = subprocess.run([*DISPATCH, "--until-idle"], env=env, cwd=REPO, capture_output=True, timeout=60)
    assert final.returncode == 0, final.stderr

    per_message_id = collections.Counter(message["Message-ID"] for message in handler.messages)
    duplicates = sum(count - 1 for count in per_message_id.values())
    print(f"\n{len(handler.messages)} raw deliveries, {duplicates} duplicates after {kills} kills (seed {seed})")
    assert set(per_message_id) == expected_ids, f"seed {seed}"
    assert len(handler.messages) - duplicates == len(expected)
    assert duplicates <= kills, f"seed {seed}"
    assert all(message["Subject"].startswith("Operation Encompass notice DA-") for message in handler.messages)
    assert not [raw for raw in handler.raw if any(word in raw for word in PERSONAL)]
    # One incident per police reference, one notice per child, and every row (inbox and email) sent once.
    assert query("SELECT COUNT(*) FROM encompass_incident") == [(CHILDREN // 3,)]
    assert query("SELECT COUNT(*) FROM encompass_notice") == [(CHILDREN,)]
    assert query("SELECT state, COUNT(*) FROM notifications_notification GROUP BY state") == [
        ("sent", 2 * len(expected))
    ]
    verify = subprocess.run(
        [sys.executable, "-m", "safehub.cli", "audit", "verify"], env=env, cwd=REPO, capture_output=True, timeout=60
    )
    assert verify.returncode == 0, verify.stderr
