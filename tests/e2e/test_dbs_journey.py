"""A DBS local check in the browser (issue 14): the officer records a check from DBS, finds
records and proposes a disclosure; the form refuses it without the relevance test; the
supervisor's quality review approves it and the officer returns it, its days counted. Every
page is checked with axe.

Time is fixed with time_machine (the live server shares the clock)."""

import pytest
import time_machine
from playwright.sync_api import Page, expect

from safehub.dbs.models import CheckState, LocalCheck
from tests.dbs.world import build_world, london
from tests.e2e.conftest import CHROMIUM, NO_CHROMIUM, assert_no_axe_violations

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]


def test_a_check_is_recorded_assessed_reviewed_and_returned(page: Page, sign_in_as, transactional_db):
    with time_machine.travel(london(2026, 11, 16, 10, 0), tick=False):
        w = build_world()
        sign_in_as(w.officer)
        page.goto("/dbs/")
        assert_no_axe_violations(page)
        page.get_by_role("button", name="Record a check").click()
        page.get_by_label("DBS reference").fill("E0012345678")
        page.get_by_label("Applicant's given names").fill("Gareth")
        page.get_by_label("Applicant's family name").fill("Lowe")
        page.get_by_label("Applicant's date of birth").fill("2/6/1984")
        page.get_by_label("Child workforce", exact=True).check()
        page.get_by_label("Role applied for").fill("Teaching assistant")
        page.get_by_label("Received from DBS on").fill("9/11/2026")
        assert_no_axe_violations(page)
        page.get_by_role("button", name="Record the check").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("DBS local check DBS-")
        expect(page.locator("main")).to_contain_text("7 days left")
        assert_no_axe_violations(page)

        page.get_by_role("button", name="Record the search").click()
        page.get_by_label("Records found: assess them").check()
        page.get_by_label("What was found").fill("A caution for assaulting a child, May 2019.")
        page.get_by_role("button", name="Record the search").click()
        page.get_by_role("button", name="Assess").click()
        page.get_by_label("Disclose approved information").check()
        page.get_by_label("The relevance test").fill("Relevant.")
        page.get_by_role("button", name="Record the assessment").click()
        summary = page.locator(".govuk-error-summary")
        expect(summary).to_contain_text("Write the relevance test")
        expect(summary).to_contain_text("Write the information to disclose")
        assert_no_axe_violations(page)
        page.get_by_label("Disclose approved information").check()
        page.get_by_label("The relevance test").fill("Violence towards a child is relevant to a role with children.")
        page.get_by_label("Information to disclose (for a disclosure)").fill(
            "Cautioned on 3 May 2019 for assaulting a 12-year-old boy."
        )
        page.get_by_label("The applicant's representations, or why they were not invited").fill(
            "Not invited: the applicant disclosed the caution and agrees the facts."
        )
        page.get_by_role("button", name="Record the assessment").click()
        expect(page.locator("main")).to_contain_text("Awaiting quality review by a supervisor")

    with time_machine.travel(london(2026, 11, 17, 9, 0), tick=False):
        page.context.clear_cookies()
        sign_in_as(w.supervisor)
        page.goto("/dbs/")
        # The disclosure waits for them at the top of the queue.
        page.get_by_role("link", name=LocalCheck.objects.get().reference).first.click()
        page.get_by_role("button", name="Give the quality review").click()
        page.get_by_label("Approve the disclosure").check()
        page.get_by_label("Your reasons").fill("Accurate, relevant and proportionate.")
        assert_no_axe_violations(page)
        page.get_by_role("button", name="Record the review").click()
        page.get_by_role("button", name="Return to DBS").click()
        expect(page.locator("main")).to_contain_text("8 days after receipt")
        assert_no_axe_violations(page)
    check = LocalCheck.objects.get()
    assert (check.state, check.assessed_by, check.reviewed_by) == (CheckState.RETURNED, w.officer, w.supervisor)
