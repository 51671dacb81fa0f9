"""The inbox, as a police officer sees it: empty at first, then a notification that is
counted in the navigation, opened, and marked read."""

import pytest
from django.db import transaction
from playwright.sync_api import Page, expect

from safehub.notifications.models import Channel
from safehub.notifications.services import notify
from safehub.partnership.roles import Role
from tests.e2e.conftest import CHROMIUM, NO_CHROMIUM, assert_no_axe_violations, navigation_labels

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]


def test_inbox_shows_a_notification_counts_it_until_opened_and_leads_to_its_record(page: Page, riverside, sign_in_as):
    officer = riverside.users[Role.POLICE_OFFICER]
    sign_in_as(officer)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Inbox").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inbox")
    expect(page.get_by_text("You have no notifications.")).to_be_visible()
    assert_no_axe_violations(page)

    with transaction.atomic():
        notify(
            key=f"access.granted:org-{riverside.police.pk}:user-{officer.pk}",
            recipient=officer,
            kind="access.granted",
            reference="AC-000001",
            link=riverside.police.get_absolute_url(),
            channels=[Channel.INBOX],
        )
    page.reload()
    assert "Inbox (1 unread)" in navigation_labels(page)
    row = page.get_by_role("row").filter(has_text="AC-000001")
    expect(row).to_contain_text("Unread")
    assert_no_axe_violations(page)

    row.get_by_role("button").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(riverside.police.name)
    page.goto("/inbox/")
    expect(page.get_by_role("row").filter(has_text="AC-000001")).to_contain_text("Read")
    assert "Inbox" in navigation_labels(page)
