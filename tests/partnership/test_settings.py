"""The partnership's settings page: names and local timescales, changed only by an administrator."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from safehub.partnership.models import Partnership
from safehub.partnership.roles import Role
from safehub.timescales.models import TimescaleSetting
from safehub.timescales.rules import timescale_value
from safehub.timescales.services import set_local_timescales
from tests.factories import OrganisationFactory, PartnershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user():
    PartnershipFactory()
    return UserFactory(organisation=OrganisationFactory(), roles=[Role.SYSTEM_ADMIN])


def _form(**overrides):
    data = {"name": "Riverside Safeguarding Children Partnership", "short_name": "Riverside", "hub_name": "Hub"}
    return data | overrides


def test_an_administrator_sets_a_local_timescale_that_processes_then_read(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("partnership:settings-change"), _form(timescale_strategy_discussion="2"))
    assert response.status_code == 302
    assert timescale_value("strategy_discussion") == 2


def test_a_clock_time_timescale_is_entered_as_a_time_of_day(client, admin_user):
    client.force_login(admin_user)
    client.post(reverse("partnership:settings-change"), _form(timescale_encompass_acknowledgement="09:30"))
    assert timescale_value("encompass_acknowledgement") == 9 * 60 + 30


def test_a_bad_time_is_refused_with_a_clear_message_and_nothing_changes(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("partnership:settings-change"), _form(name="New name", timescale_encompass_acknowledgement="25:00")
    )
    assert response.status_code == 200
    assert "Enter a time of day in 24-hour form" in response.content.decode()
    assert not TimescaleSetting.objects.exists()
    assert Partnership.objects.get().name == "Riverside Safeguarding Children Partnership"


def test_blanking_a_timescale_returns_it_to_the_default(client, admin_user):
    client.force_login(admin_user)
    client.post(reverse("partnership:settings-change"), _form(timescale_core_group_first="12"))
    assert timescale_value("core_group_first") == 12
    client.post(reverse("partnership:settings-change"), _form(timescale_core_group_first=""))
    assert timescale_value("core_group_first") == 10
    assert not TimescaleSetting.objects.exists()


def test_a_statutory_timescale_cannot_be_changed_locally():
    partnership = PartnershipFactory()
    with pytest.raises(ValidationError, match="set in law"):
        set_local_timescales(partnership=partnership, values={"initial_conference": 20})
    assert timescale_value("initial_conference") == 15


def test_practitioners_see_the_settings_but_cannot_change_them(client, social_worker):
    PartnershipFactory()
    client.force_login(social_worker)
    page = client.get(reverse("partnership:settings"))
    assert page.status_code == 200
    assert page.context["can_change"] is False
    assert client.get(reverse("partnership:settings-change")).status_code == 403


def test_changing_settings_is_audited_with_what_changed(client, admin_user):
    from safehub.audit.models import AuditEvent

    client.force_login(admin_user)
    client.post(reverse("partnership:settings-change"), _form(timescale_core_group_first="12"))
    event = AuditEvent.objects.get(action="partnership.settings_changed")
    assert event.actor == admin_user
    assert event.detail == {"timescales_changed": {"core_group_first": 12}}


def test_an_administrator_sets_the_video_provider_and_join_link_template(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("partnership:settings-change"),
        _form(video_provider_name="Example Meet", video_link_template="https://meet.example.org/safehub-{room}"),
    )
    assert response.status_code == 302
    partnership = Partnership.objects.get()
    assert partnership.video_provider_name == "Example Meet"
    assert partnership.video_link_template == "https://meet.example.org/safehub-{room}"


def test_a_join_link_template_without_a_room_is_refused_beside_the_field(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("partnership:settings-change"), _form(video_link_template="https://meet.example.org/safehub")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["video_link_template"] == [
        'Enter an https:// web address with "{room}" in it once, where the room goes.'
    ]
    assert Partnership.objects.get().video_link_template == ""


def test_changing_the_video_settings_is_audited(client, admin_user):
    from safehub.audit.models import AuditEvent

    client.force_login(admin_user)
    client.post(reverse("partnership:settings-change"), _form(video_provider_name="Example Meet"))
    assert AuditEvent.objects.get(action="partnership.settings_changed").detail["video_changed"] is True


def test_administrators_see_the_pool_of_video_rooms_and_practitioners_only_count_them(
    client, admin_user, social_worker
):
    from safehub.meetings.models import VideoRoom

    VideoRoom.objects.create(
        partnership=Partnership.objects.get(), name="Room A", join_url="https://rooms.example.org/a"
    )
    client.force_login(admin_user)
    assert "https://rooms.example.org/a" in client.get(reverse("partnership:settings")).content.decode()
    client.force_login(social_worker)
    page = client.get(reverse("partnership:settings")).content.decode()
    assert "https://rooms.example.org/a" not in page
    assert "Room A" not in page


def test_an_administrator_includes_early_years_settings_in_operation_encompass(client, admin_user):
    from safehub.audit.models import AuditEvent

    client.force_login(admin_user)
    assert "Not notified (outside section 49A)" in client.get(reverse("partnership:settings")).content.decode()
    response = client.post(reverse("partnership:settings-change"), _form(encompass_includes_early_years="on"))
    assert response.status_code == 302
    assert Partnership.objects.get().encompass_includes_early_years is True
    event = AuditEvent.objects.get(action="partnership.settings_changed")
    assert event.detail["encompass_includes_early_years"] is True
    assert "Notified, by local protocol" in client.get(reverse("partnership:settings")).content.decode()
