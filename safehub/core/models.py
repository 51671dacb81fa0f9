"""State that belongs to the system rather than to a safeguarding process."""

from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db import models
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone


class WorkerHeartbeat(models.Model):
    """When the background worker last ran its heartbeat job (one row)."""

    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Worker seen at {self.seen_at:%Y-%m-%d %H:%M:%S}"


class SignInAttempt(models.Model):
    """One try at a password or a second-factor code, kept for throttling (see `throttling.py`).

    `username` is as typed, whether or not such an account exists, so throttling says
    nothing about which accounts exist. Rows older than a day are pruned as new ones come.
    """

    class Stage(models.TextChoices):
        PASSWORD = "password", "Password"
        CODE = "code", "Second-factor code"
        EMERGENCY = "emergency", "Password re-entered for emergency access"

    attempted_at = models.DateTimeField(db_index=True)
    stage = models.CharField(max_length=10, choices=Stage.choices)
    username = models.CharField(max_length=150)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    # The device the account signed in on before (a signed cookie's nonce), or blank.
    device = models.CharField(max_length=32, blank=True, default="")
    succeeded = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["stage", "username", "attempted_at"]),
            models.Index(fields=["stage", "ip_address", "attempted_at"]),
        ]

    def __str__(self) -> str:
        outcome = "succeeded" if self.succeeded else "failed"
        return f"{self.get_stage_display()} {outcome} at {self.attempted_at:%Y-%m-%d %H:%M:%S}"


class SignInSession(models.Model):
    """A signed-in session, so that it can be ended from outside it (MFA reset, account
    disabled). The session holds this row's id; a session whose row has ended is signed out
    on its next request, whatever the session store still holds."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    session_key = models.CharField(max_length=64, blank=True)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=30, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "ended_at"])]

    def __str__(self) -> str:
        return f"Session started {self.started_at:%Y-%m-%d %H:%M:%S}"


# What a signed-in session holds besides Django's own keys (see `middleware.SessionLifetimeMiddleware`).
SIGN_IN_SESSION_KEY = "_safehub_sign_in_session"
LAST_SEEN_KEY = "_safehub_last_seen"


def end_sign_in_sessions(*, user_id: int, reason: str) -> int:
    """End every open session of a user (MFA reset, account disabled): each is signed out on
    its next request, and removed from the session store now. Returns how many ended."""
    from importlib import import_module

    store = import_module(settings.SESSION_ENGINE).SessionStore
    open_sessions = SignInSession.objects.filter(user_id=user_id, ended_at__isnull=True)
    keys = [key for key in open_sessions.values_list("session_key", flat=True) if key]
    ended = open_sessions.update(ended_at=timezone.now(), end_reason=reason)
    for key in keys:
        store(session_key=key).delete()
    return ended


@receiver(user_logged_in, dispatch_uid="safehub-start-sign-in-session")
def _start_sign_in_session(sender: object, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """Every `login()` (the sign-in page, or a test's force_login) starts a tracked session."""
    if request is None or not hasattr(request, "session"):
        return
    now = timezone.now()
    if request.session.session_key is None:
        request.session.save()
    row = SignInSession.objects.create(user=user, session_key=request.session.session_key or "", started_at=now)
    request.session[SIGN_IN_SESSION_KEY] = row.pk
    request.session[LAST_SEEN_KEY] = now.timestamp()


# Set on the request by whatever ends a session other than the user signing out
# (timeouts, MFA reset, account disabled): the reason recorded.
END_REASON_ATTRIBUTE = "safehub_session_end_reason"


@receiver(user_logged_out, dispatch_uid="safehub-end-sign-in-session")
def _end_sign_in_session(sender: object, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """Every `logout()` ends the tracked session and is audited once: `auth.signed_out` when
    the user asked, `auth.session_expired` (with the reason) when the system ended it."""
    from safehub.audit.services import record

    if request is None or not hasattr(request, "session"):
        return
    reason = getattr(request, END_REASON_ATTRIBUTE, "")
    row_id = request.session.get(SIGN_IN_SESSION_KEY)
    if row_id is not None:
        SignInSession.objects.filter(pk=row_id, ended_at__isnull=True).update(
            ended_at=timezone.now(), end_reason=reason or "signed_out"
        )
    user_id = request.session.get("_auth_user_id", "")
    if reason:
        record(
            action="auth.session_expired",
            actor=user,
            object_type="partnership.user",
            object_id=str(user_id),
            detail={"reason": reason},
        )
    else:
        record(action="auth.signed_out", actor=user, object_type="partnership.user", object_id=str(user_id))
