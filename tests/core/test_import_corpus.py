"""The importers' bad-input corpus: for each importer, each kind of broken
file is refused with a clear error naming its line, and nothing is written.

The defects found in use: a field over 128 KiB crashed every importer with a traceback;
duplicate header names, rows with more fields than the header and rows with fewer were
accepted silently (the later duplicate won; a short row stored a school without postcode
or phase); NUL bytes were stored; a semicolon-separated file was told only that columns were
missing; and the DfE's Windows-1252 GIAS download was refused as "not UTF-8"."""

from collections.abc import Callable
from pathlib import Path

import pytest

from safehub.core.imports import ImportFailed
from safehub.dbs.imports import import_dbs_checks
from safehub.dbs.models import LocalCheck
from safehub.encompass.imports import import_incidents
from safehub.encompass.models import Incident
from safehub.hub.imports import import_police_referrals
from safehub.hub.models import Contact
from safehub.missing.imports import import_missing
from safehub.missing.models import Episode
from safehub.partnership.imports import import_schools
from safehub.partnership.models import Organisation
from safehub.timescales.imports import import_term_dates
from safehub.timescales.models import TermDate

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
IMPORTERS: dict[str, tuple[Callable[..., object], Path, Callable[[], int]]] = {
    "schools": (
        import_schools,
        ROOT / "safehub/partnership/examples/schools-example.csv",
        lambda: Organisation.objects.count(),
    ),
    "term-dates": (
        import_term_dates,
        ROOT / "safehub/timescales/examples/term-dates-example.csv",
        lambda: TermDate.objects.count(),
    ),
    "police-referrals": (
        import_police_referrals,
        ROOT / "safehub/hub/examples/police-referrals-example.csv",
        lambda: Contact.objects.count(),
    ),
    "incidents": (
        import_incidents,
        ROOT / "safehub/encompass/examples/incidents-example.csv",
        lambda: Incident.objects.count(),
    ),
    "dbs": (
        import_dbs_checks,
        ROOT / "safehub/dbs/examples/dbs-checks-example.csv",
        lambda: LocalCheck.objects.count(),
    ),
    "missing": (
        import_missing,
        ROOT / "safehub/missing/examples/missing-example.csv",
        lambda: Episode.objects.count(),
    ),
}


def _header_and_row(example: Path) -> tuple[str, str]:
    lines = example.read_text(encoding="utf-8").splitlines()
    # The first data row that is on one line (a quoted field may span lines).
    row = next(line for line in lines[1:] if line.count('"') % 2 == 0)
    return lines[0], row


def _broken(kind: str, header: str, row: str) -> tuple[bytes, int, str]:
    """The file's bytes, the line the error must name, and words it must contain."""
    columns = header.split(",")
    if kind == "huge field":
        return f'{header}\n{row}\n{row},"{"x" * (129 * 1024)}"\n'.encode(), 3, "longer than 128 KiB"
    if kind == "header twice":
        return f"{header},{columns[0]}\n{row},\n".encode(), 1, f"names '{columns[0]}' more than once"
    if kind == "more fields":
        return f"{header}\n{row}\n{row},extra value\n".encode(), 3, "fields but the header row has"
    if kind == "fewer fields":
        short = ",".join(row.split(",")[:3])
        return f"{header}\n{row}\n{short}\n".encode(), 3, "fields but the header row has"
    if kind == "nul byte":
        return f"{header}\n{row}\n{row[:5]}\x00{row[5:]}\n".encode(), 3, "NUL character"
    if kind == "semicolons":
        return f"{header.replace(',', ';')}\n{row.replace(',', ';')}\n".encode(), 1, "semicolon-separated"
    raise AssertionError(kind)


@pytest.mark.parametrize("importer", sorted(IMPORTERS))
@pytest.mark.parametrize(
    "kind", ["huge field", "header twice", "more fields", "fewer fields", "nul byte", "semicolons"]
)
def test_a_broken_file_is_refused_naming_its_line_and_nothing_is_written(tmp_path, importer, kind):
    run, example, count = IMPORTERS[importer]
    header, row = _header_and_row(example)
    data, line, words = _broken(kind, header, row)
    path = tmp_path / f"{importer}.csv"
    path.write_bytes(data)
    before = count()
    with pytest.raises(ImportFailed) as refused:
        run(path)
    [first, *_] = refused.value.errors
    assert first.line == line, refused.value.summary()
    assert words in first.message, refused.value.summary()
    assert "Traceback" not in refused.value.summary()
    assert count() == before


def test_a_utf16_file_is_told_to_save_as_utf8(tmp_path):
    header, row = _header_and_row(IMPORTERS["schools"][1])
    path = tmp_path / "schools.csv"
    path.write_bytes(f"{header}\n{row}\n".encode("utf-16"))
    with pytest.raises(ImportFailed, match="CSV UTF-8"):
        import_schools(path)
