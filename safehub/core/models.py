"""State that belongs to the system rather than to a safeguarding process."""

from django.db import models


class WorkerHeartbeat(models.Model):
    """When the background worker last ran its heartbeat job (one row)."""

    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Worker seen at {self.seen_at:%Y-%m-%d %H:%M:%S}"
