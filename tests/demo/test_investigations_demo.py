"""The demo force's year of investigations: what the services would write, and today's three
for the demo users (closure refused with two opportunities outstanding, a closure in its
challenge window for the social worker, one reopened last month after a challenge)."""

import datetime
import re

import pytest
import time_machine
from django.db import transaction
from django.test import override_settings

from safehub.demo import seed as demo
from safehub.investigations.models import (
    ChallengeOutcome,
    Closure,
    ClosureState,
    Investigation,
    InvestigationState,
    OpportunityState,
)
from safehub.investigations.services import needs_challenge_window
from safehub.partnership.models import User
from safehub.timescales.calendar import LONDON
from safehub.timescales.rules import due_after
from tests.conftest import SignedInClient

TODAY = datetime.datetime(2026, 11, 26, 10, 0, tzinfo=datetime.UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def users(django_db_setup, django_db_blocker):
    with (
        django_db_blocker.unblock(),
        override_settings(SAFEHUB_DEMO_MODE=True),
        time_machine.travel(TODAY, tick=False),
        transaction.atomic(),
    ):
        demo.seed_demo(size="small", seed=2026)
        yield {user.username: user for user in User.objects.all()}
        transaction.set_rollback(True)


@pytest.fixture
def today(users):
    with time_machine.travel(TODAY, tick=False):
        yield


def _client(user):
    client = SignedInClient()
    client.force_login(user)
    return client


def test_a_years_investigations_mostly_from_joint_strategy_discussions(users):
    investigations = Investigation.objects.all()
    assert investigations.count() >= 10
    assert investigations.filter(strategy_discussion__isnull=False).count() >= investigations.count() // 2
    assert investigations.filter(state=InvestigationState.CLOSED).exists()
    assert investigations.filter(state=InvestigationState.OPEN).exists()
    by_year: dict[str, list[int]] = {}
    for reference in investigations.order_by("opened_at", "pk").values_list("reference", flat=True):
        assert re.fullmatch(r"INV-\d{4}-\d{5}", reference)
        by_year.setdefault(reference[4:8], []).append(int(reference[-5:]))
    for numbers in by_year.values():
        assert numbers == list(range(1, len(numbers) + 1))


def test_every_closure_is_one_the_services_would_allow(users):
    for closure in Closure.objects.select_related("investigation"):
        investigation = closure.investigation
        assert closure.signed_off_by_id != closure.proposed_by_id
        before = investigation.opportunities.filter(from_challenge__isnull=True)
        # Nothing outstanding when it was proposed: each was settled before.
        assert not before.filter(state=OpportunityState.OUTSTANDING).exists()
        assert not before.filter(settled_at__gt=closure.proposed_at).exists()
        if closure.signed_off_at is not None and closure.challenge_window_ends is not None:
            assert closure.challenge_window_ends == due_after(closure.signed_off_at, "closure_challenge_window")
        if needs_challenge_window(investigation) and closure.signed_off_at is not None:
            assert closure.challenge_window_ends is not None
        if closure.state == ClosureState.EFFECTIVE:
            assert closure.effective_at == (closure.challenge_window_ends or closure.signed_off_at)
            assert investigation.state == InvestigationState.CLOSED


def test_review_due_dates_follow_the_timescale(users):
    for investigation in Investigation.objects.exclude(state=InvestigationState.CLOSED):
        last = investigation.reviews.order_by("-reviewed_at").first()
        if last is not None and investigation.closures.filter(state=ClosureState.OVERTURNED).count() == 0:
            assert investigation.next_review_due == last.next_due


def test_the_officers_closure_is_refused_naming_the_medical_and_the_abe_interview(users, today):
    officer = users["police.officer"]
    wanted = {"ABE interview of the child", "Medical or paediatric assessment"}
    candidates = Investigation.objects.filter(
        allocated_officer=officer, state=InvestigationState.OPEN, closures__isnull=True
    )
    matching = [
        i
        for i in candidates
        if set(i.opportunities.filter(state=OpportunityState.OUTSTANDING).values_list("title", flat=True)) == wanted
    ]
    assert matching
    investigation = matching[-1]
    page = _client(officer).get(f"/investigations/{investigation.pk}/close/").content.decode()
    assert "It cannot be closed yet" in page
    assert "ABE interview of the child" in page


def test_the_social_worker_has_a_closure_to_challenge_today(users, today):
    social_worker = users["social.worker"]
    closure = Closure.objects.get(state=ClosureState.SIGNED_OFF)
    assert closure.challenge_window_ends > TODAY
    client = _client(social_worker)
    assert closure.investigation.reference in client.get("/investigations/").content.decode()
    assert closure.investigation.reference in client.get("/").content.decode()
    page = client.get(f"/investigations/{closure.investigation.pk}/").content.decode()
    assert "Challenge the closure" in page


def test_one_was_reopened_after_a_challenge_last_month_with_its_history(users):
    closure = Closure.objects.get(state=ClosureState.OVERTURNED)
    challenge = closure.challenge
    assert challenge.outcome == ChallengeOutcome.REOPENED
    assert challenge.stages.count() == 2
    assert (TODAY - challenge.resolved_at).days < 45
    investigation = closure.investigation
    assert investigation.state == InvestigationState.OPEN
    assert investigation.opportunities.filter(from_challenge=challenge).exists()
    assert challenge.raised_by == users["social.worker"]


def test_health_and_the_school_see_no_investigation(users, today):
    investigation = Investigation.objects.first()
    for username in ("health.practitioner", "school.dsl"):
        response = _client(users[username]).get(f"/investigations/{investigation.pk}/")
        assert response.status_code in (403, 404)
    local = investigation.opened_at.astimezone(LONDON)
    assert local.year in (2025, 2026)
