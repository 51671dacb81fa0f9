"""GET /api/v1/inbox/: the caller's own inbox, and nobody else's."""

import pytest
from django.db import transaction
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from safehub.notifications.models import Channel
from safehub.notifications.services import notify
from safehub.partnership.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _client(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_the_inbox_api_lists_only_the_callers_own_notifications():
    me = UserFactory(roles=[Role.SOCIAL_WORKER])
    someone_else = UserFactory(roles=[Role.SOCIAL_WORKER])
    with transaction.atomic():
        for user, reference in ((me, "AC-0001"), (someone_else, "AC-0002")):
            notify(
                key=f"access.granted:rel-1:user-{user.pk}",
                recipient=user,
                kind="access.granted",
                reference=reference,
                link="/people/1/",
                channels=[Channel.INBOX],
            )
    response = _client(me).get("/api/v1/inbox/")
    assert response.status_code == 200
    assert [(item["reference"], item["kind_label"], item["read_at"]) for item in response.json()["results"]] == [
        ("AC-0001", "Access granted", None)
    ]


def test_the_inbox_api_needs_credentials():
    assert APIClient().get("/api/v1/inbox/").status_code == 401
