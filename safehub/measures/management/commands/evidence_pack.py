"""`safehub evidence-pack --from 2026-06 --to 2026-11 [--la CODE] [--out DIR]`: the inspection
evidence pack for a period as a PDF and a ZIP of CSVs (`safehub.measures.evidence`)."""

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from safehub.audit.services import record
from safehub.hub.measures import PeriodError, period_from
from safehub.measures import evidence, selectors


class Command(BaseCommand):
    help = "Write the inspection evidence pack for a period: a PDF and a ZIP of CSVs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", required=True, help="The first month, YYYY-MM.")
        parser.add_argument("--to", dest="end", required=True, help="The last month, YYYY-MM.")
        parser.add_argument("--la", default="", help="A council's LA code; the whole partnership if left out.")
        parser.add_argument("--out", default=".", help="The folder to write the two files to (default: here).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            period = period_from(options["start"], options["end"], today=timezone.localdate())
            council = selectors.council_from(options["la"])
        except (PeriodError, selectors.FilterError) as error:
            raise CommandError(str(error)) from None
        folder = Path(options["out"])
        if not folder.is_dir():
            raise CommandError(f"There is no folder at {folder}.")
        show = options["verbosity"] > 0
        live = show and sys.stderr.isatty()

        def progress(done: int, total: int, stage: str) -> None:
            if not show:
                return
            filled = round(30 * done / total)
            line = f"  [{'#' * filled}{'.' * (30 - filled)}] {done}/{total} {stage}"
            self.stderr.write(line, ending="\n" if done == total or not live else "\r")

        pack = evidence.build(period, council=council, progress=progress)
        pdf, archive = folder / f"{pack.stem}.pdf", folder / f"{pack.stem}.zip"
        pdf.write_bytes(pack.pdf)
        archive.write_bytes(pack.archive)
        record(
            action="measures.evidence_pack_made",
            actor_username="safehub evidence-pack",
            detail={"start": f"{period.first:%Y-%m}", "end": f"{period.last:%Y-%m}", "la": options["la"]},
        )
        self.stdout.write(self.style.SUCCESS(f"Wrote {pdf} ({pack.pages} pages) and {archive}."))
