"""How fast finding the child is on the demo partnership (safehub.people.matching).

    uv run python benchmarks/matching.py --size medium
    uv run python benchmarks/matching.py --size large

Seeds the demo partnership into a throw-away SQLite file (or DATABASE_URL, which must name
an empty database), then times typical front-door queries (as typed by a practitioner, with
the usual slips) over many repetitions and prints the median and 95th percentile in
milliseconds, with query counts and how many candidates came back.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def _time(label: str, work: Callable[[], list[object]], repeat: int) -> None:
    from django.db import connection, reset_queries

    samples = []
    queries = found = 0
    for _ in range(repeat):
        reset_queries()
        started = time.perf_counter()
        found = len(work())
        samples.append((time.perf_counter() - started) * 1000)
        queries = len(connection.queries)
    samples.sort()
    p95 = samples[max(int(len(samples) * 0.95) - 1, 0)]
    print(
        f"  {label:46} median {statistics.median(samples):7.2f} ms   p95 {p95:7.2f} ms"
        f"   {queries} queries   {found} candidates"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--size", choices=["small", "medium", "large"], default="medium")
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    with tempfile.TemporaryDirectory(prefix="safehub-bench-") as data_dir:
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
        os.environ["SAFEHUB_DATA_DIR"] = data_dir
        os.environ.setdefault("SAFEHUB_DEMO_MODE", "1")  # the demo users enrol a demo authenticator
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from safehub.demo.seed import seed_demo
        from safehub.partnership.models import User
        from safehub.people.matching import find_candidates
        from safehub.people.models import Identifier, IdentifierScheme, Person, PersonKind

        call_command("migrate", verbosity=0, interactive=False)
        seed_demo(size=args.size, seed=2026)
        connection.force_debug_cursor = True  # count queries outside DEBUG

        user = User.objects.get(username="police.officer")
        child = Person.objects.filter(kind=PersonKind.CHILD, date_of_birth__day__lte=12).order_by("pk")[1234]
        given = child.given_names.split()[0]
        family = child.family_name
        dob = child.date_of_birth
        assert dob is not None
        swapped = dob.replace(day=dob.month, month=dob.day) if dob.day != dob.month else dob
        nhs = Identifier.objects.filter(person=child, scheme=IdentifierScheme.NHS_NUMBER).values_list(
            "value", flat=True
        )
        postcode = child.addresses.first().address.postcode  # type: ignore[union-attr]
        slip = family[:2] + family[3:] if len(family) > 4 else family + "e"
        print(f"Finding the child on the {args.size} demo ({Person.objects.count():,} people), {connection.vendor}")

        def run(**terms: object) -> Callable[[], list[object]]:
            return lambda: list(find_candidates(user=user, **terms))  # type: ignore[arg-type]

        _time("full name and date of birth", run(given_names=given, family_name=family, date_of_birth=dob), args.repeat)
        _time("day and month swapped", run(given_names=given, family_name=family, date_of_birth=swapped), args.repeat)
        _time(
            "misspelt family name and date of birth",
            run(given_names=given, family_name=slip, date_of_birth=dob),
            args.repeat,
        )
        _time("full name only", run(given_names=given, family_name=family), args.repeat)
        _time("family name and postcode", run(family_name=family, postcode=postcode), args.repeat)
        _time("NHS number only", run(nhs_number=nhs[0]), args.repeat)
        _time(
            "everything typed",
            run(given_names=given, family_name=family, date_of_birth=dob, nhs_number=nhs[0], postcode=postcode),
            args.repeat,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
