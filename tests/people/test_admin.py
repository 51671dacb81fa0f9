"""Personal records never appear in the Django admin, which would bypass access rules."""

import pytest
from django.apps import apps
from django.contrib import admin

from tests.factories import UserFactory

PERSONAL_DATA_APPS = ("people",)


def test_no_personal_data_model_is_registered_in_the_admin():
    registered = [model for model in admin.site._registry if model._meta.app_label in PERSONAL_DATA_APPS]
    assert registered == []
    assert apps.get_app_config("people").get_models()  # the app itself is installed


@pytest.mark.django_db
def test_a_superuser_cannot_reach_people_through_the_admin(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get("/admin/people/person/").status_code == 404
    assert b"/admin/people/" not in client.get("/admin/").content
