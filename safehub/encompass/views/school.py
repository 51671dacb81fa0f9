"""Operation Encompass pages: school side (to be completed)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path


@login_required
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "encompass/stub.html", {"title": "school"})


@login_required
def notice(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "encompass/stub.html", {"title": "notice"})


urlpatterns = [
    path("notices/", index, name="notices"),
    path("notices/<int:pk>/", notice, name="notice"),
]
