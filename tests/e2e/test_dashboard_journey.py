"""The partnership dashboard in the browser (issue 15), on the small demo: the business manager
opens it, every chart draws beside its table, a filter by agency keeps its URL, a figure opens
the meetings behind it, and the force's commitment shows the pre-birth conferences that broke
it; an evidence pack of the period is made and downloads. Every page is checked with axe.

Time is fixed with time_machine (the live server shares the clock)."""

import datetime
import re

import pytest
import time_machine
from django.test import override_settings
from playwright.sync_api import Page, expect

from safehub.demo.seed import seed_demo
from safehub.partnership.models import User
from tests.e2e.conftest import CHROMIUM, NO_CHROMIUM, assert_no_axe_violations

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]

TODAY = datetime.datetime(2026, 11, 26, 10, 0, tzinfo=datetime.UTC)


def test_the_business_manager_reads_the_dashboard_and_the_commitment_it_tracks(
    page: Page, sign_in_as, transactional_db, tmp_path
):
    with time_machine.travel(TODAY, tick=False), override_settings(SAFEHUB_DEMO_MODE=True):
        seed_demo(size="small", seed=2026)
        sign_in_as(User.objects.get(username="partnership.manager"))
        page.get_by_role("link", name="See the partnership dashboard").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Partnership dashboard")
        assert_no_axe_violations(page)
        # Every chart is an image that drew (a broken SVG has no natural width).
        charts = page.locator("img.safehub-chart")
        assert charts.count() >= 10
        for index in range(charts.count()):
            chart = charts.nth(index)
            chart.scroll_into_view_if_needed()
            expect(chart).to_have_js_property("complete", True)
            assert chart.evaluate("image => image.naturalWidth") > 0
        page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=False)

        page.get_by_label("Agency", exact=True).select_option("police")
        page.get_by_role("button", name="Show figures").click()
        expect(page).to_have_url(re.compile(r"agency=police"))
        expect(page.locator("#dbs-within-standard-headline")).to_be_visible()
        assert page.locator("#encompass-acknowledged-in-time-headline").count() == 0
        assert_no_axe_violations(page)

        headline = page.locator("#meetings-prebirth-attendance-headline")
        missed = headline.get_by_role("row", name="Police").get_by_role("link").nth(1)
        figure = int(missed.inner_text())
        missed.click()
        expect(page.locator("#count")).to_contain_text(f"{figure} record")
        assert_no_axe_violations(page)

        page.get_by_role("link", name="Back to the dashboard").click()
        page.get_by_role("button", name="Make an inspection evidence pack of this period").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Inspection evidence packs")
        expect(page.locator("#packs")).to_contain_text("Ready")
        assert_no_axe_violations(page)
        with page.expect_download() as download:
            page.locator("#packs").get_by_role("link", name="PDF").first.click()
        assert download.value.suggested_filename.endswith(".pdf")

        page.get_by_role("link", name="Back to the dashboard").click()
        page.locator("#commitments").get_by_role("link").first.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("The police will attend")
        expect(page.locator("main")).to_contain_text("Not met")
        assert_no_axe_violations(page)
