"""Operation Encompass pages: measures side (to be completed)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path


@login_required
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "encompass/stub.html", {"title": "measures"})


urlpatterns = [
    path("performance/", index, name="performance"),
]
