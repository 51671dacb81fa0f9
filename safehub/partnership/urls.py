from django.urls import path

from safehub.partnership import views

app_name = "partnership"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("organisations/<int:pk>/", views.organisation, name="organisation"),
    path("teams/<int:pk>/", views.team, name="team"),
]
