"""How fast the Operation Encompass performance figures are with a busy partnership's year of notices.

    uv run python benchmarks/encompass_measures.py --notices 20000

Seeds a partnership with that many notices over the last twelve months (incidents of one to
three children, most to one of 120 schools, some to the council for a child with no school;
delivered, acknowledged and escalated as real partnerships see them) into a throw-away SQLite
file (or DATABASE_URL, which must name an empty database). Then times the page's figures
(`safehub.encompass.measures.encompass_figures`) for the partnership and for one school, and
one records list, over many repetitions, and prints the median and 95th percentile in
milliseconds with query counts. It prints; it asserts nothing about time.
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

SCHOOLS = 120


def _time(label: str, work: Callable[[], object], repeat: int) -> None:
    from django.db import connection, reset_queries

    samples = []
    queries = 0
    for _ in range(repeat):
        reset_queries()
        started = time.perf_counter()
        work()
        samples.append((time.perf_counter() - started) * 1000)
        queries = len(connection.queries)
    samples.sort()
    p95 = samples[max(int(len(samples) * 0.95) - 1, 0)]
    print(f"  {label:44} median {statistics.median(samples):8.2f} ms   p95 {p95:8.2f} ms   {queries} queries")


def _seed(count: int, rng: random.Random) -> None:
    """About `count` notices over the last twelve months, with their incidents and children."""
    from django.utils import timezone

    from safehub.encompass.models import Incident, IncidentChild, NoSchoolReason, Notice, RecipientKind
    from safehub.partnership.models import Organisation, OrganisationKind, Partnership, Team

    partnership = Partnership.objects.create(name="Benchmark Safeguarding Children Partnership")
    council = Organisation.objects.create(
        partnership=partnership, kind=OrganisationKind.LOCAL_AUTHORITY, name="Benchmark Council", la_code="995"
    )
    force = Organisation.objects.create(
        partnership=partnership, kind=OrganisationKind.POLICE_FORCE, name="Benchmark Police"
    )
    education = Team.objects.create(organisation=council, name="Education Safeguarding Team")
    schools = Organisation.objects.bulk_create(
        Organisation(
            partnership=partnership,
            kind=OrganisationKind.SCHOOL,
            name=f"School {number:03d}",
            urn=995000 + number,
            local_authority=council,
        )
        for number in range(SCHOOLS)
    )
    now = timezone.now()
    incidents: list[Incident] = []
    sizes: list[int] = []
    made = 0
    while made < count:
        occurred_at = now - datetime.timedelta(minutes=rng.randrange(60, 365 * 24 * 60))
        number = len(incidents) + 1
        incidents.append(
            Incident(
                reference=f"DA-B-{number:06d}",
                force=force,
                local_authority=council,
                police_reference=f"BP-{number:07d}",
                occurred_at=occurred_at,
                recorded_at=occurred_at + datetime.timedelta(minutes=rng.choice([10, 30, 90, 240, 900])),
                location="A street in the benchmark",
                circumstances="Benchmark incident.",
            )
        )
        sizes.append(min(rng.choice([1, 1, 1, 2, 2, 3]), count - made))
        made += sizes[-1]
    incidents = Incident.objects.bulk_create(incidents, batch_size=2000)
    children = [
        IncidentChild(incident=incident, given_names="Child", family_name="Benchmark", present=rng.random() < 0.6)
        for incident, size in zip(incidents, sizes, strict=True)
        for _ in range(size)
    ]
    children = IncidentChild.objects.bulk_create(children, batch_size=2000)
    reasons = list(NoSchoolReason.values)
    notices = []
    numbers: dict[int, int] = {}
    for child in children:
        incident = child.incident
        numbers[incident.pk] = numbers.get(incident.pk, 0) + 1
        to_school = rng.random() < 0.93
        # Due the next morning, or after a weekend or holiday.
        due_at = (incident.recorded_at + datetime.timedelta(days=rng.choice([1, 1, 1, 1, 3, 10]))).replace(
            hour=7, minute=45, second=0, microsecond=0
        )
        delivered_at = incident.recorded_at if rng.random() < 0.98 else None
        if delivered_at is not None and rng.random() < 0.03:
            delivered_at = due_at + datetime.timedelta(minutes=rng.randrange(1, 300))  # a late one
        acknowledge_by = due_at + datetime.timedelta(hours=1, minutes=15)
        acknowledged_at = None
        if delivered_at is not None and rng.random() < 0.9:
            acknowledged_at = due_at + datetime.timedelta(minutes=rng.randrange(-600, 300))
        escalated_at = acknowledge_by if acknowledged_at is None or acknowledged_at > acknowledge_by else None
        notices.append(
            Notice(
                reference=f"{incident.reference}-{numbers[incident.pk]}",
                incident=incident,
                child=child,
                recipient_kind=RecipientKind.SCHOOL if to_school else RecipientKind.LOCAL_AUTHORITY,
                organisation=rng.choice(schools) if to_school else council,
                team=None if to_school else education,
                no_school_reason="" if to_school else rng.choice(reasons),
                created_at=incident.recorded_at,
                due_at=due_at,
                delivered_at=delivered_at,
                acknowledge_by=acknowledge_by,
                acknowledged_at=acknowledged_at,
                escalated_at=escalated_at,
            )
        )
    Notice.objects.bulk_create(notices, batch_size=2000)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--notices", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    with tempfile.TemporaryDirectory(prefix="safehub-bench-") as data_dir:
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
        os.environ["SAFEHUB_DATA_DIR"] = data_dir
        import django

        django.setup()
        from django.core.management import call_command
        from django.core.paginator import Paginator
        from django.db import connection
        from django.utils import timezone

        from safehub.encompass import measures
        from safehub.encompass.models import Notice
        from safehub.partnership.models import User

        call_command("migrate", verbosity=0, interactive=False)
        started = time.perf_counter()
        _seed(args.notices, random.Random(args.seed))
        seeded = time.perf_counter() - started
        connection.force_debug_cursor = True  # count queries outside DEBUG
        print(
            f"Operation Encompass figures on {connection.vendor}: {Notice.objects.count():,} notices "
            f"to {SCHOOLS} schools and the council (seeded in {seeded:.1f} s)"
        )
        period = measures.default_period(timezone.localdate())
        school = measures.schools_notified().first()
        viewer = User.objects.create(username="bench.analyst")

        _time("the page's figures (12 months)", lambda: measures.encompass_figures(period), args.repeat)
        _time(
            "one school's figures (12 months)", lambda: measures.encompass_figures(period, school=school), args.repeat
        )

        def late_notices() -> object:
            page = Paginator(measures.notices_behind(period, "late"), 50).get_page(1)
            return measures.describe(viewer, list(page.object_list))

        _time("records: notices delivered late (page 1)", late_notices, args.repeat)
        total = measures.encompass_figures(period).total
        print(
            f"  {total.sent:,} sent, {total.percent_on_time}% before the school day, "
            f"{total.percent_acknowledged}% acknowledged ({total.percent_acknowledged_in_time}% in time), "
            f"median incident to delivery {total.median_text}, {total.no_school:,} with no school found"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
