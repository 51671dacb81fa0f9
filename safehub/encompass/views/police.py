"""Operation Encompass pages: police side (to be completed)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path


@login_required
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "encompass/stub.html", {"title": "police"})


@login_required
def incident(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "encompass/stub.html", {"title": "incident"})


urlpatterns = [
    path("incidents/", index, name="incidents"),
    path("incidents/<int:pk>/", incident, name="incident"),
]
