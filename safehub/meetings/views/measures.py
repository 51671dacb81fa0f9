"""The partnership's meeting attendance and timeliness figures (to be completed)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path


@login_required
def attendance(request: HttpRequest) -> HttpResponse:
    return render(request, "meetings/attendance.html", {})


urlpatterns = [
    path("attendance/", attendance, name="attendance"),
]
