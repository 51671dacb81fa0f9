"""Signing in and out, each role's home page and navigation, and the page furniture
every page shares (skip link, headers)."""

import re
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from safehub.partnership.roles import Role
from tests.e2e.conftest import CHROMIUM, NO_CHROMIUM, assert_no_axe_violations, navigation_labels, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]

# Each role's navigation, in the order of safehub/core/navigation.py.
PRACTITIONER_NAVIGATION = [
    "Home",
    "Inbox",
    "People",
    "Record a concern",
    "Checks",
    "Meetings",
    "Directory",
    "Calendars",
    "API",
]
# A social worker also sees the police investigations about the children on their caseload.
SOCIAL_WORKER_NAVIGATION = [
    "Home",
    "Inbox",
    "People",
    "Record a concern",
    "Checks",
    "Meetings",
    "Investigations",
    "Directory",
    "Calendars",
    "API",
]
POLICE_NAVIGATION = [
    "Home",
    "Inbox",
    "People",
    "Record a concern",
    "Checks",
    "Meetings",
    "Domestic abuse incidents",
    "Investigations",
    "Missing children",
    "Directory",
    "Calendars",
    "API",
]
# The front door also reviews the duplicate records the nightly search finds.
HUB_NAVIGATION = [
    "Home",
    "Inbox",
    "People",
    "Duplicate records",
    "Record a concern",
    "Hub",
    "Meetings",
    "Directory",
    "Calendars",
    "API",
]
PERFORMANCE = [
    "Partnership dashboard",
    "Hub performance",
    "Meeting attendance",
    "Encompass performance",
    "Investigation performance",
    "Missing children performance",
]
MANAGER_NAVIGATION = [
    "Home",
    "Inbox",
    "People",
    "Duplicate records",
    "Record a concern",
    "Hub",
    "Meetings",
    "Investigations",
    *PERFORMANCE,
    "Directory",
    "Calendars",
    "API",
]
SUPERVISOR_NAVIGATION = [
    "Home",
    "Inbox",
    "People",
    "Record a concern",
    "Checks",
    "Meetings",
    "Domestic abuse incidents",
    "Investigations",
    "Missing children",
    *PERFORMANCE,
    "Directory",
    "Calendars",
    "API",
]
FIND_A_PERSON = ["Find a child or adult", "Checks to answer"]
DISCLOSURE_NAVIGATION = ["Home", "Inbox", "DBS checks", "DBS performance", "Directory", "Calendars", "API"]
INVESTIGATIONS = "Police investigations"
MISSING = "Missing children"
FIGURES = ["Partnership dashboard", "Hub performance", "The partnership"]

# What each role's home page shows (its section headings) and which sections its navigation offers.
HOME_PAGES = {
    Role.HUB_PRACTITIONER: (["Find a child or adult", "Your hub queue"], HUB_NAVIGATION),
    Role.SOCIAL_WORKER: ([*FIND_A_PERSON, INVESTIGATIONS], SOCIAL_WORKER_NAVIGATION),
    Role.TEAM_MANAGER: (
        ["Find a child or adult", "Your hub queue", INVESTIGATIONS, *FIGURES],
        MANAGER_NAVIGATION,
    ),
    Role.POLICE_OFFICER: ([*FIND_A_PERSON, INVESTIGATIONS, MISSING], POLICE_NAVIGATION),
    Role.POLICE_SUPERVISOR: ([*FIND_A_PERSON, INVESTIGATIONS, MISSING, *FIGURES], SUPERVISOR_NAVIGATION),
    Role.HEALTH_PRACTITIONER: (FIND_A_PERSON, PRACTITIONER_NAVIGATION),
    Role.DESIGNATED_SAFEGUARDING_LEAD: (
        ["Checks to answer", "Your pupils"],
        [
            "Home",
            "Inbox",
            "Pupils",
            "Record a concern",
            "Checks",
            "Meetings",
            "Encompass notices",
            "Directory",
            "Calendars",
            "API",
        ],
    ),
    Role.PARTNERSHIP_ANALYST: (FIGURES, ["Home", "Inbox", *PERFORMANCE, "Directory", "Calendars", "API"]),
    Role.PARTNERSHIP_MANAGER: (FIGURES, ["Home", "Inbox", *PERFORMANCE, "Directory", "Calendars", "API"]),
    Role.PRIVACY_OFFICER: (
        ["Emergency access to review", "Who holds which role"],
        ["Home", "Inbox", "Access reviews", "Directory"],
    ),
    # The council's education safeguarding team answers the hub's checks on children with no school.
    Role.ENCOMPASS_COORDINATOR: (
        ["Checks to answer", *FIGURES],
        ["Home", "Inbox", "Checks", "Encompass notices", *PERFORMANCE, "Directory", "Calendars"],
    ),
    # The council's missing lead: the digest, interviews and flags; a provider's worker: interviews only.
    Role.MISSING_COORDINATOR: (
        [MISSING, *FIGURES],
        ["Home", "Inbox", "Missing children", "Missing education", *PERFORMANCE, "Directory", "Calendars", "API"],
    ),
    Role.RHI_WORKER: (["Return home interviews"], ["Home", "Inbox", "Return home interviews", "Directory"]),
    # The force's disclosure unit: its DBS checks only.
    Role.DISCLOSURE_OFFICER: (
        ["DBS local checks"],
        ["Home", "Inbox", "DBS checks", "DBS performance", "Directory", "Calendars", "API"],
    ),
    Role.DISCLOSURE_SUPERVISOR: (
        ["DBS local checks"],
        ["Home", "Inbox", "DBS checks", "DBS performance", "Directory", "Calendars", "API"],
    ),
    Role.SYSTEM_ADMIN: (["The partnership", "Administration"], ["Home", "Inbox", "Directory", "Calendars", "API"]),
}


