"""Session lifetimes (idle and absolute), and sessions ending on sign-out, disable and MFA reset."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import override_settings
from django.urls import reverse

from safehub.audit.models import AuditEvent
from safehub.core.mfa import reset_mfa
from safehub.core.models import SignInSession

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def test_fifteen_minutes_idle_signs_out_with_a_message(client, social_worker):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(social_worker)
        clock.shift(datetime.timedelta(minutes=14))
        assert client.get(reverse("core:home")).status_code == 200
        clock.shift(datetime.timedelta(minutes=14))  # still within 15 of the last request
        assert client.get(reverse("core:home")).status_code == 200

        clock.shift(datetime.timedelta(minutes=15, seconds=1))
        response = client.get(reverse("core:home"), follow=True)

    assert response.redirect_chain[-1][0].startswith(reverse("core:sign-in"))
    assert b"had not used SafeHub for 15 minutes" in response.content
    expired = AuditEvent.objects.get(action="auth.session_expired")
    assert expired.detail == {"reason": "idle_timeout"}
    assert expired.actor == social_worker
    assert not AuditEvent.objects.filter(action="auth.signed_out").exists()


def test_twelve_hours_after_sign_in_the_session_ends_however_busy(client, social_worker):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(social_worker)
        for _ in range(12 * 6):  # a request every ten minutes, up to 12 hours exactly
            clock.shift(datetime.timedelta(minutes=10))
            assert client.get(reverse("core:home")).status_code == 200
        clock.shift(datetime.timedelta(minutes=1))
        response = client.get(reverse("core:home"), follow=True)

    assert response.redirect_chain[-1][0].startswith(reverse("core:sign-in"))
    assert b"signed in for 12 hours" in response.content
    assert AuditEvent.objects.get(action="auth.session_expired").detail == {"reason": "absolute_timeout"}


@override_settings(SAFEHUB_SESSION_IDLE_MINUTES=5, SAFEHUB_SESSION_ABSOLUTE_HOURS=1)
def test_session_limits_come_from_settings(client, social_worker):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(social_worker)
        clock.shift(datetime.timedelta(minutes=5, seconds=1))
        assert client.get(reverse("core:home")).status_code == 302


def test_an_expired_api_session_gets_401(client, social_worker):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(social_worker)
        assert client.get("/api/v1/me/").status_code == 200
        clock.shift(datetime.timedelta(minutes=16))
        assert client.get("/api/v1/me/").status_code in (401, 403)


def test_signing_out_ends_the_session_server_side_and_is_audited_once(client, social_worker):
    client.force_login(social_worker)
    session_key = client.session.session_key

    client.post(reverse("core:sign-out"))

    assert not Session.objects.filter(session_key=session_key).exists()
    assert SignInSession.objects.get(user=social_worker).end_reason == "signed_out"
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["auth.signed_out"]


def test_disabling_an_account_ends_its_session_on_the_next_request(client, social_worker):
    client.force_login(social_worker)
    assert client.get(reverse("core:home")).status_code == 200

    social_worker.is_active = False
    social_worker.save()
    response = client.get(reverse("core:home"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert SignInSession.objects.get(user=social_worker).end_reason == "account_disabled"
    social_worker.is_active = True
    social_worker.save()
    assert client.get(reverse("core:home")).status_code == 302  # re-enabling does not bring the session back


def test_mfa_reset_ends_every_session_of_the_user_and_only_theirs(client, social_worker, django_user_model):
    from tests.conftest import SignedInClient

    other_device = SignedInClient()
    other_device.force_login(social_worker)
    colleague = django_user_model.objects.create_user(username="colleague", password="x" * 20)
    colleague_client = SignedInClient()
    colleague_client.force_login(colleague)
    client.force_login(social_worker)

    reset_mfa(user=social_worker, by=None)

    assert client.get(reverse("core:home")).status_code == 302
    assert other_device.get(reverse("core:home")).status_code == 302
    assert colleague_client.get(reverse("core:home")).status_code == 200
    assert set(SignInSession.objects.filter(user=social_worker).values_list("end_reason", flat=True)) == {"mfa_reset"}


def test_session_cookie_is_http_only_same_site_and_lives_no_longer_than_the_absolute_limit(
    client, social_worker, password
):
    response = client.post(reverse("core:sign-in"), {"username": social_worker.username, "password": password})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == 12 * 60 * 60
