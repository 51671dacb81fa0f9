"""Sign-in, sign-out, each role's home page, the API guide and the system status page."""

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST

from safehub.core import selectors as core_selectors
from safehub.core.forms import SignInForm
from safehub.partnership.roles import Capability, has_capability


class SignInView(auth_views.LoginView):
    template_name = "core/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


@method_decorator(require_POST, name="dispatch")
class SignOutView(auth_views.LogoutView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.success(request, "You have signed out.")
        return response


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
