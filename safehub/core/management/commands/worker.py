"""`safehub worker`: the background worker (django-q2 with its database broker).

Jobs wait in the database until a worker acknowledges them, so a worker that crashes
mid-job loses nothing: the job is handed out again after the `retry` interval.
"""

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from safehub.core.services import ensure_schedules, record_worker_heartbeat


class Command(BaseCommand):
    help = "Run the background worker that sends notifications and runs scheduled jobs."

    def handle(self, *args: Any, **options: Any) -> None:
        ensure_schedules()
        record_worker_heartbeat()  # the status page shows the worker at once, then every minute
        self.stdout.write("SafeHub worker starting. Stop it with Ctrl-C.")
        call_command("qcluster")
