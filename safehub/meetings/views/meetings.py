"""Pages for arranging meetings and answering invitations (to be completed)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from safehub.meetings import selectors


@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    return render(request, "meetings/list.html", {})


@login_required
def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.get_meeting(user=request.user, pk=pk)  # type: ignore[arg-type]
    page = selectors.meeting_page(user=request.user, meeting=found)  # type: ignore[arg-type]
    return render(request, "meetings/meeting.html", {"page": page, "meeting": found})


urlpatterns = [
    path("", meeting_list, name="list"),
    path("<int:pk>/", meeting, name="meeting"),
]
