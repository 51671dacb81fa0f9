"""The demo force's two years of DBS local checks, made by the services: most fast-tracked, a
backlog that grew over the summer and is falling, a disclosure by the demo officer awaiting the
demo supervisor's quality review, and the pages the two demo users open."""

import datetime

import pytest

from safehub.dbs import measures
from safehub.dbs.models import CheckState, LocalCheck
from safehub.partnership.models import User
from tests.conftest import SignedInClient
from tests.demo.conftest import TODAY, seeded_once

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def _demo(django_db_setup, django_db_blocker):
    with seeded_once(django_db_blocker, at=TODAY):
        yield


@pytest.fixture(autouse=True)
def _today(_demo, time_machine):
    time_machine.move_to(TODAY, tick=False)


def _force_id() -> int:
    return LocalCheck.objects.values_list("force_id", flat=True).first()


def test_two_years_of_checks_mostly_fast_tracked_and_on_time():
    today = TODAY.date()
    checks = LocalCheck.objects.all()
    assert checks.count() >= 200
    assert checks.order_by("received_on").first().received_on <= today - datetime.timedelta(days=700)
    returned = checks.filter(state=CheckState.RETURNED)
    assert returned.filter(fast_tracked=True).count() > returned.count() * 0.7
    year = measures.Period(datetime.date(2025, 12, 1), datetime.date(2026, 11, 1))
    figures = measures.dbs_figures(_force_id(), year, today=today)
    assert 60 <= figures.standard_rate <= 95
    assert 3 <= figures.average_days <= 14
    for check in returned.exclude(decision="disclose")[:50]:
        assert check.days_to_return == (check.returned_on - check.received_on).days
    for check in returned.filter(decision="disclose"):
        assert check.reviewed_by is not None
        assert check.reviewed_by != check.assessed_by


def _mean_backlog(force: int, first: datetime.date, last: datetime.date) -> float:
    """The backlog's mean over the weeks from `first` to `last` (a small demo's is a handful)."""
    days = [first + datetime.timedelta(days=7 * n) for n in range((last - first).days // 7 + 1)]
    return sum(measures.backlog_on(force, day).count() for day in days) / len(days)


def test_the_backlog_grew_over_the_summer_and_is_falling():
    force = _force_id()
    spring = _mean_backlog(force, datetime.date(2026, 3, 1), datetime.date(2026, 5, 31))
    summer = _mean_backlog(force, datetime.date(2026, 8, 1), datetime.date(2026, 9, 30))
    assert summer > spring + 1
    assert measures.backlog_on(force, TODAY.date()).count() < summer
    period = measures.Period(datetime.date(2026, 5, 1), datetime.date(2026, 11, 1))
    days = {
        month.month.month: month.average_days
        for month in measures.dbs_figures(force, period, today=TODAY.date()).months
    }
    assert days[9] > days[5] + 5
    assert days[11] < days[9]


def test_open_checks_at_every_stage_and_a_disclosure_awaits_the_supervisors_review():
    officer = User.objects.get(username="disclosure.officer")
    waiting = LocalCheck.objects.filter(state=CheckState.REVIEW, assessed_by=officer)
    assert waiting.exists()
    states = set(LocalCheck.objects.exclude(state=CheckState.RETURNED).values_list("state", flat=True))
    assert {CheckState.RECEIVED, CheckState.REVIEW, CheckState.READY} <= states


def test_the_demo_users_pages_open():
    for username in ("disclosure.officer", "disclosure.supervisor"):
        client = SignedInClient()
        client.force_login(User.objects.get(username=username))
        home = client.get("/").content.decode()
        assert "DBS local checks" in home
        queue = client.get("/dbs/")
        assert queue.status_code == 200
        check = LocalCheck.objects.filter(state=CheckState.REVIEW).first()
        page = client.get(f"/dbs/checks/{check.pk}/").content.decode()
        if username == "disclosure.supervisor":
            assert "Give the quality review" in page
            assert "awaiting your quality review" in home
        assert client.get("/dbs/performance/").status_code == 200
