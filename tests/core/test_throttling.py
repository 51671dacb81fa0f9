"""Throttling failed sign-ins per account and per address, without locking a real user out."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from safehub.audit.models import AuditEvent
from safehub.core import throttling
from tests.conftest import enrolled_authenticator

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
TOO_MANY = "Too many attempts. Try again in 5 minutes."
LIMITS = {
    "WINDOW_MINUTES": 15,
    "LOCKOUT_MINUTES": 5,
    "PAIR_FAILURES": 5,
    "ACCOUNT_FAILURES": 10,
    "ADDRESS_FAILURES": 20,
}


def attempt(client, username, password, address="203.0.113.1"):
    return client.post(reverse("core:sign-in"), {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in_with_password(client) -> bool:
    return "_auth_user_id" in client.session


@override_settings(SAFEHUB_SIGN_IN_THROTTLE=LIMITS)
def test_five_wrong_passwords_make_that_address_wait_even_with_the_right_password(client, social_worker, password):
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(5):
            assert b"Enter a correct username and password" in attempt(client, social_worker.username, "wrong").content

        response = attempt(client, social_worker.username, password)
        assert TOO_MANY.encode() in response.content
        assert not signed_in_with_password(client)

        clock.shift(datetime.timedelta(minutes=4, seconds=1))
        assert b"Try again in 1 minute." in attempt(client, social_worker.username, password).content
        clock.shift(datetime.timedelta(seconds=60))
        attempt(client, social_worker.username, password)
        assert signed_in_with_password(client)


@override_settings(SAFEHUB_SIGN_IN_THROTTLE=LIMITS)
def test_an_attacker_cannot_lock_the_real_user_out_from_another_address(client, social_worker, password):
    with time_machine.travel(START, tick=False):
        for number in range(30):
            attempt(client, social_worker.username, "guess", address=f"198.51.100.{number % 3}")
        assert TOO_MANY.encode() in attempt(client, social_worker.username, "guess", address="198.51.100.1").content

        attempt(client, social_worker.username, password, address="203.0.113.77")
        assert signed_in_with_password(client)


@override_settings(SAFEHUB_SIGN_IN_THROTTLE=LIMITS)
def test_an_account_failing_from_many_addresses_slows_every_failing_address(client, social_worker, password):
    with time_machine.travel(START, tick=False):
        for number in range(10):
            attempt(client, social_worker.username, "guess", address=f"198.51.100.{number}")

        # Each of these addresses failed only once, but the account has failed ten times.
        assert TOO_MANY.encode() in attempt(client, social_worker.username, password, address="198.51.100.3").content
        attempt(client, social_worker.username, password, address="192.0.2.9")
        assert signed_in_with_password(client)


@override_settings(SAFEHUB_SIGN_IN_THROTTLE=LIMITS)
def test_an_address_guessing_across_accounts_is_slowed_for_every_account(client, social_worker, password):
    with time_machine.travel(START, tick=False):
        for number in range(20):
            attempt(client, f"someone{number}", "guess")

        assert TOO_MANY.encode() in attempt(client, social_worker.username, password).content
        attempt(client, social_worker.username, password, address="192.0.2.10")
        assert signed_in_with_password(client)


@override_settings(SAFEHUB_SIGN_IN_THROTTLE=LIMITS)
def test_throttling_says_the_same_whether_or_not_the_account_exists(client, social_worker):
    with time_machine.travel(START, tick=False):
        for username in (social_worker.username, "no-such-person"):
            for _ in range(5):
                attempt(client, username, "guess")
        real = attempt(client, social_worker.username, "guess").content
        invented = attempt(client, "no-such-person", "guess").content
    assert TOO_MANY.encode() in real
    assert TOO_MANY.encode() in invented


@override_settings(SAFEHUB_SIGN_IN_THROTTLE=LIMITS)
def test_a_success_clears_the_addresss_earlier_failures(client, social_worker, password):
    with time_machine.travel(START, tick=False):
        for _ in range(4):
            attempt(client, social_worker.username, "typo")
        attempt(client, social_worker.username, password)
        client.post(reverse("core:sign-out"))
        for _ in range(4):
            attempt(client, social_worker.username, "typo")
        attempt(client, social_worker.username, password)
        assert signed_in_with_password(client)


@override_settings(SAFEHUB_SIGN_IN_THROTTLE=LIMITS)
def test_failures_and_throttling_are_audited_without_the_password(client, social_worker):
    with time_machine.travel(START, tick=False):
        for _ in range(6):
            attempt(client, "Typed-Name", "secret-guess-123")

    failed = AuditEvent.objects.filter(action="auth.sign_in_failed")
    assert failed.count() == 5
    assert {event.actor_username for event in failed} == {"Typed-Name"}
    assert {event.outcome for event in failed} == {"refused"}
    throttled = AuditEvent.objects.get(action="auth.throttled")
    assert throttled.detail == {"stage": "password"}
    assert throttled.ip_address == "203.0.113.1"
    assert not AuditEvent.objects.filter(detail__icontains="secret-guess").exists()
    assert "secret-guess" not in str(list(AuditEvent.objects.values()))


@override_settings(SAFEHUB_SIGN_IN_THROTTLE=LIMITS)
def test_wrong_second_factor_codes_are_throttled_too(client, social_worker, password):
    enrolled_authenticator(social_worker)
    with time_machine.travel(START, tick=False) as clock:
        attempt(client, social_worker.username, password)
        for _ in range(5):
            client.post(reverse("core:mfa-verify"), {"code": "000000"}, REMOTE_ADDR="203.0.113.1")

        response = client.post(reverse("core:mfa-verify"), {"code": "000000"}, REMOTE_ADDR="203.0.113.1")
        assert TOO_MANY.encode() in response.content
        assert AuditEvent.objects.filter(action="auth.throttled", detail__stage="code").count() == 1
        assert AuditEvent.objects.filter(action="mfa.verify_failed").count() == 5
        clock.shift(datetime.timedelta(minutes=5, seconds=1))
        response = client.post(reverse("core:mfa-verify"), {"code": "000000"}, REMOTE_ADDR="203.0.113.1")
        assert b"The code is not right" in response.content


def test_limits_come_from_settings():
    with override_settings(SAFEHUB_SIGN_IN_THROTTLE={"PAIR_FAILURES": 2}):
        assert throttling.limits()["PAIR_FAILURES"] == 2
        assert throttling.limits()["LOCKOUT_MINUTES"] == 5


def test_old_attempts_are_pruned(social_worker):
    with time_machine.travel(START, tick=False) as clock:
        throttling.record_attempt(stage="password", username="a", ip_address="192.0.2.1", succeeded=False)
        clock.shift(datetime.timedelta(days=2))
        throttling.record_attempt(stage="password", username="b", ip_address="192.0.2.1", succeeded=False)
    from safehub.core.models import SignInAttempt

    assert list(SignInAttempt.objects.values_list("username", flat=True)) == ["b"]


def _colleague_signs_in_first(social_worker, password):
    """The real user's own browser, which has signed in before on the shared network."""
    from tests.conftest import SignedInClient

    theirs = SignedInClient()
    attempt(theirs, social_worker.username, password, address="203.0.113.50")
    assert throttling.DEVICE_COOKIE in theirs.cookies
    # Signed out later (the session ends; the browser keeps its device cookie).
    del theirs.cookies[settings.SESSION_COOKIE_NAME]
    assert not signed_in_with_password(theirs)
    return theirs


