"""A police investigation in the browser (issue 12, "Done means"): the officer's closure is
refused while the medical and the ABE interview are outstanding, the page naming both; once
every opportunity is explored the supervisor signs it off; the social worker sees it in her
challenge window and challenges it, which stops the closure. Every page is checked with axe.

Time is fixed with time_machine (the live server shares the clock)."""

import pytest
import time_machine
from playwright.sync_api import Page, expect

from safehub.investigations.models import ClosureState, InvestigationState, OpportunityState
from safehub.investigations.services import settle_opportunity
from tests.e2e.conftest import CHROMIUM, NO_CHROMIUM, assert_no_axe_violations
from tests.investigations.conftest import build_world, london, open_case

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]

RATIONALE = "The child's account was not supported by the medical evidence and there are no witnesses."


def _switch_to(page: Page, sign_in_as, user) -> None:
    page.context.clear_cookies()
    sign_in_as(user)


def test_a_closure_is_refused_then_signed_off_and_challenged_by_the_social_worker(
    page: Page, sign_in_as, transactional_db
):
    with time_machine.travel(london(2026, 11, 10, 9, 0), tick=False):
        w = build_world()
        investigation = open_case(w)
        for opportunity in investigation.opportunities.exclude(
            title__in=["ABE interview of the child", "Medical or paediatric assessment"]
        ):
            settle_opportunity(opportunity=opportunity, by=w.officer, done=True, outcome="Done: nothing found.")

        # The officer tries to close: refused, with the two outstanding opportunities named and linked.
        sign_in_as(w.officer)
        page.goto(f"/investigations/{investigation.pk}/")
        assert_no_axe_violations(page)
        page.get_by_role("button", name="Propose closing it").click()
        refusal = page.locator("#outstanding")
        expect(refusal).to_contain_text("It cannot be closed yet")
        expect(refusal.get_by_role("link", name="ABE interview of the child")).to_be_visible()
        expect(refusal.get_by_role("link", name="Medical or paediatric assessment")).to_be_visible()
        expect(page.get_by_role("button", name="Propose the closure")).to_have_count(0)
        assert_no_axe_violations(page)

        # The officer records both, then proposes the closure.
        for title, outcome in (
            ("ABE interview of the child", "Interviewed on video by a trained officer; no disclosure."),
            ("Medical or paediatric assessment", "Paediatrician: bruising consistent with the account of a fall."),
        ):
            page.goto(f"/investigations/{investigation.pk}/close/")
            page.locator("#outstanding").get_by_role("link", name=title).click()
            page.get_by_label("Done", exact=True).check()
            page.get_by_label("What was done and found").fill(outcome)
            page.get_by_role("button", name="Record it").click()
            expect(page.get_by_role("heading", level=1)).to_contain_text(investigation.reference)
        page.get_by_role("button", name="Propose closing it").click()
        page.get_by_label("No further action: evidential difficulties").check()
        page.get_by_label("Rationale").fill(RATIONALE)
        page.get_by_role("button", name="Propose the closure").click()
        expect(page.locator("#closure")).to_contain_text("Proposed")
        assert not investigation.opportunities.filter(state=OpportunityState.OUTSTANDING).exists()

    # The supervisor signs it off: a window for the council, which ends two working days later.
    with time_machine.travel(london(2026, 11, 10, 11, 0), tick=False):
        _switch_to(page, sign_in_as, w.supervisor)
        page.goto(f"/investigations/{investigation.pk}/")
        page.get_by_role("button", name="Sign off or refuse").click()
        page.get_by_label("Sign the closure off").check()
        page.get_by_label("Your rationale").fill("All opportunities are explored and the rationale is sound.")
        page.get_by_role("button", name="Record my decision").click()
        expect(page.locator("#closure")).to_contain_text("11:00 on Thursday 12 November 2026")

    # The social worker challenges it the next morning.
    with time_machine.travel(london(2026, 11, 11, 9, 30), tick=False):
        _switch_to(page, sign_in_as, w.social_worker)
        page.goto("/investigations/")
        expect(page.locator("#to-challenge")).to_be_visible()
        assert_no_axe_violations(page)
        page.get_by_role("link", name=investigation.reference).first.click()
        assert_no_axe_violations(page)
        page.get_by_role("button", name="Challenge the closure").click()
        page.get_by_label("Why the council challenges the closure").fill(
            "The sibling who saw the injury was never interviewed, and the school's concerns were not checked."
        )
        page.get_by_role("button", name="Challenge the closure").click()
        expect(page.locator("#closure")).to_contain_text("Challenged by")
        assert_no_axe_violations(page)
    investigation.refresh_from_db()
    assert investigation.state == InvestigationState.CHALLENGED
    assert investigation.closures.get().state == ClosureState.CHALLENGED
