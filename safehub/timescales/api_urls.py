from django.urls import path

from safehub.timescales import api

urlpatterns: list = []
