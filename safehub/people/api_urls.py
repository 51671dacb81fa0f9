from django.urls import path

from safehub.people import api

urlpatterns: list = []
