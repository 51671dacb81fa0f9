"""SafeHub is server-rendered: signing in and searching work with JavaScript switched off."""

import pytest
from playwright.sync_api import Page, expect

from safehub.partnership.roles import Role
from tests.e2e.conftest import CHROMIUM, NO_CHROMIUM, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]


def test_signing_in_and_searching_work_without_javascript(page_without_javascript: Page, riverside):
    page = page_without_javascript
    sign_in(page, riverside.users[Role.HUB_PRACTITIONER].username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Hub")

    page.get_by_role("button", name="Find a person").click()
    page.get_by_label("Postcode").fill("rv1 4ab")
    page.get_by_role("button", name="Search").click()

    expect(page.get_by_role("heading", name="3 people found")).to_be_visible()
    expect(page.get_by_role("link", name="Noah Okafor")).to_be_visible()
