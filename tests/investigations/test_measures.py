"""Investigation performance: each figure equals the records it links to, and the figures that
must be zero catch a closure made outside the services."""

import datetime
import re

import pytest
import time_machine

from safehub.hub.measures import Period
from safehub.investigations import measures, services
from safehub.investigations.models import Closure, ClosureOutcome, ClosureState, OffenceCategory, OpportunityState
from safehub.partnership.roles import Role
from tests.conftest import SignedInClient
from tests.factories import UserFactory
from tests.investigations.conftest import london, open_case

pytestmark = pytest.mark.django_db

RATIONALE = "The child's account was not supported by the medical evidence and there are no witnesses."
NOVEMBER = Period(datetime.date(2026, 11, 1), datetime.date(2026, 11, 1))


def _closed(w, *, at, outcome=ClosureOutcome.NFA_EVIDENTIAL, category=OffenceCategory.PHYSICAL_ABUSE):
    with time_machine.travel(at, tick=False):
        investigation = open_case(w, category=category)
        for opportunity in investigation.opportunities.filter(state=OpportunityState.OUTSTANDING):
            services.settle_opportunity(opportunity=opportunity, by=w.officer, done=True, outcome="Done.")
        closure = services.propose_closure(
            investigation=investigation, by=w.officer, outcome=outcome, rationale=RATIONALE
        )
        services.sign_off_closure(closure=closure, by=w.supervisor, rationale=RATIONALE)
    closure.refresh_from_db()
    return closure


def test_each_figure_equals_the_records_behind_it(w):
    with time_machine.travel(london(2026, 11, 2, 9, 0), tick=False):
        first = _closed(w, at=london(2026, 11, 2, 9, 0))
        services.close_after_windows(now=london(2026, 11, 4, 9, 0))
    second = _closed(
        w, at=london(2026, 11, 9, 9, 0), outcome=ClosureOutcome.CHARGED, category=OffenceCategory.ONLINE_ABUSE
    )
    challenged = _closed(w, at=london(2026, 11, 16, 9, 0))
    with time_machine.travel(london(2026, 11, 17, 9, 0), tick=False):
        challenge = services.challenge_closure(
            closure=challenged, by=w.social_worker, reasons="The sibling who saw it was never interviewed at all."
        )
        services.resolve_challenge(
            challenge=challenge,
            by=w.supervisor,
            reopen=True,
            resolution=RATIONALE,
            missed=["ABE interview of the sibling"],
        )
    # A closure written outside the services: signed off by its proposer, with an opportunity outstanding.
    bad_case = open_case(w)
    bad = Closure.objects.create(
        investigation=bad_case,
        outcome=ClosureOutcome.NFA_VICTIM,
        rationale=RATIONALE,
        proposed_by=w.supervisor,
        proposed_at=london(2026, 11, 20, 9, 0),
        signed_off_by=w.supervisor,
        signed_off_at=london(2026, 11, 20, 10, 0),
        state=ClosureState.EFFECTIVE,
        effective_at=london(2026, 11, 20, 10, 0),
    )
    bad_case.opportunities.update(added_at=london(2026, 11, 20, 8, 0))

    with time_machine.travel(london(2026, 12, 7, 9, 0), tick=False):
        figures = measures.investigation_figures(NOVEMBER)
        assert figures.counts["closed"] == 3  # first, second and the bad one
        assert figures.counts["outstanding_at_closure"] == 1
        assert figures.counts["signed_off_by_proposer"] == 1
        assert figures.counts["challenged"] == 1
        assert figures.counts["upheld"] == 1
        outcomes = {line.outcome: line.count for line in figures.outcomes}
        assert outcomes[ClosureOutcome.CHARGED] == 1
        assert outcomes[ClosureOutcome.NFA_EVIDENTIAL] == 1
        for figure in measures.FIGURES:
            assert measures.behind(figure, NOVEMBER).count() == figures.counts[figure], figure
        assert {c.pk for c in measures.behind("outstanding_at_closure", NOVEMBER)} == {bad.pk}
        assert {c.pk for c in measures.behind("closed", NOVEMBER)} == {first.pk, second.pk, bad.pk}

        analyst = UserFactory(organisation=w.council, roles=[Role.PARTNERSHIP_ANALYST])
        client = SignedInClient()
        client.force_login(analyst)
        page = client.get("/investigations/performance/?start=2026-11&end=2026-11").content.decode()
        assert "Must be 0" in page
        records = client.get(
            "/investigations/performance/records/?start=2026-11&end=2026-11&figure=closed"
        ).content.decode()
        assert "3 records" in records
        assert bad_case.reference in records
        # The analyst sees references only: no link into an investigation.
        assert not re.search(rf'href="/investigations/{bad_case.pk}/"', records)
        assert client.get("/investigations/performance/records/?figure=nonsense").status_code == 404


def test_reviews_overdue_are_counted_now(w):
    with time_machine.travel(london(2026, 10, 1, 9, 0), tick=False):
        late = open_case(w)
    with time_machine.travel(london(2026, 11, 20, 9, 0), tick=False):
        open_case(w)
        assert [i.pk for i in measures.reviews_overdue()] == [late.pk]
