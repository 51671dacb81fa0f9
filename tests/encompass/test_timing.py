"""When a notice is due: the start of the child's school's next school day after the incident
was known. Weekends, bank holidays (Christmas, Easter, the May bank holidays), half-terms,
INSET days and the clocks changing are all respected."""

import datetime

import pytest
import time_machine

from safehub.encompass.models import Notice
from safehub.timescales.models import SchoolClosure
from tests.encompass.conftest import london, record

pytestmark = pytest.mark.django_db


def travel(moment):
    return time_machine.travel(moment, tick=False)


CASES = [
    # (incident recorded at, notice due at, why)
    (london(2026, 11, 25, 7, 59), london(2026, 11, 25, 8, 45), "early on a school day: that same morning"),
    (london(2026, 11, 25, 9, 15), london(2026, 11, 26, 8, 45), "after the start: the next school day"),
    (london(2026, 11, 27, 19, 0), london(2026, 11, 30, 8, 45), "Friday evening: Monday"),
    (london(2026, 10, 23, 19, 0), london(2026, 11, 2, 8, 45), "Friday before half-term, clocks go back: after it"),
    (london(2026, 12, 18, 20, 0), london(2027, 1, 5, 8, 45), "last day of the autumn term: after Christmas"),
    (london(2027, 3, 25, 17, 0), london(2027, 4, 12, 8, 45), "before Easter (Good Friday, Easter Monday)"),
    (london(2027, 4, 30, 18, 0), london(2027, 5, 4, 8, 45), "before the early May bank holiday"),
    (london(2027, 5, 28, 18, 0), london(2027, 6, 7, 8, 45), "before the spring bank holiday and half-term"),
    (london(2026, 3, 28, 23, 30), london(2026, 3, 30, 8, 45), "the night the clocks go forward"),
]


@pytest.mark.parametrize(("recorded_at", "due_at", "why"), CASES, ids=[c[2] for c in CASES])
def test_the_notice_is_due_at_the_start_of_the_next_school_day(world, recorded_at, due_at, why):
    with travel(recorded_at):
        incident = record(world, occurred_at=recorded_at - datetime.timedelta(minutes=30))
    notice = Notice.objects.get(incident=incident)
    assert notice.due_at == due_at, why
    assert notice.delivered_at == recorded_at
    assert notice.delivered_on_time


def test_an_inset_day_is_not_a_school_day(world):
    SchoolClosure.objects.create(school=world.school, date=datetime.date(2026, 11, 9), reason="Staff training")
    with travel(london(2026, 11, 6, 18, 0)):
        incident = record(world, occurred_at=london(2026, 11, 6, 17, 0))
    assert Notice.objects.get(incident=incident).due_at == london(2026, 11, 10, 8, 45)


def test_a_school_that_starts_earlier_is_due_earlier(world):
    world.school.school_day_starts = datetime.time(8, 30)
    world.school.save()
    with travel(london(2026, 11, 25, 8, 20)):
        incident = record(world, occurred_at=london(2026, 11, 25, 7, 0))
    assert Notice.objects.get(incident=incident).due_at == london(2026, 11, 25, 8, 30)


def test_an_incident_recorded_after_the_school_day_started_is_delivered_late_and_chased_an_hour_later(world):
    with travel(london(2026, 11, 30, 9, 30)):
        incident = record(world, occurred_at=london(2026, 11, 27, 22, 0))
    notice = Notice.objects.get(incident=incident)
    assert notice.due_at == london(2026, 11, 30, 8, 45)
    assert notice.delivered_on_time is False
    assert notice.acknowledge_by == london(2026, 11, 30, 10, 30)


def test_a_late_incident_recorded_in_the_evening_is_chased_the_next_school_day(world):
    with travel(london(2026, 11, 30, 18, 0)):
        incident = record(world, occurred_at=london(2026, 11, 29, 23, 0))
    notice = Notice.objects.get(incident=incident)
    assert notice.due_at == london(2026, 11, 30, 8, 45)
    assert notice.acknowledge_by == london(2026, 12, 1, 10, 0)


def test_the_acknowledgement_is_chased_at_ten_on_the_day_it_was_due(world):
    with travel(london(2026, 11, 27, 19, 0)):
        incident = record(world, occurred_at=london(2026, 11, 27, 18, 0))
    assert Notice.objects.get(incident=incident).acknowledge_by == london(2026, 11, 30, 10, 0)
