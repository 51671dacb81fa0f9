"""`safehub people train-model` and `safehub people find-duplicates`: the batch deduplication.

`train-model` learns a new version of the match model from the index; `find-duplicates`
scores the whole index with the newest version and fills the review queue (a records
officer decides each pair at /people/duplicates/). `find-duplicates --train` does both;
`--engine spark` compares on Spark (README, "Deduplicating a region on Spark").
Nothing merges itself. Only counts are printed: no names, no record keys.
"""

import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandParser

from safehub.people import duplicates


class Command(BaseCommand):
    help = "People tools: `train-model` (the match model) and `find-duplicates` (fill the review queue)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["train-model", "find-duplicates"])
        parser.add_argument("--train", action="store_true", help="Train a new model version first.")
        parser.add_argument(
            "--engine",
            choices=duplicates.ENGINES,
            default="duckdb",
            help="Where the records are compared: duckdb (embedded, the default) or spark (SAFEHUB_SPARK_MASTER; "
            "needs the spark extra and Java 17).",
        )

    def _progress(self, stage: str, done: int, total: int) -> None:
        self.stderr.write(f"\r  {stage}: {done:,} of {total:,}    ", ending="")
        if done >= total:
            self.stderr.write("")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "train-model" or options["train"]:
                model = duplicates.train_model(progress=self._progress)
                self.stdout.write(
                    f"Match model version {model.version} trained on {model.records:,} records "
                    f"(Splink {model.splink_version}); its threshold is a match weight of {model.threshold:g}."
                )
            if options["action"] == "find-duplicates":
                result = duplicates.find_duplicates(progress=self._progress, engine=options["engine"])
                self.stdout.write(
                    f"Compared {result.records:,} records with model version {result.model.version}: "
                    f"{result.pairs:,} pairs kept, {result.new:,} new; {result.to_review:,} at or above the "
                    f"threshold; {result.already_decided:,} found again were already decided and stay so."
                )
        except ValidationError as error:
            self.stderr.write(error.messages[0])
            sys.exit(1)
