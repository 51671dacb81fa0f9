"""REST API endpoints of the timescales app, mounted at /api/v1/."""

from django.urls import path

from safehub.timescales import api

urlpatterns = [
    path("calendar/working-days/", api.WorkingDaysApi.as_view(), name="api-working-days"),
    path("schools/<id:id>/next-school-day/", api.NextSchoolDayApi.as_view(), name="api-next-school-day"),
    path("timescales/", api.TimescaleListApi.as_view(), name="api-timescales"),
]
