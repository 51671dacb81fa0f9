"""The meeting attendance figures through the API: the page's figures as JSON, for those who may
see performance figures and use the API, with the period checked and nothing personal in it."""

import json

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from safehub.audit.models import AuditEvent
from safehub.meetings.models import Agency, AttendanceStatus, MeetingKind
from safehub.partnership.roles import Role
from tests.factories import UserFactory
from tests.meetings.conftest import london
from tests.meetings.test_measures import held

pytestmark = pytest.mark.django_db
URL = "/api/v1/meetings/attendance/"
PRE_BIRTH = MeetingKind.PRE_BIRTH_CONFERENCE


@pytest.fixture(autouse=True)
def _may_2026(time_machine):
    time_machine.move_to(london(2026, 5, 20, 12), tick=False)


def api_as(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def _police_at_pre_birth(body):
    [group] = [g for g in body["attendance"] if g["group"] == PRE_BIRTH]
    [police] = [a for a in group["agencies"] if a["agency"] == Agency.POLICE]
    return group, police


def test_the_figures_are_the_pages_by_group_agency_and_month(world):
    absent, video = AttendanceStatus.DID_NOT_ATTEND, AttendanceStatus.VIDEO
    held(world, PRE_BIRTH, london(2026, 4, 7, 10), {Agency.SOCIAL_CARE: video, Agency.POLICE: absent})
    held(world, PRE_BIRTH, london(2026, 4, 8, 10), {Agency.SOCIAL_CARE: video, Agency.POLICE: video})
    held(world, PRE_BIRTH, london(2026, 4, 9, 10), {Agency.SOCIAL_CARE: video}, due_at=london(2026, 4, 1, 10))

    response = api_as(world.analyst).get(URL, {"from": "2026-03", "to": "2026-05"})

    assert response.status_code == 200
    body = response.json()
    assert body["period"] == {
        "first_month": "2026-03",
        "last_month": "2026-05",
        "months": ["2026-03", "2026-04", "2026-05"],
    }
    group, police = _police_at_pre_birth(body)
    assert group["held"] == 3
    assert police["months"][1] == {"month": "2026-04", "held": 3, "attended": 1, "remote": 1, "share": 33}
    assert police["total"] == {"held": 3, "attended": 1, "remote": 1, "share": 33}
    [timeliness] = [g for g in body["timeliness_and_quorum"] if g["group"] == PRE_BIRTH]
    assert (timeliness["total"]["on_time"], timeliness["total"]["held"]) == (2, 3)
    assert [g["group"] for g in body["attendance"]] == [
        MeetingKind.STRATEGY_DISCUSSION,
        MeetingKind.INITIAL_CONFERENCE,
        PRE_BIRTH,
        MeetingKind.REVIEW_CONFERENCE,
    ]


def test_without_a_period_the_figures_are_for_the_last_twelve_months(world):
    body = api_as(world.analyst).get(URL).json()
    assert (body["period"]["first_month"], body["period"]["last_month"]) == ("2025-06", "2026-05")
    assert len(body["period"]["months"]) == 12


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"from": "May 2026"}, "Enter the first month as a year and month, for example 2026-03."),
        ({"from": "2026-05", "to": "2026-01"}, "The last month must be the same as or after the first month."),
        ({"from": "2020-01", "to": "2026-05"}, "Choose a period of at most 36 months."),
    ],
)
def test_a_bad_period_is_refused_with_what_to_enter(world, query, message):
    response = api_as(world.analyst).get(URL, query)
    assert response.status_code == 400
    assert response.json()["error"]["message"] == message


def test_the_json_names_no_child(world):
    held(world, PRE_BIRTH, london(2026, 4, 7, 10))
    text = json.dumps(api_as(world.manager).get(URL).json())
    assert world.child.given_names not in text
    assert world.child.family_name not in text


def test_only_those_who_see_performance_figures_may_ask(world):
    assert api_as(world.officer).get(URL).status_code == 403
    assert APIClient().get(URL).status_code == 401
    for role in (Role.PARTNERSHIP_ANALYST, Role.TEAM_MANAGER, Role.POLICE_SUPERVISOR):
        assert api_as(UserFactory(roles=[role])).get(URL).status_code == 200


def test_asking_is_audited(world):
    api_as(world.supervisor).get(URL, {"from": "2026-01", "to": "2026-03"})
    event = AuditEvent.objects.get(action="meetings.measures_viewed", actor=world.supervisor)
    assert event.detail == {"via": "api", "start": "2026-01", "end": "2026-03"}


def test_the_openapi_schema_describes_the_endpoint():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"][URL]["get"]
    assert {parameter["name"] for parameter in operation["parameters"]} == {"from", "to"}
    assert set(operation["responses"]) >= {"200", "400", "401", "403"}
    assert "MeetingMeasures" in schema["components"]["schemas"]
