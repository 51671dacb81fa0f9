"""Finding people and reading their records: a practitioner's partnership-wide search and
a school's designated safeguarding lead, who sees only the children on the school's roll."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from safehub.partnership.roles import Role
from tests.e2e.conftest import CHROMIUM, NO_CHROMIUM, assert_no_axe_violations, navigation_labels

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]


def search_by_name_and_date_of_birth(page: Page, name: str, date_of_birth: str) -> None:
    page.goto("/people/")
    assert_no_axe_violations(page)
    page.get_by_label("Name").fill(name)
    page.get_by_label("Date of birth").fill(date_of_birth)
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()


def test_search_results_are_addressed_by_a_key_with_no_part_of_the_name_or_date_of_birth(
    page: Page, riverside, sign_in_as
):
    sign_in_as(riverside.users[Role.SOCIAL_WORKER])

    search_by_name_and_date_of_birth(page, "Amelia Okafor", "27/03/2015")

    expect(page.get_by_role("heading", name="1 person found")).to_be_visible()
    expect(page.get_by_role("link", name="Amelia Okafor")).to_be_visible()
    url = urlsplit(page.url)
    assert url.path == "/people/"
    assert re.fullmatch(r"q=[\w-]+", url.query), f"The results page's query string is {url.query!r}"
    # The key is random: look for the details whole, not for fragments a key could contain by chance.
    for personal_detail in ("amelia", "okafor", "2015", "27/03", "27%2f03"):
        assert personal_detail not in url.query.lower()
    assert_no_axe_violations(page)


def test_person_page_shows_identifiers_household_addresses_schools_and_chronology(page: Page, riverside, sign_in_as):
    family = riverside.family
    sign_in_as(riverside.users[Role.SOCIAL_WORKER])
    search_by_name_and_date_of_birth(page, "Okafor", "27 3 2015")

    page.get_by_role("link", name="Amelia Okafor").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Amelia Okafor")
    identifiers = page.locator("h2#identifiers + dl")
    expect(identifiers).to_contain_text(family.nhs_number.display_value)
    expect(identifiers).to_contain_text(family.upn.value)
    household = page.get_by_role("table", name="Household and relationships")
    expect(household.get_by_role("row").filter(has_text="Hannah Okafor")).to_contain_text("Parent")
    expect(household.get_by_role("row").filter(has_text="Noah Okafor")).to_contain_text("Sibling")
    expect(page.locator("h2#addresses + ul")).to_contain_text(family.address)
    expect(page.locator("h2#enrolments + ul")).to_contain_text("Millbrook Primary School")
    expect(page.locator("h2#chronology + ol")).to_contain_text(family.chronology_summary)
    assert_no_axe_violations(page)


def test_designated_safeguarding_lead_filters_their_pupils_and_opens_one(page: Page, riverside, sign_in_as):
    sign_in_as(riverside.users[Role.DESIGNATED_SAFEGUARDING_LEAD])
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Pupils").click()
    pupils = page.get_by_role("table")
    expect(pupils.get_by_role("caption")).to_have_text("2 pupils")
    expect(pupils).not_to_contain_text("Zara Pemberton")
    assert_no_axe_violations(page)

    page.get_by_label("Find a pupil by name").fill("Noah")
    page.get_by_role("button", name="Filter").click()

    expect(pupils.get_by_role("caption")).to_have_text("1 pupil")
    assert "noah" not in urlsplit(page.url).query.lower()
    pupils.get_by_role("link", name="Noah Okafor").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Noah Okafor")
    assert_no_axe_violations(page)


def test_designated_safeguarding_lead_gets_page_not_found_for_a_child_not_on_their_roll(
    page: Page, riverside, sign_in_as
):
    sign_in_as(riverside.users[Role.DESIGNATED_SAFEGUARDING_LEAD])

    response = page.goto(riverside.child_elsewhere.get_absolute_url())

    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.locator("main")).not_to_contain_text("Pemberton")
    assert_no_axe_violations(page)


def test_designated_safeguarding_lead_has_no_people_search(page: Page, riverside, sign_in_as):
    sign_in_as(riverside.users[Role.DESIGNATED_SAFEGUARDING_LEAD])
    assert "People" not in navigation_labels(page)

    response = page.goto("/people/")

    assert response is not None
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You do not have access to this page")
    assert_no_axe_violations(page)
