from django.urls import path

from safehub.people import views

app_name = "people"

urlpatterns = [
    path("", views.search, name="search"),
    path("pupils/", views.school_roll, name="school-roll"),
    path("<int:pk>/", views.person, name="person"),
    path("<int:pk>/merge/", views.merge_find, name="merge"),
    path("<int:pk>/merge/<int:other_pk>/", views.merge_compare, name="merge-compare"),
    path("merges/<int:merge_pk>/undo/", views.unmerge, name="unmerge"),
]
