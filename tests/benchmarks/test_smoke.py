"""A small run of the benchmarks CI can afford: each still runs and prints its figures. The
full runs (and their figures in the README) are made outside CI."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(script: str, *args: str) -> str:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}  # its own SQLite file
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_matching_quality_prints_its_figures_and_links_no_absent_person():
    out = _run("matching_quality.py", "--people", "3000", "--queries", "300", "--splink-online", "5")
    assert re.search(r"automatic link\s+precision 1\.0000\s+recall 0\.\d{4}\s+F1 0\.\d{4}", out), out
    assert "recall@10" in out
    assert re.search(r"absent people wrongly linked: 0 of \d+", out), out
    assert "present people linked to someone else: 0" in out
    assert "full details" in out
    # Splink beside it, on the same queries.
    assert re.search(r"Splink 5\.\d+\.\d+ \(trained on the index and the queries", out), out
    figures = r"precision [01]\.\d{4}\s+recall [01]\.\d{4}\s+F1 [01]\.\d{4}"
    assert re.search(r"link at probability 0\.99: " + figures, out), out
    assert re.search(r"online, one query at a time \(5\): median [\d.]+ ms", out), out
