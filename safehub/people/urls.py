from django.urls import path

from safehub.people import views

app_name = "people"

urlpatterns = [
    path("", views.search, name="search"),
    path("pupils/", views.school_roll, name="school-roll"),
    path("<int:pk>/", views.person, name="person"),
]
