"""REST API endpoints of the people app, under /api/v1/."""

from django.urls import path

from safehub.people import api

urlpatterns = [
    path("people/search/", api.PersonSearchApi.as_view(), name="api-people-search"),
    path("people/<id:pk>/", api.PersonDetailApi.as_view(), name="api-person"),
    path("people/<id:pk>/chronology/", api.PersonChronologyApi.as_view(), name="api-person-chronology"),
    path("chronology/<id:pk>/reach/", api.ChronologyReachApi.as_view(), name="api-chronology-reach"),
]
