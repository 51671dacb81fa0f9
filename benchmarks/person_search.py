"""How fast practitioners' person searches and person pages are on the demo partnership.

    uv run python benchmarks/person_search.py --size medium

Seeds the demo partnership into a throw-away SQLite file (or DATABASE_URL, which must name
an empty database), then times each kind of search and the person page's reads over many
repetitions and prints the median and 95th percentile in milliseconds, with query counts.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


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
    p95 = samples[int(len(samples) * 0.95) - 1]
    print(f"  {label:42} median {statistics.median(samples):7.2f} ms   p95 {p95:7.2f} ms   {queries} queries")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--size", choices=["small", "medium", "large"], default="medium")
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    with tempfile.TemporaryDirectory(prefix="safehub-bench-") as data_dir:
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
        os.environ["SAFEHUB_DATA_DIR"] = data_dir
        os.environ["SAFEHUB_DEMO_MODE"] = "1"  # the demo enrols demo authenticators
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from safehub.demo.seed import seed_demo
        from safehub.partnership.models import User
        from safehub.people import selectors
        from safehub.people.models import Identifier, IdentifierScheme, Person, PersonKind

        call_command("migrate", verbosity=0, interactive=False)
        seed_demo(size=args.size, seed=2026)
        connection.force_debug_cursor = True  # count queries outside DEBUG

        user = User.objects.get(username="social.worker")
        dsl = User.objects.get(username="school.dsl")
        child = Person.objects.filter(kind=PersonKind.CHILD).order_by("pk")[1234]
        nhs = Identifier.objects.filter(scheme=IdentifierScheme.NHS_NUMBER).values_list("value", flat=True)[4321]
        postcode = child.addresses.first().address.postcode  # type: ignore[union-attr]
        print(f"Person search on the {args.size} demo ({Person.objects.count():,} people), {connection.vendor}")

        def run(search: selectors.PersonSearch) -> Callable[[], object]:
            return lambda: list(selectors.search_people(user=user, search=search)[:25])

        _time("surname prefix", run(selectors.PersonSearch(name=child.family_name[:4])), args.repeat)
        _time("given + family name", run(selectors.PersonSearch(name=child.full_name)), args.repeat)
        _time("date of birth", run(selectors.PersonSearch(date_of_birth=child.date_of_birth)), args.repeat)
        _time("NHS number", run(selectors.PersonSearch(identifier=nhs)), args.repeat)
        _time("postcode", run(selectors.PersonSearch(postcode=postcode)), args.repeat)

        def person_page() -> object:
            person = selectors.get_person(user=user, pk=child.pk)
            return (
                list(person.identifiers.all()),
                selectors.household_of(user=user, person=person),
                list(selectors.chronology_for(user=user, person=person)[:50]),
            )

        _time("person page reads", person_page, args.repeat)
        _time("school roll, first page (DSL)", lambda: list(selectors.school_roll(user=dsl)[:25]), args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
