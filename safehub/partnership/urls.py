from django.urls import path

from safehub.partnership import views

app_name = "partnership"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("organisations/<id:pk>/", views.organisation, name="organisation"),
    path("teams/<id:pk>/", views.team, name="team"),
    path("settings/", views.partnership_settings, name="settings"),
    path("settings/change/", views.change_partnership_settings, name="settings-change"),
]
