"""How fast the partnership dashboard, its charts, a records list, the nightly refresh and the
evidence pack are on a seeded demo (run `safehub demo --size large` first, or seed one into
SAFEHUB_DATA_DIR / DATABASE_URL).

    SAFEHUB_DATA_DIR=/path/to/demo uv run python benchmarks/partnership_dashboard.py --repeat 20

Signs in the demo business manager with the test client, then times each page over many
repetitions and prints the median and 95th percentile in milliseconds, the queries each
needs and the page's size; then the nightly refresh of the measures table and one evidence
pack. It prints; it asserts nothing about time.
"""

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path


def _time(label: str, work: Callable[[], object], repeat: int) -> None:
    from django.db import connection, reset_queries

    samples, queries, size = [], 0, 0
    for _ in range(repeat):
        reset_queries()
        started = time.perf_counter()
        result = work()
        samples.append((time.perf_counter() - started) * 1000)
        queries = len(connection.queries)
        size = len(getattr(result, "content", b""))
    samples.sort()
    p95 = samples[max(int(len(samples) * 0.95) - 1, 0)]
    extra = f"   {size / 1024:7.1f} KiB" if size else ""
    print(f"  {label:46} median {statistics.median(samples):8.1f} ms   p95 {p95:8.1f} ms   {queries:3} queries{extra}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ.setdefault("SAFEHUB_DEMO_MODE", "1")
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.DEBUG = True  # count queries
    settings.ALLOWED_HOSTS = ["testserver"]
    from safehub.measures import evidence, services
    from safehub.measures.models import MeasureValue
    from safehub.partnership.models import User
    from safehub.people.models import Person
    from tests.conftest import verify_second_factor

    manager = User.objects.get(username="partnership.manager")
    client = Client()
    client.force_login(manager)
    verify_second_factor(client, manager)
    print(f"{Person.objects.count():,} people; {MeasureValue.objects.count():,} rows in the measures table")
    _time("dashboard (last 12 months)", lambda: client.get("/partnership/dashboard/"), args.repeat)
    _time(
        "dashboard (36 months, one council)",
        lambda: client.get("/partnership/dashboard/?start=2023-12&end=2026-11&la=" + _first_la()),
        args.repeat,
    )
    _time(
        "chart (strategy discussions)",
        lambda: client.get("/partnership/dashboard/charts/meetings-strategy-attendance.svg"),
        args.repeat,
    )
    _time(
        "records list (checks not answered in time)",
        lambda: client.get("/partnership/dashboard/records/hub-checks-in-time/?for=police&part=not_counted"),
        args.repeat,
    )
    started = time.perf_counter()
    rows = services.refresh_measures()
    print(f"  nightly refresh of the measures table: {rows:,} rows in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    pack = evidence.build(services.window(django.utils.timezone.localdate(), 6))
    print(
        f"  evidence pack (6 months): {pack.pages} pages, {len(pack.pdf) / 1024:.0f} KiB PDF, "
        f"{len(pack.archive) / 1024:.0f} KiB ZIP in {time.perf_counter() - started:.1f} s"
    )


def _first_la() -> str:
    from safehub.measures.selectors import councils

    return councils().values_list("la_code", flat=True).first() or ""


if __name__ == "__main__":
    main()
