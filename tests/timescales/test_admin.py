"""Admin for term dates, closures and local timescales."""

import pytest
from django.urls import reverse

from safehub.timescales.admin import TimescaleSettingForm
from safehub.timescales.models import TimescaleSetting
from tests.factories import PartnershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_timescale_setting_form_offers_only_local_timescales():
    keys = [key for key, _ in TimescaleSettingForm().fields["key"].choices]
    assert "core_group_first" in keys
    assert "initial_conference" not in keys


def test_timescale_setting_form_refuses_a_statutory_timescale():
    form = TimescaleSettingForm(data={"partnership": PartnershipFactory().pk, "key": "initial_conference", "value": 20})
    assert not form.is_valid()
    assert "key" in form.errors


def test_timescale_setting_form_saves_a_local_timescale():
    form = TimescaleSettingForm(data={"partnership": PartnershipFactory().pk, "key": "core_group_first", "value": 8})
    assert form.is_valid(), form.errors
    form.save()
    assert TimescaleSetting.objects.get().value == 8


@pytest.mark.parametrize("model", ["termdate", "schoolclosure", "timescalesetting"])
def test_admin_lists_load(admin_client, academy, model):
    response = admin_client.get(reverse(f"admin:timescales_{model}_changelist"))
    assert response.status_code == 200


def test_term_dates_can_be_filtered_by_school(admin_client, academy):
    response = admin_client.get(reverse("admin:timescales_termdate_changelist"), {"school__id__exact": academy.pk})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 2
