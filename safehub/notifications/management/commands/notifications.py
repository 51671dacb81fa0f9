"""`safehub notifications dispatch`: send due notifications now, once or in a loop.

The worker already runs the dispatcher every minute; this is for operators (and for the
crash test, which kills it at random points). Any number may run at once.
"""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from safehub.notifications.selectors import outstanding_count
from safehub.notifications.services import BATCH_SIZE, dispatch_due


class Command(BaseCommand):
    help = "Notification tools. `dispatch` sends the notifications that are due."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["dispatch"])
        parser.add_argument("--loop", action="store_true", help="Keep sending until stopped (Ctrl-C).")
        parser.add_argument(
            "--until-idle",
            action="store_true",
            help="With --loop: stop once nothing is due and nothing is waiting for a lapsed claim.",
        )
        parser.add_argument("--interval", type=float, default=5.0, help="Seconds to wait when nothing is due.")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help="Rows claimed at a time.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            while True:
                result = dispatch_due(batch_size=options["batch_size"])
                if result.claimed or options["verbosity"] > 1:
                    self.stdout.write(
                        f"Notifications: {result.sent} sent, {result.retrying} to retry, {result.failed} failed."
                    )
                if not options["loop"]:
                    return
                if options["until_idle"] and outstanding_count() == 0:
                    return
                if not result.claimed:
                    time.sleep(options["interval"])
        except KeyboardInterrupt:
            return
