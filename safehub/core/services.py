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


def ensure_schedules() -> None:
    """Create the worker's recurring jobs; running it again changes nothing."""
    from django_q.models import Schedule

    Schedule.objects.update_or_create(
        name=HEARTBEAT_SCHEDULE_NAME,
        defaults={
            "func": "safehub.core.tasks.record_worker_heartbeat",
            "schedule_type": Schedule.MINUTES,
            "minutes": 1,
        },
    )
    Schedule.objects.update_or_create(
        name=NOTIFICATIONS_SCHEDULE_NAME,
        defaults={
            "func": "safehub.notifications.tasks.dispatch_notifications",
            "schedule_type": Schedule.MINUTES,
            "minutes": 1,
        },
    )
    Schedule.objects.update_or_create(
        name="Escalate overdue hub checks",
        defaults={
            "func": "safehub.hub.tasks.escalate_overdue_research",
            "schedule_type": Schedule.MINUTES,
            "minutes": 5,
        },
    )
    Schedule.objects.update_or_create(
        name="Escalate unanswered meeting invitations",
        defaults={
            "func": "safehub.meetings.tasks.escalate_unanswered_invitations",
            "schedule_type": Schedule.MINUTES,
            "minutes": 5,
        },
    )
    Schedule.objects.update_or_create(
        name="Chase unacknowledged Operation Encompass notices",
        defaults={
            "func": "safehub.encompass.tasks.escalate_unacknowledged_notices",
            "schedule_type": Schedule.MINUTES,
            "minutes": 1,
        },
    )
