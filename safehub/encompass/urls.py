"""Operation Encompass pages."""

from django.urls import path

from safehub.encompass import views

app_name = "encompass"

urlpatterns = [
    path("notices/<int:pk>/", views.notice, name="notice"),
    path("incidents/<int:pk>/", views.incident, name="incident"),
]
