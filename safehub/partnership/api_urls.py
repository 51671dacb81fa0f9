from django.urls import path

from safehub.partnership import api

urlpatterns: list = []
