"""The inbox page: the user's own notifications, newest first, unread marked, read on open,
and a count of unread ones in the navigation."""

import datetime

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse

from safehub.notifications.models import Channel, Notification
from safehub.notifications.services import notify
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def _inbox_item(user, n, at=START):
    with time_machine.travel(at, tick=False), transaction.atomic():
        (row,) = notify(
            key=f"access.granted:rel-{n}:user-{user.pk}",
            recipient=user,
            kind="access.granted",
            reference=f"AC-{n:04d}",
            link=f"/people/{n}/",
            channels=[Channel.INBOX],
        )
    return row


def test_inbox_lists_the_users_notifications_newest_first_with_unread_marked(client, recipient):
    _inbox_item(recipient, 1, START)
    _inbox_item(recipient, 2, START + datetime.timedelta(hours=1))
    client.force_login(recipient)
    response = client.get(reverse("notifications:inbox"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("AC-0002") < html.index("AC-0001")
    assert html.count('govuk-tag--blue">Unread') == 2
    assert "You have 2 unread notifications." in html


def test_opening_a_notification_marks_it_read_and_goes_to_the_thing_it_is_about(client, recipient):
    row = _inbox_item(recipient, 7)
    client.force_login(recipient)
    response = client.post(reverse("notifications:open", args=[row.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/people/7/"
    row.refresh_from_db()
    assert row.read_at is not None
    assert "Unread" not in client.get(reverse("notifications:inbox")).content.decode()


def test_a_get_of_a_notification_such_as_a_link_preview_reads_nothing(client, recipient):
    row = _inbox_item(recipient, 8)
    client.force_login(recipient)
    inbox = client.get(reverse("notifications:inbox")).content.decode()
    # The inbox opens a notification with a button (a POST), never a plain link.
    assert f'<form method="post" action="{reverse("notifications:open", args=[row.pk])}"' in inbox
    page = client.get(reverse("notifications:open", args=[row.pk]), HTTP_PURPOSE="prefetch")
    assert page.status_code == 200
    assert "It is unread: opening it marks it as read." in page.content.decode()
    row.refresh_from_db()
    assert row.read_at is None


def test_nobody_opens_or_sees_another_users_notification(client, recipient):
    row = _inbox_item(recipient, 3)
    other = UserFactory()
    client.force_login(other)
    assert client.get(reverse("notifications:open", args=[row.pk])).status_code == 404
    assert client.post(reverse("notifications:open", args=[row.pk])).status_code == 404
    assert "AC-0003" not in client.get(reverse("notifications:inbox")).content.decode()
    row.refresh_from_db()
    assert row.read_at is None


def test_an_empty_inbox_says_so(client, recipient):
    client.force_login(recipient)
    assert "You have no notifications." in client.get(reverse("notifications:inbox")).content.decode()


def test_the_navigation_shows_the_inbox_with_its_unread_count(client, recipient):
    client.force_login(recipient)
    assert ">Inbox<" in client.get(reverse("notifications:inbox")).content.decode().replace("\n", "").replace(" ", "")
    _inbox_item(recipient, 1)
    _inbox_item(recipient, 2)
    page = client.get(reverse("core:home")).content.decode()
    assert "Inbox (2 unread)" in page


def test_the_inbox_needs_a_signed_in_user(client):
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:sign-in"))


def test_email_rows_are_not_listed_in_the_inbox(client, recipient):
    with transaction.atomic():
        notify(
            key="access.granted:rel-9:user-1",
            recipient=recipient,
            kind="access.granted",
            reference="AC-0009",
            link="/",
            channels=[Channel.EMAIL],
        )
    client.force_login(recipient)
    assert "AC-0009" not in client.get(reverse("notifications:inbox")).content.decode()
    assert Notification.objects.count() == 1
