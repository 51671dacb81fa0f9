"""`safehub audit verify`: check the audit log's hash chain; exit 0 if intact, 1 if not."""

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from safehub.audit.verify import verify_chain


class Command(BaseCommand):
    help = "Audit log tools. `verify` checks that no event was altered, removed, reordered or cut off."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        result = verify_chain()
        if result.ok:
            self.stdout.write(self.style.SUCCESS(f"The audit log is intact: {result.events:,} events verified."))
            return
        self.stderr.write(
            f"The audit log has been tampered with: {result.problem}. "
            f"First bad event: #{result.first_bad_sequence}. {result.events:,} events before it verified."
        )
        sys.exit(1)
