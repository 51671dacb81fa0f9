"""`safehub import KIND FILE.csv`: the front to every CSV import in SafeHub."""

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.module_loading import import_string

from safehub.audit.services import record
from safehub.core.imports import ImportFailed, ImportResult

# Each kind names a function `(path, *, progress) -> ImportResult`.
IMPORTERS = {
    "schools": "safehub.partnership.imports.import_schools",
    "term-dates": "safehub.timescales.imports.import_term_dates",
    "police-referrals": "safehub.hub.imports.import_police_referrals",
    "incidents": "safehub.encompass.imports.import_incidents",
    "missing": "safehub.missing.imports.import_missing",
    "dbs": "safehub.dbs.imports.import_dbs_checks",
}


class Command(BaseCommand):
    help = "Import a CSV file. Nothing is written unless every row is valid."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(IMPORTERS), help="What the file holds.")
        parser.add_argument("file", help="Path to the CSV file (UTF-8).")

    def handle(self, *args: Any, **options: Any) -> None:
        importer = import_string(IMPORTERS[options["kind"]])
        show_progress = options["verbosity"] > 0 and sys.stderr.isatty()

        def progress(done: int, total: int, stage: str) -> None:
            if options["verbosity"] > 0 and total >= 1000:
                end = "\n" if done == total or not show_progress else "\r"
                self.stderr.write(f"  {done:,} of {total:,} rows {stage}", ending=end)

        try:
            # Not one transaction around the import: run_import keeps its own short, so that
            # the web app works while a large file is imported (safehub.core.imports).
            result: ImportResult = importer(options["file"], progress=progress)
            record(
                action="data.imported",
                actor_username="safehub import",
                object_type=options["kind"],
                detail={
                    "file": Path(options["file"]).name,
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                },
            )
        except FileNotFoundError as error:
            raise CommandError(f"There is no file at {error.filename}.") from error
        except ImportFailed as error:
            raise CommandError(f"The {options['kind']} file was rejected.\n{error.summary()}") from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {result.rows:,} rows: {result.created:,} new, {result.updated:,} updated, "
                f"{result.unchanged:,} unchanged."
            )
        )
        for note in result.notes:
            self.stdout.write(note)
