"""Emergency access in the browser: a police officer opens a record outside their access with a
reason and their password, and the privacy officer reviews it and reads the record's access history."""

import pytest
from playwright.sync_api import Page, expect

from safehub.partnership.roles import Role
from tests.e2e.conftest import CHROMIUM, NO_CHROMIUM, assert_no_axe_violations
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]

REASON = "Child found alone at the bus station at 2am; checking for known carers and addresses"


def test_officer_opens_a_record_with_emergency_access_and_the_privacy_officer_reviews_it(
    page: Page, riverside, sign_in_as
):
    child = riverside.child_elsewhere
    sign_in_as(riverside.users[Role.POLICE_OFFICER])
    assert page.goto(child.get_absolute_url()).status == 404

    page.goto("/people/")
    page.get_by_role("link", name="Emergency access").click()
    assert_no_axe_violations(page)
    page.get_by_label("Why do you need emergency access?").fill("Too short")
    page.get_by_label("Your SafeHub password").fill(TEST_PASSWORD)
    page.get_by_label("Name").fill("Pemberton")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert_no_axe_violations(page)

    page.get_by_label("Why do you need emergency access?").fill(REASON)
    page.get_by_label("Your SafeHub password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Records outside your access")
    assert "pemberton" not in page.url.lower()
    assert_no_axe_violations(page)
    page.get_by_role("button", name=f"Open with emergency access to {child.reference}").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Zara Pemberton")
    expect(page.get_by_role("region", name="Emergency access")).to_contain_text(REASON)
    expect(page.get_by_role("region", name="Emergency access")).to_contain_text("The privacy officer will review it")
    assert_no_axe_violations(page)

    page.context.clear_cookies()
    sign_in_as(riverside.users[Role.PRIVACY_OFFICER])
    expect(page.locator("main")).to_contain_text("1 use of emergency access waits for your review")
    page.get_by_role("link", name="Review emergency access").click()
    expect(page.get_by_role("table").first).to_contain_text(REASON)
    expect(page.locator("main")).not_to_contain_text("Pemberton")
    assert_no_axe_violations(page)

    page.get_by_role("link", name=f"Review emergency access to {child.reference}").click()
    assert_no_axe_violations(page)
    page.get_by_label("Appropriate", exact=True).check()
    page.get_by_role("button", name="Record the review").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Review of the emergency access")
    expect(page.locator("main")).to_contain_text("Nothing is waiting for review.")
    assert_no_axe_violations(page)

    page.get_by_role("link", name=f"{child.reference} access history").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Who looked at this record, when and why")
    expect(page.get_by_role("table", name="Emergency access used")).to_contain_text("Appropriate")
    expect(page.get_by_role("table", name="Every access to this record, newest first")).to_contain_text(
        "Opened the record"
    )
    assert_no_axe_violations(page)
