from django.urls import path

from safehub.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.SignInView.as_view(), name="sign-in"),
    path("sign-in/code/", views.mfa_verify, name="mfa-verify"),
    path("sign-in/recovery-code/", views.mfa_recovery, name="mfa-recovery"),
    path("sign-in/set-up-authenticator/", views.mfa_set_up, name="mfa-set-up"),
    path("sign-in/recovery-codes/", views.mfa_recovery_codes, name="mfa-recovery-codes"),
    path("sign-out/", views.SignOutView.as_view(), name="sign-out"),
    path("api/", views.api_docs, name="api-docs"),
    path("status/", views.status, name="status"),
]
