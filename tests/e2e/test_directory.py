"""The partnership directory and the calendars, as a police officer sees them."""

import pytest
from playwright.sync_api import Page, expect

from safehub.partnership.roles import Role
from tests.e2e.conftest import CHROMIUM, NO_CHROMIUM, assert_no_axe_violations

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]


@pytest.fixture
def police_officer_page(page: Page, riverside, sign_in_as) -> Page:
    sign_in_as(riverside.users[Role.POLICE_OFFICER])
    return page


def test_directory_lists_the_partnerships_organisations(police_officer_page: Page, riverside):
    page = police_officer_page
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Directory").click()

    table = page.get_by_role("table")
    for organisation in (riverside.council, riverside.police, riverside.health_trust, riverside.school):
        expect(table.get_by_role("link", name=organisation.name, exact=True)).to_be_visible()
    assert_no_axe_violations(page)


def test_school_page_shows_when_its_next_school_day_starts(police_officer_page: Page, riverside):
    page = police_officer_page
    page.goto("/partnership/")
    page.get_by_role("link", name="Millbrook Primary School").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Millbrook Primary School")
    next_day = page.locator(".govuk-summary-list__row").filter(has_text="Next school day")
    expect(next_day.locator("dd")).to_contain_text("08:45")
    assert_no_axe_violations(page)


def test_team_page_lists_its_members(police_officer_page: Page, riverside):
    page = police_officer_page
    page.goto(riverside.police.get_absolute_url())
    page.get_by_role("link", name="Public Protection Unit").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Public Protection Unit")
    officer = riverside.users[Role.POLICE_OFFICER]
    expect(page.get_by_role("table").get_by_role("row").filter(has_text=officer.get_full_name())).to_contain_text(
        "Police officer"
    )
    assert_no_axe_violations(page)


def test_calendars_page_shows_the_timescales_in_force(police_officer_page: Page):
    page = police_officer_page
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Calendars").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Calendars and timescales")
    assert_no_axe_violations(page)
