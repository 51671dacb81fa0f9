"""How long the demo partnership takes to generate, how many rows it writes, and the peak memory.

    uv run python benchmarks/demo_seed.py --size medium

Runs on the production settings' SQLite file database in a throw-away directory (or on
DATABASE_URL if set, which must name an empty database), migrates, seeds and prints.
"""

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=["small", "medium", "large"], default="medium")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    with tempfile.TemporaryDirectory(prefix="safehub-bench-") as data_dir:
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
        os.environ["SAFEHUB_DATA_DIR"] = data_dir
        os.environ["SAFEHUB_DEMO_MODE"] = "1"  # the demo enrols demo authenticators
        import django

        django.setup()
        from django.apps import apps
        from django.core.management import call_command
        from django.db import connection

        from safehub.demo.seed import seed_demo

        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        migrated = time.perf_counter()
        stage_times: dict[str, float] = {}

        def progress(stage: str, done: int, total: int) -> None:
            stage_times[stage] = time.perf_counter()

        summary = seed_demo(size=args.size, seed=args.seed, progress=progress)
        seeded = time.perf_counter()

        print(f"Demo seed, size {args.size}, seed {args.seed}, on {connection.vendor}")
        print(f"  migrate: {migrated - started:6.1f} s")
        print(f"  seed:    {seeded - migrated:6.1f} s")
        previous = migrated
        for stage, finished in stage_times.items():
            print(f"    {stage:28} {finished - previous:6.1f} s")
            previous = finished
        peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
        print(f"  peak memory (max RSS): {peak_kib / 1024:.0f} MiB")
        print("Rows per table:")
        total = 0
        for label in ("partnership", "people", "timescales"):
            for model in apps.get_app_config(label).get_models():
                rows = model.objects.count()
                total += rows
                print(f"  {model._meta.db_table:32} {rows:>9,}")
        print(f"  {'total':32} {total:>9,}")
        print("Summary counts: " + ", ".join(f"{n:,} {name}" for name, n in summary.counts.items()))
        connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
