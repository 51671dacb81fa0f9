"""The admin offers the partnership's pre-made video rooms and nothing else from meetings:
meetings, invitations, attendance and plans are personal data about children."""

import pytest
from django.contrib import admin

from safehub.meetings.models import (
    Attendance,
    ChildProtectionPlan,
    Invitation,
    Meeting,
    MeetingAction,
    VideoRoom,
)
from tests.factories import PartnershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_only_video_rooms_are_in_the_admin():
    assert admin.site.is_registered(VideoRoom)
    for model in (Meeting, Invitation, Attendance, MeetingAction, ChildProtectionPlan):
        assert not admin.site.is_registered(model), model.__name__


def test_an_administrator_lists_and_adds_video_rooms(client):
    partnership = PartnershipFactory()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.post(
        "/admin/meetings/videoroom/add/",
        {"partnership": partnership.pk, "name": "Room B", "join_url": "https://rooms.example.org/b", "is_active": "on"},
    )
    assert response.status_code == 302
    listing = client.get("/admin/meetings/videoroom/")
    assert "Room B" in listing.content.decode()
