from django.urls import path

from safehub.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.SignInView.as_view(), name="sign-in"),
    path("sign-out/", views.SignOutView.as_view(), name="sign-out"),
    path("api/", views.api_docs, name="api-docs"),
    path("status/", views.status, name="status"),
]
