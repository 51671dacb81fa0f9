"""A refusal because the user's roles do not allow something (a 403) is audited, as an
out-of-scope record (a 404) is: a privacy officer sees someone probing either way."""

import pytest
from rest_framework.test import APIClient

from safehub.audit.models import AuditEvent
from safehub.partnership.roles import Role
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_page_the_users_roles_do_not_allow_is_refused_and_audited_without_the_query(client, social_worker):
    client.force_login(social_worker)
    response = client.get("/access/reviews/?q=Ashworth")
    assert response.status_code == 403
    event = AuditEvent.objects.get(action="access.forbidden")
    assert event.actor == social_worker
    assert event.outcome == "refused"
    assert event.detail == {"path": "/access/reviews/", "method": "GET"}
    assert "Ashworth" not in str(event.detail)


def test_an_api_call_the_users_roles_do_not_allow_is_refused_and_audited():
    user = UserFactory(organisation=OrganisationFactory(), roles=[Role.PRIVACY_OFFICER])
    api = APIClient()
    api.force_authenticate(user)
    response = api.get("/api/v1/hub/queue/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    event = AuditEvent.objects.get(action="access.forbidden")
    assert (event.actor, event.detail["method"]) == (user, "GET")


def test_someone_signed_out_is_not_audited_as_a_person(client):
    assert client.get("/api/v1/hub/queue/").status_code in (401, 403)
    assert not AuditEvent.objects.filter(action="access.forbidden").exists()
