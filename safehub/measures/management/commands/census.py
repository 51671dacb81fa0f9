"""`safehub census --year 2027 --la CODE [--out DIR]`: the children-in-need census extract of what
SafeHub holds for one council's collection year, as the DfE's XML, checked against the schema
before it is written (`safehub.measures.census`)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from safehub.audit.services import record
from safehub.measures import census, selectors


class Command(BaseCommand):
    help = "Write the children-in-need census extract (DfE XML) for a council's collection year (personal data)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--year",
            type=int,
            default=None,
            help="The collection year, named by the year it ends (2027: April 2026 to March 2027). Default: this one.",
        )
        parser.add_argument("--la", required=True, help="The council's LA code.")
        parser.add_argument("--out", default=".", help="The folder to write the XML to (default: here).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            council = selectors.council_from(options["la"])
        except selectors.FilterError as error:
            raise CommandError(str(error)) from None
        if council is None:
            raise CommandError("Name the council with --la.")
        this_year = census.collection_year(timezone.localdate())
        year = options["year"] or this_year
        if not 2000 <= year <= this_year:
            raise CommandError(f"Choose a collection year from 2000 to {this_year}.")
        folder = Path(options["out"])
        if not folder.is_dir():
            raise CommandError(f"There is no folder at {folder}.")
        try:
            xml = census.build(council, year)
        except census.CensusError as error:
            raise CommandError(str(error)) from None
        problems = census.validate(xml)
        if problems:
            raise CommandError("The extract does not match the schema, so nothing was written:\n" + "\n".join(problems))
        path = folder / f"cin-census-{council.la_code}-{year}.xml"
        path.write_bytes(xml)
        record(
            action="measures.census_made",
            actor_username="safehub census",
            purpose="DfE children-in-need census",
            detail={"la": council.la_code, "year": year},
        )
        self.stdout.write(self.style.SUCCESS(f"Wrote {path}, valid against {census.SCHEMA.name}."))
