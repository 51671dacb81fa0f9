"""REST API endpoints of strategy discussions and conferences, under /api/v1/."""

from django.urls import path

from safehub.meetings import api_measures

urlpatterns: list = [
    path("meetings/attendance/", api_measures.MeetingAttendanceApi.as_view(), name="api-meetings-attendance"),
]
