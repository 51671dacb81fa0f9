"""`safehub annex-a --from 2026-06 --to 2026-11 --la CODE [--out DIR]`: Ofsted's Annex A lists
that SafeHub can fill, for one council, as CSV files in a ZIP (`safehub.measures.annex_a`)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from safehub.audit.services import record
from safehub.hub.measures import PeriodError, period_from
from safehub.measures import annex_a, selectors


class Command(BaseCommand):
    help = "Write Ofsted's Annex A lists for a council and a period: CSV files in a ZIP (personal data)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", required=True, help="The first month, YYYY-MM.")
        parser.add_argument("--to", dest="end", required=True, help="The last month, YYYY-MM.")
        parser.add_argument("--la", required=True, help="The council's LA code: Annex A is one council's.")
        parser.add_argument("--out", default=".", help="The folder to write the ZIP to (default: here).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            period = period_from(options["start"], options["end"], today=timezone.localdate())
            council = selectors.council_from(options["la"])
        except (PeriodError, selectors.FilterError) as error:
            raise CommandError(str(error)) from None
        if council is None:
            raise CommandError("Name the council with --la: Annex A is one council's lists.")
        folder = Path(options["out"])
        if not folder.is_dir():
            raise CommandError(f"There is no folder at {folder}.")
        lists = annex_a.build(council, period)
        path = folder / f"annex-a-{council.la_code or council.pk}-{period.first:%Y-%m}-to-{period.last:%Y-%m}.zip"
        path.write_bytes(lists.archive())
        record(
            action="measures.annex_a_made",
            actor_username="safehub annex-a",
            purpose="inspection: Ofsted Annex A",
            detail={"la": council.la_code, "start": f"{period.first:%Y-%m}", "end": f"{period.last:%Y-%m}"},
        )
        counts = ", ".join(
            f"{name.removesuffix('.csv')}: {text.count(chr(10)) - 1}"
            for name, text in lists.files.items()
            if name.endswith(".csv")
        )
        self.stdout.write(self.style.SUCCESS(f"Wrote {path} ({counts})."))
