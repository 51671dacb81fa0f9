"""Every answer under /api/ is the documented JSON error, whatever the caller sends: a
malformed or absurd id, an unknown path, a number too large for the database, a huge body.

The defects found in use: `POST /api/v1/meetings/{huge id}/attendance/` was a 500
(OverflowError in `in_bulk`), and malformed ids, unknown paths and a 10 MB body got
Django's HTML pages."""

import pytest

from safehub.core.converters import MAX_ID
from safehub.meetings.models import Attendance
from tests.meetings.conftest import build_meetings_world, convene_strategy_discussion
from tests.meetings.test_api import api_as

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return build_meetings_world()


def _is_json_error(response, status: int) -> dict:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["status"] == status
    assert set(error) == {"status", "code", "message", "fields"}
    return error


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/contacts/abc/",
        "/api/v1/contacts/-1/",
        "/api/v1/contacts/0/",
        f"/api/v1/contacts/{MAX_ID + 1}/",
        "/api/v1/contacts/99999999999999999999999999/",
        "/api/v1/no-such-thing/",
        "/api/v2/contacts/",
    ],
)
def test_a_malformed_or_absurd_id_and_an_unknown_path_are_the_json_404(world, path):
    error = _is_json_error(api_as(world.manager).get(path), 404)
    assert error["code"] == "not_found"


def test_an_absurd_meeting_id_in_the_path_is_a_404_not_a_crash(world):
    body = {"entries": [{"invitation": 1, "status": "in_person"}]}
    for pk in (MAX_ID, MAX_ID + 1, 10**30):
        response = api_as(world.manager).post(f"/api/v1/meetings/{pk}/attendance/", body, format="json")
        _is_json_error(response, 404)


def test_an_absurd_invitation_id_in_the_body_is_a_400_naming_it_and_records_nothing(world):
    meeting = convene_strategy_discussion(world)
    entries = [{"invitation": 10**30, "status": "in_person"}, {"invitation": -4, "status": "in_person"}]
    response = api_as(world.manager).post(
        f"/api/v1/meetings/{meeting.pk}/attendance/", {"entries": entries}, format="json"
    )
    error = _is_json_error(response, 400)
    assert error["fields"]
    assert not Attendance.objects.exists()


def test_an_absurd_id_in_a_web_page_address_is_the_404_page(client, world):
    client.force_login(world.manager)
    response = client.get(f"/meetings/{10**30}/")
    assert response.status_code == 404
    assert "text/html" in response["Content-Type"]


def test_a_body_over_the_size_limit_is_a_json_error_not_a_page(world):
    huge = "x" * (10 * 1024 * 1024)
    response = api_as(world.manager).post(
        "/api/v1/meetings/", data=f'{{"kind": "{huge}"}}', content_type="application/json"
    )
    assert response.status_code in (400, 413)
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["status"] == response.status_code
