"""The background worker: django-q2's database broker keeps jobs through a crash."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone
from django_q.brokers import get_broker
from django_q.models import OrmQ, Schedule
from django_q.signing import SignedPackage

from safehub.core.services import HEARTBEAT_SCHEDULE_NAME, ensure_schedules

pytestmark = pytest.mark.django_db


def test_worker_uses_the_database_broker_so_sqlite_and_postgresql_both_work():
    assert settings.Q_CLUSTER["orm"] == "default"
    assert get_broker().__class__.__name__ == "ORM"


def test_a_job_taken_by_a_worker_that_dies_is_handed_out_again_after_the_retry_interval():
    broker = get_broker()
    broker.enqueue(SignedPackage.dumps({"id": "job-1", "func": "safehub.core.tasks.record_worker_heartbeat"}))
    taken = broker.dequeue()
    assert taken, "the job should be handed to the first worker"
    # The worker dies here: it never acknowledges the job. Nobody else gets it while it is locked...
    assert not broker.dequeue()
    assert OrmQ.objects.count() == 1
    # ...and once the retry interval has passed, the next worker receives it again.
    later = timezone.now() + datetime.timedelta(seconds=settings.Q_CLUSTER["retry"] + 1)
    with time_machine.travel(later, tick=False):
        again = broker.dequeue()
    assert again
    assert again[0][0] == taken[0][0]


def test_an_acknowledged_job_is_gone_for_good():
    broker = get_broker()
    broker.enqueue(SignedPackage.dumps({"id": "job-2"}))
    task_id, _ = broker.dequeue()[0]
    broker.acknowledge(task_id)
    assert OrmQ.objects.count() == 0


def test_scheduling_the_heartbeat_twice_creates_one_schedule():
    ensure_schedules()
    ensure_schedules()
    assert Schedule.objects.filter(name=HEARTBEAT_SCHEDULE_NAME).count() == 1


def test_every_process_that_escalates_has_its_recurring_job_and_each_task_exists(db):
    import importlib

    ensure_schedules()
    funcs = set(Schedule.objects.values_list("func", flat=True))
    assert {
        "safehub.hub.tasks.escalate_overdue_research",
        "safehub.meetings.tasks.escalate_unanswered_invitations",
        "safehub.encompass.tasks.escalate_unacknowledged_notices",
        "safehub.notifications.tasks.dispatch_notifications",
    } <= funcs
    for func in funcs:
        module, name = func.rsplit(".", 1)
        assert callable(getattr(importlib.import_module(module), name))
