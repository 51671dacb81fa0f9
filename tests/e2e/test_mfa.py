"""The second factor in the browser: setting up an authenticator on first sign-in, and
signing in with a recovery code instead."""

import base64
import re

import pytest
from django_otp.oath import hotp
from playwright.sync_api import Page, expect

from safehub.partnership.roles import Role
from tests.e2e.conftest import CHROMIUM, NO_CHROMIUM, assert_no_axe_violations, sign_in_with_password

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]


def code_for_key(key_text: str) -> str:
    """What an authenticator app shows for a key typed in by hand."""
    import time

    key = base64.b32decode(key_text.replace(" ", "") + "=" * (-len(key_text.replace(" ", "")) % 8))
    return f"{hotp(key, int(time.time() // 30), digits=6):06d}"


def set_up_authenticator(page: Page, username: str) -> list[str]:
    sign_in_with_password(page, username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your authenticator app")
    expect(page.get_by_role("img", name="QR code for setting up your authenticator app")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_text("I cannot scan the QR code").click()
    key = page.locator("#authenticator-key").inner_text()
    page.get_by_label("Enter the code the app shows").fill(code_for_key(key))
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Save your recovery codes")
    codes = [
        text.strip() for text in page.get_by_role("list", name="Your recovery codes").locator("li").all_inner_texts()
    ]
    assert len(codes) == 10
    assert all(re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", code) for code in codes)
    assert_no_axe_violations(page)
    page.get_by_role("button", name="I have saved these codes").click()
    return codes


def test_first_sign_in_sets_up_an_authenticator_and_shows_recovery_codes_once(page: Page, riverside):
    user = riverside.users[Role.SOCIAL_WORKER]

    set_up_authenticator(page, user.username)

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {user.first_name}")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your authenticator app is set up")
    page.goto("/sign-in/recovery-codes/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {user.first_name}")


def test_a_recovery_code_signs_in_instead_of_the_app(page: Page, riverside):
    user = riverside.users[Role.POLICE_OFFICER]
    codes = set_up_authenticator(page, user.username)
    page.get_by_role("button", name="Sign out").click()

    sign_in_with_password(page, user.username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter the code from your authenticator app")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Use a recovery code instead").click()
    page.get_by_label("Enter a recovery code").fill("wrong-codes")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The recovery code is not right")
    assert_no_axe_violations(page)
    page.get_by_label("Enter a recovery code").fill(codes[3])
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {user.first_name}")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have 9 left")
