from django.urls import path

from safehub.people import views

app_name = "people"

urlpatterns = [
    path("", views.search, name="search"),
    path("pupils/", views.school_roll, name="school-roll"),
    path("<id:pk>/", views.person, name="person"),
    path("<id:pk>/chronology/add/", views.add_entry, name="add-entry"),
    path("chronology/<id:pk>/reach/", views.entry_reach, name="entry-reach"),
    path("<id:pk>/merge/", views.merge_find, name="merge"),
    path("<id:pk>/merge/<id:other_pk>/", views.merge_compare, name="merge-compare"),
    path("merges/<id:merge_pk>/undo/", views.unmerge, name="unmerge"),
    path("duplicates/", views.duplicates, name="duplicates"),
    path("duplicates/model/", views.match_model, name="match-model"),
    path("duplicates/<id:pk>/", views.duplicate_pair, name="duplicate-pair"),
]
