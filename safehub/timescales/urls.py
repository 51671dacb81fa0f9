from django.urls import path

from safehub.timescales import views

app_name = "timescales"

urlpatterns = [
    path("", views.calendars, name="calendars"),
    path("schools/<id:pk>/", views.school_calendar, name="school-calendar"),
]
