"""The second factor: enrolment on first sign-in, codes, recovery codes, the demo's help, reset."""

import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from safehub.audit.models import AuditEvent
from safehub.core import mfa
from tests.conftest import authenticator_code, enrolled_authenticator

pytestmark = pytest.mark.django_db


def actions() -> list[str]:
    return list(AuditEvent.objects.values_list("action", flat=True))


def sign_in_with_password(client, user, password):
    return client.post(reverse("core:sign-in"), {"username": user.username, "password": password})


def test_password_alone_opens_nothing_but_the_sign_in_pages(client, social_worker, password):
    enrolled_authenticator(social_worker)
    sign_in_with_password(client, social_worker, password)

    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:mfa-verify"))
    assert client.get(reverse("people:search")).status_code == 302
    api = client.get("/api/v1/me/")
    assert api.status_code == 401
    assert api.json()["error"]["code"] == "second_factor_required"
    assert client.get(reverse("core:mfa-verify")).status_code == 200


def test_a_right_code_signs_in_once_and_cannot_be_replayed(client, social_worker, password):
    device = enrolled_authenticator(social_worker)
    sign_in_with_password(client, social_worker, password)
    code = authenticator_code(device)

    response = client.post(reverse("core:mfa-verify"), {"code": code})

    assert response["Location"] == reverse("core:home")
    assert client.get(reverse("core:home")).status_code == 200
    assert actions().count("auth.signed_in") == 1
    client.post(reverse("core:sign-out"))
    sign_in_with_password(client, social_worker, password)
    response = client.post(reverse("core:mfa-verify"), {"code": code})
    assert response.status_code == 200
    assert b"The code is not right" in response.content


def test_a_wrong_code_is_refused_and_audited(client, social_worker, password):
    enrolled_authenticator(social_worker)
    sign_in_with_password(client, social_worker, password)

    response = client.post(reverse("core:mfa-verify"), {"code": "000000"})

    assert b"The code is not right" in response.content
    assert client.get(reverse("core:home")).status_code == 302
    failed = AuditEvent.objects.get(action="mfa.verify_failed")
    assert failed.outcome == "refused"
    assert failed.actor == social_worker


def test_code_that_is_not_six_digits_says_what_to_enter(client, social_worker, password):
    enrolled_authenticator(social_worker)
    sign_in_with_password(client, social_worker, password)

    response = client.post(reverse("core:mfa-verify"), {"code": "12ab"})

    assert b"The code must be 6 digits" in response.content
    assert "mfa.verify_failed" not in actions()


