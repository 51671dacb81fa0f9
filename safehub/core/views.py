"""Sign-in (a password, then a second factor), sign-out, each role's home page, the API
guide and the system status page."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from safehub.audit.services import record
from safehub.core import mfa, throttling
from safehub.core import selectors as core_selectors
from safehub.core.forms import AuthenticatorCodeForm, RecoveryCodeForm, SignInForm
from safehub.partnership.models import User
from safehub.partnership.roles import Capability, has_capability


class SignInView(auth_views.LoginView):
    """The first step: username and password, throttled (see `throttling.py`). A right
    password signs the user in unverified; the second factor comes next."""

    template_name = "core/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def _attempt(self) -> dict[str, Any]:
        username = self.request.POST.get("username", "")[:150]
        return {
            "stage": throttling.Stage.PASSWORD,
            "username": username,
            "ip_address": self.request.META.get("REMOTE_ADDR") or None,
            # A browser this account signed in on before is throttled apart (shared networks).
            "device": throttling.device_for(self.request, username),
        }

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        if self.request.method == "POST":
            wait = throttling.retry_after(**self._attempt())
            if wait is not None:
                kwargs["throttle_message"] = throttling.message(wait)
        return kwargs

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        attempt = self._attempt()
        with transaction.atomic():
            throttling.record_attempt(**attempt, succeeded=True)
            auth_login(self.request, form.get_user())
        self.request.session[NEXT_KEY] = self.get_redirect_url()
        response = redirect("core:mfa-verify")
        if not attempt["device"]:
            throttling.remember_device(response, attempt["username"])
        return response

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        attempt = self._attempt()
        with transaction.atomic():
            if form.has_error(NON_FIELD_ERRORS, "throttled"):
                record(
                    action="auth.throttled",
                    actor_username=attempt["username"],
                    outcome="refused",
                    detail={"stage": "password"},
                )
            elif form.has_error(NON_FIELD_ERRORS, "invalid_login") or form.has_error(NON_FIELD_ERRORS, "inactive"):
                throttling.record_attempt(**attempt, succeeded=False)
                record(action="auth.sign_in_failed", actor_username=attempt["username"], outcome="refused")
        return super().form_invalid(form)


@method_decorator(require_POST, name="dispatch")
class SignOutView(auth_views.LogoutView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        with transaction.atomic():
            response = super().post(request, *args, **kwargs)
        messages.success(request, "You have signed out.")
        return response


# Where to go once the second factor is verified, kept across the sign-in pages.
NEXT_KEY = "_safehub_after_sign_in"
# Recovery codes made at enrolment, held only until the user says they have saved them.
NEW_RECOVERY_CODES_KEY = "_safehub_new_recovery_codes"
ENROLLED_DEVICE_KEY = "_safehub_enrolled_device"


def _second_factor_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For the pages between the password and a verified session: signed-out users go to
    sign in, verified ones to where they were going."""

    def wrapped(request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect("core:sign-in")
        requested_next = request.GET.get("next", "")
        if requested_next and url_has_allowed_host_and_scheme(
            requested_next, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            request.session[NEXT_KEY] = requested_next
        if request.user.is_verified():  # type: ignore[attr-defined]  # added by django-otp
            return _continue(request)
        return view(request, request.user)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _continue(request: HttpRequest) -> HttpResponse:
    return redirect(request.session.pop(NEXT_KEY, "") or reverse("core:home"))


def _render_code_page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    # No service navigation until the second factor is verified: nothing there is open yet.
    return render(request, template, {**context, "navigation": []})


@_second_factor_page
def mfa_verify(request: HttpRequest, user: User) -> HttpResponse:
    """The second step for an enrolled user: the code from their authenticator app."""
    if mfa.confirmed_authenticator(user) is None:
        return redirect("core:mfa-set-up")
    form = AuthenticatorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = mfa.check_authenticator_code(request=request, user=user, code=form.cleaned_data["code"])
        if check.device is not None:
            mfa.complete_sign_in(request=request, device=check.device, second_factor="totp")
            return _continue(request)
        form.add_error("code", check.error)
    return _render_code_page(request, "core/mfa_verify.html", {"form": form})


@_second_factor_page
def mfa_recovery(request: HttpRequest, user: User) -> HttpResponse:
    """A recovery code instead of the app's code, for when the phone is not to hand."""
    form = RecoveryCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = mfa.check_recovery_code(request=request, user=user, code=form.cleaned_data["code"])
        if check.device is not None:
            mfa.complete_sign_in(request=request, device=check.device, second_factor="recovery_code")
            left = mfa.recovery_codes_left(user)
            text = f"You used a recovery code. You have {left} left."
            if left <= 3:
                text += " Ask your SafeHub administrator to reset your second factor so that you get new ones."
            messages.warning(request, text)
            return _continue(request)
        form.add_error("code", check.error)
    return _render_code_page(request, "core/mfa_recovery.html", {"form": form})


@_second_factor_page
def mfa_set_up(request: HttpRequest, user: User) -> HttpResponse:
    """First sign-in (or after an MFA reset): set up an authenticator app with a QR code."""
    if mfa.confirmed_authenticator(user) is not None:
        return redirect("core:mfa-verify")
    device = mfa.pending_authenticator(user)
    form = AuthenticatorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = mfa.confirm_authenticator(request=request, user=user, device=device, code=form.cleaned_data["code"])
        if isinstance(outcome, list):
            request.session[NEW_RECOVERY_CODES_KEY] = outcome
            request.session[ENROLLED_DEVICE_KEY] = device.pk
            return redirect("core:mfa-recovery-codes")
        form.add_error("code", outcome.error)
    context = {"form": form, "qr_code": mfa.qr_code_svg(device), "secret": mfa.secret_for_display(device)}
    return _render_code_page(request, "core/mfa_set_up.html", context)


@_second_factor_page
def mfa_recovery_codes(request: HttpRequest, user: User) -> HttpResponse:
    """The recovery codes, shown once; saying they are saved finishes signing in."""
    codes = request.session.get(NEW_RECOVERY_CODES_KEY)
    device = TOTPDevice.objects.filter(pk=request.session.get(ENROLLED_DEVICE_KEY), user=user, confirmed=True).first()
    if not codes or device is None:
        return redirect("core:mfa-verify")
    if request.method == "POST":
        del request.session[NEW_RECOVERY_CODES_KEY]
        del request.session[ENROLLED_DEVICE_KEY]
        mfa.complete_sign_in(request=request, device=device, second_factor="totp")
        messages.success(request, "Your authenticator app is set up. Use it each time you sign in.")
        return _continue(request)
    return _render_code_page(request, "core/mfa_recovery_codes.html", {"codes": codes})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    context = core_selectors.home_page_for(user=request.user)  # type: ignore[arg-type]
    return render(request, "core/home.html", context)


@login_required
def api_docs(request: HttpRequest) -> HttpResponse:
    return render(request, "core/api_docs.html", {"can_use_api": has_capability(request.user, Capability.USE_API)})  # type: ignore[arg-type]


@login_required
def status(request: HttpRequest) -> HttpResponse:
    return render(request, "core/status.html", core_selectors.system_status())
