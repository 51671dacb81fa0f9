"""Slowing down guessing of passwords and second-factor codes, without locking real users out.

Every try is a `SignInAttempt` row. Within the window (`WINDOW_MINUTES`) an address must
wait `LOCKOUT_MINUTES` after its last failure when:

- it has failed `PAIR_FAILURES` times for one account (since its last success for it);
- it has failed `ADDRESS_FAILURES` times across all accounts; or
- the account has failed `ACCOUNT_FAILURES` times from anywhere, and this address is one
  of those that failed for it.

The last rule is what keeps a real user in: an attacker spread over many addresses slows
every failing address down, but a correct password from an address that has not been
failing for that account is still accepted. Throttling is keyed on the username as typed,
so it behaves the same whether or not the account exists.

On a school's or council's shared network everyone has one address, so an attacker (or a
careless colleague) failing for someone's account would lock that person out too. So a
browser the account has signed in on before carries a device cookie (signed, naming the
account: `DEVICE_COOKIE`), and its tries are throttled apart: only that account's failures
on that device count against it (`PAIR_FAILURES`), never the address's or the account's
elsewhere. A new browser on a shared network is throttled as before.
"""

import math
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db.models import Count, Max, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from safehub.core.models import SignInAttempt

Stage = SignInAttempt.Stage

DEFAULT_LIMITS = {
    "WINDOW_MINUTES": 15,
    "LOCKOUT_MINUTES": 5,
    "PAIR_FAILURES": 5,
    "ACCOUNT_FAILURES": 10,
    "ADDRESS_FAILURES": 20,
}
# Attempts older than this are of no use to any rule; they are pruned as new ones arrive.
KEEP_ATTEMPTS_FOR = timedelta(days=1)


def limits() -> dict[str, int]:
    return {**DEFAULT_LIMITS, **getattr(settings, "SAFEHUB_SIGN_IN_THROTTLE", {})}


def _address(queryset: QuerySet[SignInAttempt], ip_address: str | None) -> QuerySet[SignInAttempt]:
    if ip_address is None:
        return queryset.filter(ip_address__isnull=True)
    return queryset.filter(ip_address=ip_address)


DEVICE_COOKIE = "safehub_device"
DEVICE_SALT = "safehub.core.throttling.device"
DEVICE_DAYS = 365


def device_for(request: HttpRequest, username: str) -> str:
    """The nonce of this browser's device cookie if it was issued to `username`, else ""."""
    raw = request.COOKIES.get(DEVICE_COOKIE, "")
    if not raw or not username:
        return ""
    try:
        value = signing.loads(raw, salt=DEVICE_SALT, max_age=timedelta(days=DEVICE_DAYS))
    except signing.BadSignature:
        return ""
    if not isinstance(value, dict) or str(value.get("u", "")).casefold() != username.casefold():
        return ""
    return str(value.get("n", ""))[:32]


def remember_device(response: HttpResponse, username: str) -> None:
    """After a right password: mark this browser as one the account signs in on."""
    value = signing.dumps({"u": username, "n": secrets.token_hex(16)}, salt=DEVICE_SALT)
    response.set_cookie(
        DEVICE_COOKIE,
        value,
        max_age=DEVICE_DAYS * 24 * 3600,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def retry_after(*, stage: str, username: str, ip_address: str | None, device: str = "") -> timedelta | None:
    """How long this address (or this known device) must wait before trying this account
    again, or None."""
    limit = limits()
    now = timezone.now()
    lockout = timedelta(minutes=limit["LOCKOUT_MINUTES"])
    recent = SignInAttempt.objects.filter(
        stage=stage, attempted_at__gte=now - timedelta(minutes=limit["WINDOW_MINUTES"])
    )
    if device:
        # A device the account signed in on before: only its own failures for the account count.
        tries = recent.filter(username=username, device=device)
        last_success = tries.filter(succeeded=True).aggregate(at=Max("attempted_at"))["at"]
        failed = tries.filter(succeeded=False)
        if last_success is not None:
            failed = failed.filter(attempted_at__gt=last_success)
        summary = failed.aggregate(count=Count("pk"), last=Max("attempted_at"))
        if summary["count"] >= limit["PAIR_FAILURES"] and summary["last"] + lockout > now:
            return summary["last"] + lockout - now
        return None
    # Everyone else is judged by the tries from unknown devices only.
    recent = recent.filter(device="")
    failures = recent.filter(succeeded=False)

    pair = _address(recent.filter(username=username), ip_address)
    last_success = pair.filter(succeeded=True).aggregate(at=Max("attempted_at"))["at"]
    pair_failures = pair.filter(succeeded=False)
    if last_success is not None:
        pair_failures = pair_failures.filter(attempted_at__gt=last_success)

    blocked_until: list[datetime] = []
    pair_summary = pair_failures.aggregate(count=Count("pk"), last=Max("attempted_at"))
    if pair_summary["count"] >= limit["PAIR_FAILURES"]:
        blocked_until.append(pair_summary["last"] + lockout)
    address_summary = _address(failures, ip_address).aggregate(count=Count("pk"), last=Max("attempted_at"))
    if address_summary["count"] >= limit["ADDRESS_FAILURES"]:
        blocked_until.append(address_summary["last"] + lockout)
    if pair_summary["count"] and failures.filter(username=username).count() >= limit["ACCOUNT_FAILURES"]:
        blocked_until.append(pair_summary["last"] + lockout)

    until = max(blocked_until, default=None)
    if until is None or until <= now:
        return None
    return until - now


def record_attempt(*, stage: str, username: str, ip_address: str | None, succeeded: bool, device: str = "") -> None:
    now = timezone.now()
    SignInAttempt.objects.filter(attempted_at__lt=now - KEEP_ATTEMPTS_FOR).delete()
    SignInAttempt.objects.create(
        attempted_at=now,
        stage=stage,
        username=username[:150],
        ip_address=ip_address,
        device=device,
        succeeded=succeeded,
    )


def message(wait: timedelta) -> str:
    """What the user reads: how long to wait, never whether the account exists."""
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    return f"Too many attempts. Try again in {minutes} minute{'' if minutes == 1 else 's'}."
