"""CSV injection (OWASP): a text cell a spreadsheet would run as a formula is neutralised."""

import csv
import datetime
import io

from safehub.core.spreadsheets import csv_text, safe_cell


def test_formula_like_text_gets_an_apostrophe_and_nothing_else_changes():
    for typed in ("=1+2", "+44 7700", "-2+3", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x")'):
        assert safe_cell(typed) == "'" + typed
    assert safe_cell("Board minutes, 12 May") == "Board minutes, 12 May"
    assert safe_cell(-5) == -5
    assert safe_cell(datetime.date(2026, 3, 1)) == "2026-03-01"
    assert safe_cell(None) == ""


def test_a_csv_reads_back_with_every_cell_inert():
    text = csv_text(["reference", "note"], [["CP-1", "=cmd|' /C calc'!A0"], ["CP-2", "fine"]])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["reference", "note"], ["CP-1", "'=cmd|' /C calc'!A0"], ["CP-2", "fine"]]
