"""The second factor: TOTP authenticator apps, single-use recovery codes, and MFA reset.

Built on django-otp: a user's authenticator is a confirmed `TOTPDevice`; their recovery
codes are the tokens of one `StaticDevice`, stored as SHA-256 digests (the codes are shown
once, at enrolment, and never again). A session is verified once `otp_login` has recorded
the device that verified it; `SecondFactorRequiredMiddleware` refuses everything else
until then.

Demo users are enrolled with secrets derived from their usernames (`enrol_demo_device`),
so `safehub demo-code USERNAME` can print the current code; both refuse to run unless
`SAFEHUB_DEMO_MODE` is on, which production settings force off.
"""

import base64
import hashlib
import secrets
from dataclasses import dataclass

import segno
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.oath import hotp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from safehub.audit.services import record
from safehub.core import throttling
from safehub.core.models import SIGN_IN_SESSION_KEY, SignInSession, end_sign_in_sessions
from safehub.partnership.models import User

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_CODES_NAME = "Recovery codes"
# Crockford-style: no 0/O or 1/I/L to confuse when typing from paper.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"

WRONG_CODE = "The code is not right. Enter the 6-digit code your authenticator app shows now."
WRONG_RECOVERY_CODE = "The recovery code is not right, or it has been used. Check it and try again."
DEMO_ONLY = "Demo sign-in help is switched off: it works only when SAFEHUB_DEMO_MODE is on, never in production."


@dataclass(frozen=True)
class CodeCheck:
    """The outcome of checking a code: the device that accepted it, or why it was refused."""

    device: TOTPDevice | StaticDevice | None = None
    error: str = ""


