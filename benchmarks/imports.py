"""How fast the importers are, and how long another writer waits meanwhile (safehub.core.imports).

    uv run python benchmarks/imports.py --rows 2000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/EMPTY_DB uv run python benchmarks/imports.py

Seeds the small demo partnership into a throw-away SQLite file (or DATABASE_URL, which must
name an empty database), writes a schools file and a police referrals file of `--rows` rows
about the demo's children, and imports each through `safehub import` in a subprocess while
this process writes to the same database (as a sign-in would) every 50 ms. Prints rows per
second for each importer and the longest and median wait of the other writer.
"""

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _schools(path: Path, rows: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(
            [
                "URN",
                "EstablishmentName",
                "LA (code)",
                "LA (name)",
                "TypeOfEstablishment (name)",
                "PhaseOfEducation (name)",
                "Postcode",
                "EstablishmentStatus (name)",
            ]
        )
        for n in range(rows):
            out.writerow(
                [800000 + n, f"Bench School {n}", "990", "Riverside", "Community school", "Primary", "RV1 2AB", "Open"]
            )


def _referrals(path: Path, rows: int) -> None:
    from safehub.hub.imports import COLUMNS
    from safehub.people.models import Person, PersonKind

    children = list(
        Person.objects.filter(kind=PersonKind.CHILD).values_list("given_names", "family_name", "date_of_birth")[:rows]
    )
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(COLUMNS)
        for n in range(rows):
            given, family, born = children[n % len(children)]
            out.writerow(
                [
                    f"BENCH-{n}",
                    "2026-11-20 22:40",
                    "PC Dale",
                    "dale@police.example",
                    given,
                    family,
                    born.isoformat() if born else "",
                    "",
                    "",
                    "",
                    "Domestic incident; child present.",
                    "no",
                    "not sought",
                ]
            )


def _measure(kind: str, path: Path, rows: int, env: dict[str, str], sqlite_file: Path | None) -> None:
    import sqlite3

    started = time.perf_counter()
    importing = subprocess.Popen(  # noqa: S603 (this Python, SafeHub's own command, a file this script wrote)
        [sys.executable, "-m", "safehub.cli", "import", kind, str(path)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    waits: list[float] = []
    failures = 0
    if sqlite_file is not None:
        other = sqlite3.connect(sqlite_file, timeout=30, isolation_level=None)
        n = 0
        while importing.poll() is None:
            begun = time.perf_counter()
            try:
                other.execute("BEGIN IMMEDIATE")
                other.execute(
                    "INSERT INTO django_session (session_key, session_data, expire_date) VALUES (?, 'x', '2030-01-01')",
                    (f"bench-{kind}-{n}",),
                )
                other.execute("COMMIT")
            except sqlite3.OperationalError:
                failures += 1
            waits.append(time.perf_counter() - begun)
            n += 1
            time.sleep(0.05)
        other.close()
    _, err = importing.communicate()
    elapsed = time.perf_counter() - started
    if importing.returncode != 0:
        print(f"  {kind}: failed\n{err}")
        return
    line = f"  {kind:18} {rows:6d} rows in {elapsed:7.1f} s = {rows / elapsed:7.1f} rows/s"
    if waits:
        line += (
            f"   other writer: {len(waits)} writes, median wait {statistics.median(waits) * 1000:.0f} ms,"
            f" longest {max(waits) * 1000:.0f} ms, {failures} failed"
        )
    print(line)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory(prefix="safehub-bench-") as data_dir:
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
        os.environ["SAFEHUB_DATA_DIR"] = data_dir
        os.environ.setdefault("SAFEHUB_DEMO_MODE", "1")
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from safehub.demo.seed import seed_demo

        call_command("migrate", verbosity=0)
        seed_demo(size="small", seed=2026)
        sqlite_file = Path(connection.settings_dict["NAME"]) if connection.vendor == "sqlite" else None
        connection.close()
        env = {**os.environ}
        print(f"Imports on {connection.vendor}, small demo partnership:")
        schools, referrals = Path(data_dir) / "schools.csv", Path(data_dir) / "referrals.csv"
        _schools(schools, args.rows)
        _referrals(referrals, args.rows)
        connection.close()
        _measure("schools", schools, args.rows, env, sqlite_file)
        _measure("police-referrals", referrals, args.rows, env, sqlite_file)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