@override_settings(SAFEHUB_SIGN_IN_THROTTLE=LIMITS)
def test_on_a_shared_network_someone_failing_for_a_colleague_does_not_lock_the_colleague_out(
    client, social_worker, password
):
    with time_machine.travel(START, tick=False) as clock:
        theirs = _colleague_signs_in_first(social_worker, password)
        clock.shift(datetime.timedelta(seconds=30))
        # Someone else on the school's one address fails for the colleague's account, and for others.
        for _ in range(6):
            attempt(client, social_worker.username, "guess", address="203.0.113.50")
        for number in range(25):
            attempt(client, f"someone{number}", "guess", address="203.0.113.50")
        assert TOO_MANY.encode() in attempt(client, social_worker.username, password, address="203.0.113.50").content
        # The colleague's own browser, on the same address, still signs in.
        attempt(theirs, social_worker.username, password, address="203.0.113.50")
        assert signed_in_with_password(theirs)


@override_settings(SAFEHUB_SIGN_IN_THROTTLE=LIMITS)
def test_a_known_device_is_still_throttled_for_its_own_failures(social_worker, password):
    with time_machine.travel(START, tick=False) as clock:
        theirs = _colleague_signs_in_first(social_worker, password)
        clock.shift(datetime.timedelta(seconds=30))
        for _ in range(5):
            attempt(theirs, social_worker.username, "wrong", address="203.0.113.50")
        assert TOO_MANY.encode() in attempt(theirs, social_worker.username, password, address="203.0.113.50").content
        assert not signed_in_with_password(theirs)


@override_settings(SAFEHUB_SIGN_IN_THROTTLE=LIMITS)
def test_a_device_cookie_counts_only_for_the_account_it_was_issued_to(client, social_worker, password):
    from tests.factories import UserFactory

    other = UserFactory()
    with time_machine.travel(START, tick=False) as clock:
        theirs = _colleague_signs_in_first(social_worker, password)
        clock.shift(datetime.timedelta(seconds=30))
        for _ in range(5):
            attempt(client, other.username, "guess", address="203.0.113.50")
        # The cookie names social_worker: for another account this browser is unknown, and waits.
        assert TOO_MANY.encode() in attempt(theirs, other.username, password, address="203.0.113.50").content
        forged = theirs.cookies[throttling.DEVICE_COOKIE].value[:-2] + "xx"
        theirs.cookies[throttling.DEVICE_COOKIE] = forged
        for _ in range(5):
            attempt(client, social_worker.username, "guess", address="203.0.113.50")
        assert TOO_MANY.encode() in attempt(theirs, social_worker.username, password, address="203.0.113.50").content