def test_first_sign_in_sets_up_an_authenticator_then_shows_recovery_codes_once(client, social_worker, password):
    response = sign_in_with_password(client, social_worker, password)
    response = client.get(response["Location"], follow=True)
    assert response.redirect_chain[-1][0] == reverse("core:mfa-set-up")
    page = response.content.decode()
    assert '<svg role="img" aria-label="QR code' in page
    assert "<script" not in page.split("</main>")[0]
    key = re.search(r'id="authenticator-key">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    device = TOTPDevice.objects.get(user=social_worker, confirmed=False)
    assert mfa.secret_for_display(device).replace(" ", "") == key

    response = client.post(reverse("core:mfa-set-up"), {"code": authenticator_code(device)})
    assert response["Location"] == reverse("core:mfa-recovery-codes")
    assert client.get(reverse("core:home")).status_code == 302  # not signed in until the codes are saved
    codes_page = client.get(reverse("core:mfa-recovery-codes")).content.decode()
    codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", codes_page)
    assert len(set(codes)) == 10
    assert not StaticToken.objects.filter(token__in=codes).exists()  # stored as digests, never as typed

    response = client.post(reverse("core:mfa-recovery-codes"))
    assert response["Location"] == reverse("core:home")
    assert client.get(reverse("core:home")).status_code == 200
    assert client.get(reverse("core:mfa-recovery-codes"))["Location"] == reverse("core:home")
    assert actions() == ["mfa.enrolled", "auth.signed_in"]


def test_setting_up_with_a_wrong_code_confirms_nothing(client, social_worker, password):
    sign_in_with_password(client, social_worker, password)
    client.get(reverse("core:mfa-set-up"))

    response = client.post(reverse("core:mfa-set-up"), {"code": "000000"})

    assert b"The code is not right" in response.content
    assert not TOTPDevice.objects.filter(user=social_worker, confirmed=True).exists()
    assert "mfa.enrolled" not in actions()


def enrol_with_recovery_codes(client, user, password) -> list[str]:
    sign_in_with_password(client, user, password)
    client.get(reverse("core:mfa-set-up"))
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    client.post(reverse("core:mfa-set-up"), {"code": authenticator_code(device)})
    codes = client.session["_safehub_new_recovery_codes"]
    client.post(reverse("core:mfa-recovery-codes"))
    client.post(reverse("core:sign-out"))
    return codes


def test_a_recovery_code_signs_in_instead_of_the_app_and_is_used_up(client, social_worker, password):
    codes = enrol_with_recovery_codes(client, social_worker, password)

    sign_in_with_password(client, social_worker, password)
    response = client.post(reverse("core:mfa-recovery"), {"code": codes[0].upper()}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("core:home")
    assert b"You have 9 left" in response.content
    assert mfa.recovery_codes_left(social_worker) == 9
    used = AuditEvent.objects.get(action="mfa.recovery_code_used")
    assert used.detail == {"recovery_codes_left": 9}
    client.post(reverse("core:sign-out"))
    sign_in_with_password(client, social_worker, password)
    response = client.post(reverse("core:mfa-recovery"), {"code": codes[0]})
    assert b"The recovery code is not right, or it has been used" in response.content
    assert client.get(reverse("core:home")).status_code == 302


def test_reset_mfa_removes_the_factors_ends_sessions_and_is_audited(client, social_worker, password):
    admin_user = social_worker.__class__.objects.create_user(username="admin-person", password=password)
    enrol_with_recovery_codes(client, social_worker, password)
    client.force_login(social_worker)
    assert client.get(reverse("core:home")).status_code == 200

    mfa.reset_mfa(user=social_worker, by=admin_user)

    assert not TOTPDevice.objects.filter(user=social_worker).exists()
    assert mfa.recovery_codes_left(social_worker) == 0
    response = client.get(reverse("core:home"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("core:sign-in"))
    reset = AuditEvent.objects.get(action="mfa.reset")
    assert reset.actor == admin_user
    assert reset.object_id == str(social_worker.pk)
    assert reset.detail["sessions_ended"] >= 1
    sign_in_with_password(client, social_worker, password)
    assert client.get(reverse("core:mfa-verify"))["Location"] == reverse("core:mfa-set-up")


@override_settings(SAFEHUB_DEMO_MODE=True)
def test_demo_users_are_enrolled_with_a_secret_derived_from_their_username(social_worker):
    first = mfa.enrol_demo_device(social_worker)
    again = mfa.enrol_demo_device(social_worker)

    assert first.key == again.key == mfa.demo_secret(social_worker.username)
    assert TOTPDevice.objects.filter(user=social_worker, confirmed=True).count() == 1
    assert mfa.demo_secret("someone-else") != first.key


@override_settings(SAFEHUB_DEMO_MODE=True)
def test_demo_code_command_prints_the_code_the_device_accepts(social_worker, capsys):
    device = mfa.enrol_demo_device(social_worker)

    call_command("demo_code", social_worker.username)

    code = capsys.readouterr().out.strip()
    assert re.fullmatch(r"\d{6}", code)
    assert device.verify_token(code)


@override_settings(SAFEHUB_DEMO_MODE=True)
def test_demo_code_refuses_a_user_whose_authenticator_is_not_the_demo_one(social_worker):
    enrolled_authenticator(social_worker)

    with pytest.raises(CommandError, match="no demo authenticator"):
        call_command("demo_code", social_worker.username)


@override_settings(SAFEHUB_DEMO_MODE=False)
def test_production_like_settings_refuse_demo_enrolment_and_demo_codes(social_worker):
    with pytest.raises(ImproperlyConfigured, match="SAFEHUB_DEMO_MODE"):
        mfa.enrol_demo_device(social_worker)
    with pytest.raises(CommandError, match="switched off"):
        call_command("demo-code", social_worker.username)
    assert not TOTPDevice.objects.filter(user=social_worker).exists()


def test_code_page_shows_the_demo_hint_in_demo_mode_only(client, social_worker, password):
    enrolled_authenticator(social_worker)
    sign_in_with_password(client, social_worker, password)

    assert b"safehub demo-code" not in client.get(reverse("core:mfa-verify")).content
    with override_settings(SAFEHUB_DEMO_MODE=True):
        page = client.get(reverse("core:mfa-verify")).content.decode()
    assert f"uv run safehub demo-code {social_worker.username}" in page


def test_django_admin_sign_in_page_sends_people_to_safehubs(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:sign-in"))


def test_api_calls_with_a_token_need_no_second_factor(social_worker):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=social_worker).key}")
    assert api.get("/api/v1/me/").status_code == 200