def confirmed_authenticator(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def pending_authenticator(user: User) -> TOTPDevice:
    """The unconfirmed authenticator being set up, made on first call and kept until confirmed,
    so reloading the set-up page shows the same QR code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


def qr_code_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// address as an inline SVG QR code, labelled for screen readers."""
    svg = segno.make(device.config_url, error="m").svg_inline(scale=5, light="#ffffff", omitsize=False)
    label = "QR code for setting up your authenticator app"
    return svg.replace("<svg ", f'<svg role="img" aria-label="{label}" focusable="false" ', 1)


def secret_for_display(device: TOTPDevice) -> str:
    """The secret key in base32, in groups of four, for typing into an app by hand."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def normalise_recovery_code(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def _recovery_digest(code: str) -> str:
    # StaticToken.token holds at most 16 characters: 64 bits of the digest of a 50-bit code.
    return hashlib.sha256(normalise_recovery_code(code).encode()).hexdigest()[:16]


def _new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with new ones; returns them for showing once."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_CODES_NAME, confirmed=True)
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    StaticToken.objects.bulk_create(StaticToken(device=device, token=_recovery_digest(code)) for code in codes)
    return codes


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user).count()


def _client_address(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _throttled(request: HttpRequest, user: User, factor: str) -> CodeCheck | None:
    wait = throttling.retry_after(
        stage=throttling.Stage.CODE, username=user.get_username(), ip_address=_client_address(request)
    )
    if wait is None:
        return None
    record(action="auth.throttled", actor=user, outcome="refused", detail={"stage": "code", "factor": factor})
    return CodeCheck(error=throttling.message(wait))


def _attempted(request: HttpRequest, user: User, *, succeeded: bool) -> None:
    throttling.record_attempt(
        stage=throttling.Stage.CODE,
        username=user.get_username(),
        ip_address=_client_address(request),
        succeeded=succeeded,
    )


@transaction.atomic
def confirm_authenticator(*, request: HttpRequest, user: User, device: TOTPDevice, code: str) -> list[str] | CodeCheck:
    """Confirm a new authenticator with a code from it. On success the old authenticator (if
    any) goes, new recovery codes are made, `mfa.enrolled` is recorded and the codes returned."""
    if (refused := _throttled(request, user, "enrolment")) is not None:
        return refused
    if device.user_id != user.pk or device.confirmed or not device.verify_token(code):
        _attempted(request, user, succeeded=False)
        record(action="mfa.verify_failed", actor=user, outcome="refused", detail={"factor": "enrolment"})
        return CodeCheck(error=WRONG_CODE)
    _attempted(request, user, succeeded=True)
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(user)
    record(action="mfa.enrolled", actor=user, target=user, detail={"recovery_codes": len(codes)})
    return codes


@transaction.atomic
def check_authenticator_code(*, request: HttpRequest, user: User, code: str) -> CodeCheck:
    if (refused := _throttled(request, user, "totp")) is not None:
        return refused
    device = confirmed_authenticator(user)
    if device is None or not device.verify_token(code):
        _attempted(request, user, succeeded=False)
        record(action="mfa.verify_failed", actor=user, outcome="refused", detail={"factor": "totp"})
        return CodeCheck(error=WRONG_CODE)
    _attempted(request, user, succeeded=True)
    return CodeCheck(device=device)


@transaction.atomic
def check_recovery_code(*, request: HttpRequest, user: User, code: str) -> CodeCheck:
    """A recovery code instead of the app's code. It is used up: it never works again."""
    if (refused := _throttled(request, user, "recovery_code")) is not None:
        return refused
    device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    if device is None or not device.verify_token(_recovery_digest(code)):
        _attempted(request, user, succeeded=False)
        record(action="mfa.verify_failed", actor=user, outcome="refused", detail={"factor": "recovery_code"})
        return CodeCheck(error=WRONG_RECOVERY_CODE)
    _attempted(request, user, succeeded=True)
    record(
        action="mfa.recovery_code_used",
        actor=user,
        target=user,
        detail={"recovery_codes_left": recovery_codes_left(user)},
    )
    return CodeCheck(device=device)


@transaction.atomic
def complete_sign_in(*, request: HttpRequest, device: TOTPDevice | StaticDevice, second_factor: str) -> None:
    """Mark the session verified by `device`, give it a new id, and record `auth.signed_in`."""
    user = request.user
    assert isinstance(user, User)
    otp_login(request, device)
    request.session.cycle_key()
    row_id = request.session.get(SIGN_IN_SESSION_KEY)
    if row_id is not None:
        SignInSession.objects.filter(pk=row_id).update(session_key=request.session.session_key or "")
    record(action="auth.signed_in", actor=user, target=user, detail={"second_factor": second_factor})


@transaction.atomic
def reset_mfa(*, user: User, by: User | None) -> None:
    """Take away a user's authenticator and recovery codes and end all their sessions: they
    set up a new authenticator at their next sign-in. For a lost phone, or a suspected leak."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    ended = end_sign_in_sessions(user_id=user.pk, reason="mfa_reset")
    record(action="mfa.reset", actor=by, target=user, detail={"sessions_ended": ended})


def _require_demo_mode() -> None:
    if not settings.SAFEHUB_DEMO_MODE:
        raise ImproperlyConfigured(DEMO_ONLY)


def demo_secret(username: str) -> str:
    """The demo user's TOTP secret (hex), the same every time the demo is built, so the
    same authenticator entry keeps working. Never used outside demo mode."""
    return hashlib.sha256(f"safehub-demo-authenticator:{username}".encode()).hexdigest()[:40]


@transaction.atomic
def enrol_demo_device(user: User) -> TOTPDevice:
    """Enrol a demo user with an authenticator whose secret derives from their username.
    Refuses (ImproperlyConfigured) unless SAFEHUB_DEMO_MODE is on."""
    _require_demo_mode()
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(
        user=user, name=AUTHENTICATOR_NAME, key=demo_secret(user.get_username()), confirmed=True
    )
    record(action="mfa.enrolled", actor=None, target=user, purpose="Demo user enrolled", detail={"demo": True})
    return device


def demo_code(username: str) -> str:
    """The current 6-digit code of a demo user's authenticator. Refuses unless in demo mode,
    and for any user whose authenticator is not the demo one (never a real user's code)."""
    _require_demo_mode()
    device = TOTPDevice.objects.filter(user__username=username, confirmed=True, key=demo_secret(username)).first()
    if device is None:
        raise LookupError("That user has no demo authenticator: demo codes are only for the demo's own users.")
    # The next code the device will accept: the current step, or the one after the last used.
    step = int((timezone.now().timestamp() - device.t0) // device.step) + device.drift
    step = max(step, device.last_t + 1)
    return f"{hotp(device.bin_key, step, digits=device.digits):0{device.digits}d}"
