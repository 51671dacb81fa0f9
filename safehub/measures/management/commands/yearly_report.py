"""`safehub yearly-report --from 2025-04 --to 2026-03 [--out DIR]`: a draft of the partners'
yearly report as Markdown, with the year's figures and commitments (`safehub.measures.yearly_report`)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from safehub.hub.measures import PeriodError, period_from
from safehub.measures import yearly_report


class Command(BaseCommand):
    help = "Write a draft of the safeguarding partners' yearly report (Markdown) with the year's figures."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", required=True, help="The first month, YYYY-MM.")
        parser.add_argument("--to", dest="end", required=True, help="The last month, YYYY-MM.")
        parser.add_argument("--out", default=".", help="The folder to write it to (default: here).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            period = period_from(options["start"], options["end"], today=timezone.localdate())
        except PeriodError as error:
            raise CommandError(str(error)) from None
        folder = Path(options["out"])
        if not folder.is_dir():
            raise CommandError(f"There is no folder at {folder}.")
        path = folder / f"yearly-report-{period.first:%Y-%m}-to-{period.last:%Y-%m}.md"
        path.write_text(yearly_report.draft(period), encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"Wrote {path}: a draft to edit."))
