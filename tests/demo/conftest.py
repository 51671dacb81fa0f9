import datetime
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import time_machine
from django.db import transaction
from django.test import override_settings

from safehub.demo import seed as demo

# The demo tests' today: a Thursday in term, 10:00 in London.
TODAY = datetime.datetime(2026, 11, 26, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def demo_mode(settings):
    """The demo generator enrols demo authenticators, which only demo mode allows."""
    settings.SAFEHUB_DEMO_MODE = True


@contextmanager
def seeded_once(django_db_blocker, *, at: datetime.datetime = TODAY, **options) -> Iterator[demo.DemoSummary]:
    """Seed the demo once for a module (or a class) of tests that only read it: seeding takes
    seconds, and each test still runs in its own transaction inside this one, rolled back at
    the end, so a test's writes never reach the next."""
    with (
        django_db_blocker.unblock(),
        override_settings(SAFEHUB_DEMO_MODE=True),
        time_machine.travel(at, tick=False),
        transaction.atomic(),
    ):
        yield demo.seed_demo(size="small", **{"seed": 2026, **options})
        transaction.set_rollback(True)
