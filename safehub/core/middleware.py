"""Cross-cutting HTTP behaviour."""

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from safehub.core.models import END_REASON_ATTRIBUTE, LAST_SEEN_KEY, SIGN_IN_SESSION_KEY, SignInSession


class PersonalDataCacheControlMiddleware:
    """Nothing a signed-in user sees may be kept by a browser or proxy cache.

    Pages for signed-in users can show personal data, so every such response is marked
    `Cache-Control: no-store` (and private); static files are left cacheable.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or request.path.startswith("/api/"):
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
        return response


LAST_SEEN_PRECISION_SECONDS = 60


class SessionLifetimeMiddleware:
    """Signs a session out when it has been idle too long, lived too long, or was ended from
    outside (MFA reset, account disabled). Runs after authentication and messages.

    The request then carries on as a signed-out one: a page sends the user to sign in,
    where a message says why; an API call gets 401.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if SESSION_KEY in request.session:
            reason = self._end_reason(request)
            if reason:
                self._sign_out(request, reason)
        return self.get_response(request)

    @staticmethod
    def _end_reason(request: HttpRequest) -> str:
        if not request.user.is_authenticated:
            return "account_disabled"
        row_id = request.session.get(SIGN_IN_SESSION_KEY)
        row = SignInSession.objects.filter(pk=row_id, user=request.user).first() if row_id is not None else None
        if row is None or row.ended_at is not None:
            return row.end_reason if row is not None and row.end_reason else "ended"
        now = timezone.now()
        if now - row.started_at > timedelta(hours=settings.SAFEHUB_SESSION_ABSOLUTE_HOURS):
            return "absolute_timeout"
        last_seen = request.session.get(LAST_SEEN_KEY, row.started_at.timestamp())
        if now.timestamp() - last_seen > settings.SAFEHUB_SESSION_IDLE_MINUTES * 60:
            return "idle_timeout"
        # Written at most once a minute: a page's images and a burst of requests then share one
        # session write (concurrent writes of one session row are what lock SQLite), and an
        # idle limit counted in minutes loses nothing.
        if now.timestamp() - last_seen >= LAST_SEEN_PRECISION_SECONDS:
            request.session[LAST_SEEN_KEY] = now.timestamp()
        if row.session_key != request.session.session_key and request.session.session_key:
            SignInSession.objects.filter(pk=row.pk).update(session_key=request.session.session_key)
        return ""

    @staticmethod
    def _sign_out(request: HttpRequest, reason: str) -> None:
        setattr(request, END_REASON_ATTRIBUTE, reason)
        with transaction.atomic():
            logout(request)
        text = _SIGNED_OUT_MESSAGES.get(reason, _SIGNED_OUT_MESSAGES["ended"])
        messages.warning(
            request,
            text.format(idle=settings.SAFEHUB_SESSION_IDLE_MINUTES, hours=settings.SAFEHUB_SESSION_ABSOLUTE_HOURS),
        )


_SIGNED_OUT_MESSAGES = {
    "idle_timeout": (
        "You were signed out because you had not used SafeHub for {idle} minutes. Sign in again to continue."
    ),
    "absolute_timeout": (
        "You were signed out because you had been signed in for {hours} hours. Sign in again to continue."
    ),
    "ended": "Your session has ended. Sign in again to continue.",
}


class SecondFactorRequiredMiddleware:
    """Nothing but the sign-in pages is open to a user who has given a password but not yet
    a second factor (django-otp's `is_verified()`): pages redirect to the code page, API
    calls get 401. API calls that carry a token are left to the API's token authentication:
    tokens are issued to systems, which have no second factor. Django's admin sign-in page
    sends people to SafeHub's, so nobody can sign in around the second factor or throttling.
    """

    OPEN_VIEWS = frozenset(
        {
            "core:sign-in",
            "core:sign-out",
            "core:mfa-verify",
            "core:mfa-recovery",
            "core:mfa-set-up",
            "core:mfa-recovery-codes",
        }
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == reverse("admin:login"):
            return redirect_to_login(request.GET.get("next", reverse("admin:index")), reverse("core:sign-in"))
        user = request.user
        if user.is_authenticated and not user.is_verified() and not self._open(request):  # type: ignore[attr-defined]
            if request.path_info.startswith("/api/"):
                return JsonResponse(
                    {
                        "error": {
                            "status": 401,
                            "code": "second_factor_required",
                            "message": "Finish signing in with your second factor, or call the API with a token.",
                            "fields": {},
                        }
                    },
                    status=401,
                )
            return redirect_to_login(request.get_full_path(), reverse("core:mfa-verify"))
        return self.get_response(request)

    def _open(self, request: HttpRequest) -> bool:
        if request.path_info.startswith(settings.STATIC_URL):
            return True
        if request.path_info.startswith("/api/") and request.META.get("HTTP_AUTHORIZATION", "").startswith("Token "):
            return True
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        return match.view_name in self.OPEN_VIEWS