def home_sections(page: Page) -> list[str]:
    return [text.strip() for text in page.locator("main h2.govuk-heading-m").all_inner_texts()]


def test_sign_in_page_has_no_accessibility_violations(page: Page, transactional_db):
    page.goto("/sign-in/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to SafeHub")
    assert_no_axe_violations(page)


@pytest.mark.parametrize("role", list(Role), ids=[role.value for role in Role])
def test_each_role_signs_in_to_a_home_page_with_its_own_sections_and_navigation(page: Page, riverside, role: Role):
    sign_in(page, riverside.users[role].username)

    expected_sections, expected_navigation = HOME_PAGES[role]
    assert page.url.endswith("/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {riverside.users[role].first_name}")
    assert home_sections(page) == expected_sections
    assert navigation_labels(page) == expected_navigation
    main = page.locator("main")
    if "Find a child or adult" in expected_sections:
        expect(main.get_by_role("button", name="Find a person")).to_have_attribute("href", "/people/")
    if "Administration" in expected_sections:
        expect(main.get_by_role("link", name="Administration site")).to_be_visible()
    if "Your pupils" in expected_sections:
        expect(main).to_contain_text("2 children on roll today")
    if "The partnership" in expected_sections:
        expect(main).to_contain_text("2 schools and settings")
        expect(main).to_contain_text("3 children known")
    if "Emergency access to review" in expected_sections:
        expect(main).to_contain_text("0 uses of emergency access wait for your review")
        expect(main.get_by_role("link", name="Review emergency access")).to_have_attribute("href", "/access/reviews/")
    if "Who holds which role" in expected_sections:
        roles_table = page.get_by_role("table", name="Active users by role")
        expect(roles_table.locator("tbody tr")).to_have_count(len(Role))
        expect(roles_table.get_by_role("row", name="Privacy officer")).to_contain_text("1")
    assert_no_axe_violations(page)


def test_wrong_password_shows_the_error_summary_and_the_error_beside_the_password(page: Page, riverside):
    page.goto("/sign-in/")
    page.get_by_label("Username").fill(riverside.users[Role.SOCIAL_WORKER].username)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    expect(summary.get_by_role("link", name="Enter a correct username and password")).to_have_attribute(
        "href", "#id_password"
    )
    expect(page.locator("#id_password-error")).to_contain_text("Enter a correct username and password")
    expect(page.get_by_label("Password")).to_have_attribute("aria-describedby", re.compile("id_password-error"))
    expect(page.get_by_label("Password")).to_have_value("")
    assert_no_axe_violations(page)


def test_signing_out_ends_the_session(page: Page, riverside):
    sign_in(page, riverside.users[Role.POLICE_OFFICER].username)

    page.get_by_role("button", name="Sign out").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to SafeHub")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have signed out.")
    assert_no_axe_violations(page)
    page.goto("/")
    assert urlsplit(page.url).path == "/sign-in/"
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


def test_first_tab_on_a_page_focuses_the_skip_link(page: Page, riverside, sign_in_as):
    sign_in_as(riverside.users[Role.HEALTH_PRACTITIONER])

    page.keyboard.press("Tab")

    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_signed_in_pages_are_never_cached_and_carry_a_content_security_policy(page: Page, riverside, sign_in_as):
    sign_in_as(riverside.users[Role.SOCIAL_WORKER])
    family = riverside.family

    for path in ("/", "/people/", family.child.get_absolute_url(), "/partnership/", "/calendars/"):
        response = page.goto(path)
        assert response is not None, path
        assert response.ok, path
        headers = response.all_headers()
        assert "no-store" in headers.get("cache-control", ""), path
        assert "script-src 'self'" in headers.get("content-security-policy", ""), path


def test_pages_load_without_console_errors_missing_files_or_accessibility_violations(
    page: Page, riverside, sign_in_as, browser_problems
):
    sign_in_as(riverside.users[Role.TEAM_MANAGER])

    for path in (
        "/",
        "/people/",
        riverside.family.child.get_absolute_url(),
        "/partnership/",
        "/partnership/settings/",
        riverside.school.get_absolute_url(),
        reverse("timescales:school-calendar", args=[riverside.school.pk]),
        riverside.safeguarding_team.get_absolute_url(),
        "/calendars/",
        "/api/",
        "/status/",
    ):
        response = page.goto(path)
        assert response is not None, path
        assert response.status == 200, path
        assert browser_problems.messages == [], path
        assert_no_axe_violations(page)
