"""Writes that belong to the system itself rather than to a safeguarding process."""

from django.db import transaction
from django.utils import timezone

from safehub.core.models import WorkerHeartbeat

HEARTBEAT_SCHEDULE_NAME = "Worker heartbeat"
NOTIFICATIONS_SCHEDULE_NAME = "Send due notifications"


@transaction.atomic
def record_worker_heartbeat() -> WorkerHeartbeat:
    heartbeat, _ = WorkerHeartbeat.objects.update_or_create(pk=1, defaults={"seen_at": timezone.now()})
    return heartbeat


# The worker's recurring jobs: name, the task (a thin wrapper over a service), every N minutes.
SCHEDULES = [
    (HEARTBEAT_SCHEDULE_NAME, "safehub.core.tasks.record_worker_heartbeat", 1),
    (NOTIFICATIONS_SCHEDULE_NAME, "safehub.notifications.tasks.dispatch_notifications", 1),
    ("Escalate overdue hub checks", "safehub.hub.tasks.escalate_overdue_research", 5),
    ("Escalate unanswered meeting invitations", "safehub.meetings.tasks.escalate_unanswered_invitations", 5),
    (
        "Close investigations whose challenge window ended",
        "safehub.investigations.tasks.close_unchallenged_closures",
        5,
    ),
    ("Send the daily digests of missing children", "safehub.missing.tasks.send_missing_digests", 5),
    (
        "Escalate overdue return home interviews",
        "safehub.missing.tasks.escalate_overdue_return_interviews",
        5,
    ),
    # Hourly; the job itself runs once a night, after 02:00 London time.
    ("Refresh the partnership's measures and evaluate its commitments", "safehub.measures.tasks.run_nightly", 60),
    # Hourly; the job runs once a night, after 03:00 London time (and trains a new model monthly).
    ("Find duplicate records for review", "safehub.people.tasks.find_duplicates_nightly", 60),
    (
        "Chase unacknowledged Operation Encompass notices",
        "safehub.encompass.tasks.escalate_unacknowledged_notices",
        1,
    ),
]


def ensure_schedules() -> None:
    """Create the worker's recurring jobs; running it again changes nothing."""
    from django_q.models import Schedule

    for name, func, minutes in SCHEDULES:
        Schedule.objects.update_or_create(
            name=name, defaults={"func": func, "schedule_type": Schedule.MINUTES, "minutes": minutes}
        )
